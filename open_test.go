package secrets_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

func TestOpenSpecs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "k", "from-file")
	t.Setenv("OPENT_K", "from-env")
	ctx := context.Background()

	tests := []struct {
		spec    string
		want    string // value of key k
		name    string // String() of the source
		wantErr error
		errLike []string
	}{
		{spec: "", want: "", name: "env"},
		{spec: "env", name: "env"},
		{spec: "env://?prefix=OPENT_", want: "from-env", name: "env://?prefix=OPENT_"},
		{spec: "file://" + dir, want: "from-file", name: "file://" + dir},
		{spec: "file://" + dir + ", env://?prefix=OPENT_", want: "from-file", name: "file://" + dir + ",env://?prefix=OPENT_"},
		{spec: "env://?prefix=OPENT_,file://" + dir, want: "from-env"},
		{spec: "nosuch://x", wantErr: secrets.ErrInvalidSpec, errLike: []string{`unknown scheme "nosuch"`, "env://?prefix=APP_", "file:///DIR", "dotenv://PATH"}},
		{spec: "bogus", wantErr: secrets.ErrInvalidSpec, errLike: []string{"accepted:"}},
		{spec: "env://?prefx=A", wantErr: secrets.ErrInvalidSpec, errLike: []string{`unknown parameter "prefx"`, "accepted: prefix"}},
		{spec: "file://" + dir + "?x=1", wantErr: secrets.ErrInvalidSpec, errLike: []string{`unknown parameter "x"`, "accepted: none"}},
		{spec: "env,", wantErr: secrets.ErrInvalidSpec, errLike: []string{"empty element"}},
		{spec: "file://%zz", wantErr: secrets.ErrInvalidSpec, errLike: []string{"malformed URL"}},
		{spec: "env://user:pw@host", wantErr: secrets.ErrInvalidSpec, errLike: []string{"credentials do not belong"}},
		{spec: "env://somehost", wantErr: secrets.ErrInvalidSpec},
		{spec: "env://?prefix=", wantErr: secrets.ErrInvalidSpec, errLike: []string{`parameter "prefix" is empty`}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			src, err := secrets.Open(ctx, tc.spec)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				for _, s := range tc.errLike {
					assert.Contains(t, err.Error(), s)
				}
				assert.NotContains(t, err.Error(), "pw@")
				return
			}
			require.NoError(t, err)
			if tc.name != "" {
				assert.Equal(t, tc.name, fmt.Sprint(src))
			}
			if tc.want != "" {
				v, err := src.Lookup(ctx, secrets.Ref{Key: "k"})
				require.NoError(t, err)
				assert.Equal(t, tc.want, string(v.Data))
			}
			if c, ok := src.(io.Closer); ok {
				assert.NoError(t, c.Close())
			}
		})
	}
}

func TestChainFailingSourceIsNotSkipped(t *testing.T) {
	boom := fmt.Errorf("sealed")
	failing := secrets.SourceFunc(func(context.Context, secrets.Ref) (secrets.Value, error) {
		return secrets.Value{}, boom
	})
	c := secrets.Chain(secrets.Map{"a": "1"}, failing, secrets.Map{"b": "stale"})
	v, err := c.Lookup(context.Background(), secrets.Ref{Key: "a"})
	require.NoError(t, err)
	assert.Equal(t, "1", string(v.Data))
	_, err = c.Lookup(context.Background(), secrets.Ref{Key: "b"})
	require.ErrorIs(t, err, boom)
	_, err = secrets.Chain(secrets.Map{}, secrets.Map{}).Lookup(context.Background(), secrets.Ref{Key: "z"})
	require.ErrorIs(t, err, secrets.ErrNotFound)
	_, err = secrets.Chain().Lookup(context.Background(), secrets.Ref{Key: "z"})
	require.ErrorIs(t, err, secrets.ErrNotFound)
}

type closer struct {
	secrets.Map
	closed *int
}

func (c closer) Close() error { *c.closed++; return nil }

func TestChainCloseClosesAll(t *testing.T) {
	n := 0
	c := secrets.Chain(closer{secrets.Map{}, &n}, secrets.Map{}, closer{secrets.Map{}, &n})
	require.NoError(t, c.(io.Closer).Close())
	assert.Equal(t, 2, n)
}

func TestOpenRepeatedParameter(t *testing.T) {
	_, err := secrets.Open(context.Background(), "env://?prefix=A_&prefix=B_")
	require.ErrorIs(t, err, secrets.ErrInvalidSpec)
	assert.Contains(t, err.Error(), `parameter "prefix" given 2 times`)
	_, err = secrets.Open(context.Background(), "env://?prefix=%zz")
	require.ErrorIs(t, err, secrets.ErrInvalidSpec)
	assert.Contains(t, err.Error(), "accepted by env://?prefix=APP_: prefix")
}

func TestLoadNamesSECRETS_SOURCEInSpecErrors(t *testing.T) {
	t.Setenv("SECRETS_SOURCE", "envv")
	var c struct {
		K string `secret:"k"`
	}
	err := secrets.Load(context.Background(), &c)
	require.ErrorIs(t, err, secrets.ErrInvalidSpec)
	assert.Contains(t, err.Error(), "SECRETS_SOURCE")
}
