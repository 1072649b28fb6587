//go:build !secrets_nodotenv

package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
	"github.com/fathom-dev/secrets/secretstest"
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

func TestConformanceDotenv(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			var b strings.Builder
			for k, v := range data {
				// Double-quoted values keep newlines as \n escapes.
				val := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, `"`, `\"`).Replace(string(v))
				b.WriteString(secrets.EnvName("", k) + `="` + val + "\"\n")
			}
			p := filepath.Join(t.TempDir(), ".env")
			if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			src, err := secrets.Open(t.Context(), "dotenv://"+p)
			if err != nil {
				t.Fatal(err)
			}
			return src
		},
		NoBinary: true,
	})
}
