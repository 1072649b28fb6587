package secrets_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fathom-dev/secrets"
	"github.com/fathom-dev/secrets/secretstest"
)

func TestConformanceMap(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(_ *testing.T, data map[string][]byte) secrets.Source {
			m := secrets.Map{}
			for k, v := range data {
				m[k] = string(v)
			}
			return m
		},
	})
}

func TestConformanceEnv(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(_ *testing.T, data map[string][]byte) secrets.Source {
			vars := map[string]string{}
			for k, v := range data {
				vars[secrets.EnvName("CONF_", k)] = string(v)
			}
			return &secrets.Env{Prefix: "CONF_", LookupEnv: func(n string) (string, bool) {
				v, ok := vars[n]
				return v, ok
			}}
		},
		NoBinary: true, // environment variables cannot hold NUL
	})
}

func TestConformanceEnvProcess(t *testing.T) {
	// The real process environment, through Open.
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			for k, v := range data {
				t.Setenv(secrets.EnvName("CONFP_", k), string(v))
			}
			src, err := secrets.Open(t.Context(), "env://?prefix=CONFP_")
			if err != nil {
				t.Fatal(err)
			}
			return src
		},
		NoBinary: true,
	})
}

func TestConformanceEnvFileConvention(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			dir := t.TempDir()
			vars := map[string]string{}
			for k, v := range data {
				p := filepath.Join(dir, k)
				if err := os.WriteFile(p, v, 0o600); err != nil {
					t.Fatal(err)
				}
				vars[secrets.EnvName("", k)+"_FILE"] = p
			}
			return &secrets.Env{LookupEnv: func(n string) (string, bool) {
				v, ok := vars[n]
				return v, ok
			}}
		},
	})
}

func TestConformanceFiles(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			dir := t.TempDir()
			for k, v := range data {
				if err := os.WriteFile(filepath.Join(dir, k), v, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			src, err := secrets.Open(t.Context(), "file://"+dir)
			if err != nil {
				t.Fatal(err)
			}
			return src
		},
	})
}
