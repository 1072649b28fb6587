package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

func TestEnvName(t *testing.T) {
	tests := []struct{ prefix, key, want string }{
		{"", "db_password", "DB_PASSWORD"},
		{"APP_", "db_password", "APP_DB_PASSWORD"},
		{"", "myapp/db.password", "MYAPP_DB_PASSWORD"},
		{"", "Stripe-API-Key", "STRIPE_API_KEY"},
		{"", "a1 b2", "A1_B2"},
		{"", "päss", "P_SS"}, // one '_' per character, not per byte
		{"", "ключ", "____"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, secrets.EnvName(tc.prefix, tc.key), "%q %q", tc.prefix, tc.key)
	}
}

func TestEnvFileConvention(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pw")
	require.NoError(t, os.WriteFile(p, []byte("from-file\r\n"), 0o600))
	ctx := context.Background()

	t.Run("file when unset", func(t *testing.T) {
		t.Setenv("ENVT_DB_PASSWORD_FILE", p)
		v, err := (&secrets.Env{Prefix: "ENVT_"}).Lookup(ctx, secrets.Ref{Key: "db_password"})
		require.NoError(t, err)
		assert.Equal(t, "from-file", string(v.Data))
	})
	t.Run("both set is an error", func(t *testing.T) {
		t.Setenv("ENVT_DB_PASSWORD", "direct-s3cret")
		t.Setenv("ENVT_DB_PASSWORD_FILE", p)
		_, err := (&secrets.Env{Prefix: "ENVT_"}).Lookup(ctx, secrets.Ref{Key: "db_password"})
		require.Error(t, err)
		assert.NotErrorIs(t, err, secrets.ErrNotFound)
		assert.Contains(t, err.Error(), "ENVT_DB_PASSWORD_FILE")
		assert.NotContains(t, err.Error(), "direct-s3cret")
	})
	t.Run("missing file is an error, not a miss", func(t *testing.T) {
		t.Setenv("ENVT_DB_PASSWORD_FILE", filepath.Join(dir, "nope"))
		_, err := (&secrets.Env{Prefix: "ENVT_"}).Lookup(ctx, secrets.Ref{Key: "db_password"})
		require.Error(t, err)
		assert.NotErrorIs(t, err, secrets.ErrNotFound)
	})
	t.Run("file is a directory", func(t *testing.T) {
		t.Setenv("ENVT_DB_PASSWORD_FILE", dir)
		_, err := (&secrets.Env{Prefix: "ENVT_"}).Lookup(ctx, secrets.Ref{Key: "db_password"})
		require.ErrorContains(t, err, "directory")
	})
	t.Run("empty variable is a value", func(t *testing.T) {
		t.Setenv("ENVT_EMPTY", "")
		v, err := (&secrets.Env{Prefix: "ENVT_"}).Lookup(ctx, secrets.Ref{Key: "empty"})
		require.NoError(t, err)
		assert.Empty(t, v.Data)
	})
}

func TestEnvThroughLoad(t *testing.T) {
	t.Setenv("APP_DB_PASSWORD", "pw")
	t.Setenv("APP_PORT", "9000")
	var c struct {
		Pass secrets.String `secret:"db_password"`
		Port int            `secret:"port"`
	}
	src, err := secrets.Open(context.Background(), "env://?prefix=APP_")
	require.NoError(t, err)
	require.NoError(t, secrets.Load(context.Background(), &c, src))
	assert.Equal(t, "pw", c.Pass.Reveal())
	assert.Equal(t, 9000, c.Port)
}
