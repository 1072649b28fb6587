package secrets_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

func TestDotenv(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, ".env", "# comment\nAPP_DB_PASSWORD='single quoted'\nexport APP_PORT=8081\nAPP_MULTI=\"a\\nb\"\n")
	src, err := secrets.Open(context.Background(), "dotenv://"+filepath.Join(dir, ".env")+"?prefix=APP_")
	require.NoError(t, err)
	var c struct {
		Pass  secrets.String `secret:"db_password"`
		Port  int            `secret:"port"`
		Multi string         `secret:"multi"`
	}
	require.NoError(t, secrets.Load(context.Background(), &c, src))
	assert.Equal(t, "single quoted", c.Pass.Reveal())
	assert.Equal(t, 8081, c.Port)
	assert.Equal(t, "a\nb", c.Multi)
}

func TestDotenvErrorsDoNotLeak(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.env", "GOOD=1\nBAD LINE s3cr3t-in-file\n")
	_, err := secrets.Open(context.Background(), "dotenv://"+filepath.Join(dir, "bad.env"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
	assert.Contains(t, err.Error(), "bad.env")

	_, err = secrets.Open(context.Background(), "dotenv://"+filepath.Join(dir, "missing.env"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.env")
}
