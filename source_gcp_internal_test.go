//go:build !secrets_nogcp

package secrets

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets/internal/gcpfake"
)

func TestGCPOpen(t *testing.T) {
	fake := gcpfake.Start(t)
	old := gcpTestClientOptions
	gcpTestClientOptions = fake.ClientOptions()
	t.Cleanup(func() { gcpTestClientOptions = old })
	ctx := context.Background()

	fake.Put("projects/my-proj/locations/us-east1", "app_db_password", []byte("opened-s3cr3t"))
	src, err := Open(ctx, "gcpsm://my-proj?location=us-east1&prefix=app/")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, src.(io.Closer).Close()) })
	g, ok := src.(*GCP)
	require.True(t, ok, "Open returns a *GCP, got %T", src)
	assert.Equal(t, "secretmanager.us-east1.rep.googleapis.com:443", g.endpoint, "a location uses the regional endpoint")
	assert.Equal(t, "gcpsm://my-proj?location=us-east1&prefix=app%2F", g.String())

	v, err := src.Lookup(ctx, Ref{Key: "db.password"})
	require.NoError(t, err)
	assert.Equal(t, "opened-s3cr3t", string(v.Data))
	assert.Equal(t, []string{"projects/my-proj/locations/us-east1/secrets/app_db_password/versions/latest"}, fake.Calls())

	src2, err := Open(ctx, "gcpsm://other-proj")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, src2.(io.Closer).Close()) })
	assert.Empty(t, src2.(*GCP).endpoint, "no location: the client's global endpoint")
	assert.Equal(t, "gcpsm://other-proj", sourceName(src2))

	for _, spec := range []string{
		"gcpsm://",
		"gcpsm",
		"gcpsm:///proj",
		"gcpsm://proj/extra",
		"gcpsm://proj?region=x",
		"gcpsm://proj?location=evil.example.com",
		"gcpsm://proj:443",
		"gcpsm://proj?location=",
	} {
		_, err := Open(ctx, spec)
		assert.ErrorIs(t, err, ErrInvalidSpec, "spec %q", spec)
	}
}
