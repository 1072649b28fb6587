//go:build !secrets_nogcp

package secrets_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
	"github.com/fathom-dev/secrets/internal/gcpfake"
	"github.com/fathom-dev/secrets/secretstest"
)

const (
	gcpProject = "test-project"
	gcpParent  = "projects/" + gcpProject
)

// newTestGCP returns a GCP source for gcpProject talking to fake.
func newTestGCP(t *testing.T, fake *gcpfake.Server, opts secrets.GCPOptions) *secrets.GCP {
	t.Helper()
	g, err := secrets.NewGCP(context.Background(), gcpProject, opts, fake.ClientOptions()...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, g.Close()) })
	return g
}

func TestGCPConformance(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			fake := gcpfake.Start(t)
			for k, v := range data {
				fake.Put(gcpParent, k, v)
			}
			return newTestGCP(t, fake, secrets.GCPOptions{})
		},
		Versions: func(t *testing.T, key string, values [][]byte) (secrets.Source, []string) {
			fake := gcpfake.Start(t)
			var ids []string
			for _, v := range values {
				n := fake.Put(gcpParent, key, v)
				ids = append(ids, strconv.FormatInt(n, 10))
			}
			return newTestGCP(t, fake, secrets.GCPOptions{}), ids
		},
		MissingVersion: "99",
	})
}

func TestGCPSecretID(t *testing.T) {
	tests := []struct {
		prefix, key, want string
	}{
		{"", "db_password", "db_password"},
		{"", "myapp/db.password", "myapp_db_password"},
		{"", "Stripe-Key", "Stripe-Key"},
		{"myapp/", "db#x", "myapp_db_x"},
		{"app_", "port", "app_port"},
		{"", "päss wörd", "p_ss_w_rd"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, secrets.GCPSecretID(tt.prefix, tt.key), "prefix %q key %q", tt.prefix, tt.key)
	}
}

func TestGCPKeyMapping(t *testing.T) {
	fake := gcpfake.Start(t)
	fake.Put(gcpParent, "app_myapp_db_password", []byte("mapped-s3cr3t"))
	g := newTestGCP(t, fake, secrets.GCPOptions{Prefix: "app/"})

	v, err := g.Lookup(context.Background(), secrets.Ref{Key: "myapp/db.password"})
	require.NoError(t, err)
	assert.Equal(t, "mapped-s3cr3t", string(v.Data))
	assert.Equal(t, []string{gcpParent + "/secrets/app_myapp_db_password/versions/latest"}, fake.Calls())

	// Two keys that map to one id share a native name, so the Loader can
	// refuse them; ids are case-sensitive, so case is not folded.
	assert.Equal(t, g.NativeName("db/password"), g.NativeName("db.password"))
	assert.NotEqual(t, g.NativeName("DB_PASSWORD"), g.NativeName("db_password"))

	// Keys that cannot be a secret id are refused without a call, and not
	// as "not found".
	for _, key := range []string{strings.Repeat("k", 252)} {
		_, err := g.Lookup(context.Background(), secrets.Ref{Key: key})
		require.Error(t, err)
		assert.NotErrorIs(t, err, secrets.ErrNotFound)
		assert.Contains(t, err.Error(), "255")
	}
	assert.Len(t, fake.Calls(), 1)
}

func TestGCPVersions(t *testing.T) {
	fake := gcpfake.Start(t)
	fake.Put(gcpParent, "api_key", []byte("v1-s3cr3t"))
	fake.Put(gcpParent, "api_key", []byte("v2-s3cr3t"))
	fake.Put(gcpParent, "api_key", []byte("v3-s3cr3t"))
	fake.Alias(gcpParent, "api_key", "stable", 2)
	fake.Alias(gcpParent, "api_key", "old", 1)
	fake.Disable(gcpParent, "api_key", 1)
	g := newTestGCP(t, fake, secrets.GCPOptions{})
	ctx := context.Background()

	tests := []struct {
		version, wantData, wantVersion string
	}{
		{"", "v3-s3cr3t", "3"},
		{"latest", "v3-s3cr3t", "3"},
		{"2", "v2-s3cr3t", "2"},
		{"stable", "v2-s3cr3t", "2"},
	}
	for _, tt := range tests {
		v, err := g.Lookup(ctx, secrets.Ref{Key: "api_key", Version: tt.version})
		require.NoError(t, err, "version %q", tt.version)
		assert.Equal(t, tt.wantData, string(v.Data), "version %q", tt.version)
		assert.Equal(t, tt.wantVersion, v.Version, "version %q", tt.version)
	}

	_, err := g.Lookup(ctx, secrets.Ref{Key: "api_key", Version: "nosuchalias"})
	assert.ErrorIs(t, err, secrets.ErrNotFound)

	// An alias pointing at a disabled version is reported as disabled.
	_, err = g.Lookup(ctx, secrets.Ref{Key: "api_key", Version: "old"})
	assert.ErrorIs(t, err, secrets.ErrGCPVersionDisabled)

	// Malformed versions never reach the server.
	n := len(fake.Calls())
	for _, bad := range []string{"1/../2", "0", "-1", "1a", "_x", "a b", strings.Repeat("a", 64)} {
		_, err := g.Lookup(ctx, secrets.Ref{Key: "api_key", Version: bad})
		require.Error(t, err, "version %q", bad)
		assert.NotErrorIs(t, err, secrets.ErrNotFound, "version %q", bad)
	}
	assert.Len(t, fake.Calls(), n)
}

func TestGCPErrors(t *testing.T) {
	const value = "never-in-errors-s3cr3t"
	tests := []struct {
		name    string
		setup   func(f *gcpfake.Server)
		ref     secrets.Ref
		want    error
		message string // part of the error text
	}{
		{
			name:    "secret missing",
			setup:   func(f *gcpfake.Server) {},
			ref:     secrets.Ref{Key: "nope"},
			want:    secrets.ErrNotFound,
			message: "not found or has no versions",
		},
		{
			name:    "secret without versions",
			setup:   func(f *gcpfake.Server) { f.CreateEmpty(gcpParent, "k") },
			ref:     secrets.Ref{Key: "k"},
			want:    secrets.ErrNotFound,
			message: "not found or has no versions",
		},
		{
			name:    "version missing",
			setup:   func(f *gcpfake.Server) { f.Put(gcpParent, "k", []byte(value)) },
			ref:     secrets.Ref{Key: "k", Version: "7"},
			want:    secrets.ErrNotFound,
			message: "versions/7] not found",
		},
		{
			name:    "permission denied",
			setup:   func(f *gcpfake.Server) { f.Put(gcpParent, "k", []byte(value)); f.Deny(gcpParent, "k") },
			ref:     secrets.Ref{Key: "k"},
			want:    secrets.ErrGCPPermissionDenied,
			message: "secretmanager.versions.access",
		},
		{
			name: "disabled version",
			setup: func(f *gcpfake.Server) {
				f.Put(gcpParent, "k", []byte(value))
				f.Put(gcpParent, "k", []byte(value))
				f.Disable(gcpParent, "k", 1)
			},
			ref:     secrets.Ref{Key: "k", Version: "1"},
			want:    secrets.ErrGCPVersionDisabled,
			message: "DISABLED",
		},
		{
			name: "latest is disabled",
			setup: func(f *gcpfake.Server) {
				f.Put(gcpParent, "k", []byte(value))
				f.Put(gcpParent, "k", []byte(value))
				f.Disable(gcpParent, "k", 2)
			},
			ref:     secrets.Ref{Key: "k"},
			want:    secrets.ErrGCPVersionDisabled,
			message: "versions/2] is in DISABLED state",
		},
		{
			name: "destroyed version",
			setup: func(f *gcpfake.Server) {
				f.Put(gcpParent, "k", []byte(value))
				f.Destroy(gcpParent, "k", 1)
			},
			ref:     secrets.Ref{Key: "k", Version: "1"},
			want:    secrets.ErrGCPVersionDestroyed,
			message: "DESTROYED",
		},
		{
			name:    "quota exhausted",
			setup:   func(f *gcpfake.Server) { f.Put(gcpParent, "k", []byte(value)); f.SetExhausted(-1) },
			ref:     secrets.Ref{Key: "k"},
			want:    secrets.ErrGCPQuotaExceeded,
			message: "Quota exceeded",
		},
		{
			name:    "corrupted checksum",
			setup:   func(f *gcpfake.Server) { f.Put(gcpParent, "k", []byte(value)); f.SetCorrupt(true) },
			ref:     secrets.Ref{Key: "k"},
			want:    secrets.ErrGCPChecksum,
			message: "checksum",
		},
	}
	sentinels := []error{secrets.ErrNotFound, secrets.ErrGCPPermissionDenied, secrets.ErrGCPVersionDisabled,
		secrets.ErrGCPVersionDestroyed, secrets.ErrGCPQuotaExceeded, secrets.ErrGCPChecksum, context.Canceled}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := gcpfake.Start(t)
			tt.setup(fake)
			g := newTestGCP(t, fake, secrets.GCPOptions{MaxRetries: 1, RetryBackoff: time.Millisecond})
			v, err := g.Lookup(context.Background(), tt.ref)
			require.Error(t, err)
			assert.Empty(t, v.Data)
			assert.ErrorIs(t, err, tt.want)
			for _, s := range sentinels {
				if s != tt.want {
					assert.NotErrorIs(t, err, s, "reported as %v too", s)
				}
			}
			assert.Contains(t, err.Error(), tt.message)
			assert.Contains(t, err.Error(), tt.ref.Key)
			assert.Contains(t, err.Error(), "gcpsm://"+gcpProject)
			assert.NotContains(t, err.Error(), value)
		})
	}
}

func TestGCPChecksumMissingIsAccepted(t *testing.T) {
	fake := gcpfake.Start(t)
	fake.Put(gcpParent, "k", []byte("unchecked-s3cr3t"))
	fake.SetNoChecksum(true)
	g := newTestGCP(t, fake, secrets.GCPOptions{})
	v, err := g.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "unchecked-s3cr3t", string(v.Data))
}

func TestGCPRetry(t *testing.T) {
	t.Run("recovers", func(t *testing.T) {
		fake := gcpfake.Start(t)
		fake.Put(gcpParent, "k", []byte("retried-s3cr3t"))
		fake.SetExhausted(2)
		g := newTestGCP(t, fake, secrets.GCPOptions{MaxRetries: 3, RetryBackoff: time.Millisecond})
		v, err := g.Lookup(context.Background(), secrets.Ref{Key: "k"})
		require.NoError(t, err)
		assert.Equal(t, "retried-s3cr3t", string(v.Data))
		assert.Len(t, fake.Calls(), 3)
	})
	t.Run("bounded", func(t *testing.T) {
		fake := gcpfake.Start(t)
		fake.Put(gcpParent, "k", []byte("retried-s3cr3t"))
		fake.SetExhausted(-1)
		g := newTestGCP(t, fake, secrets.GCPOptions{MaxRetries: 2, RetryBackoff: time.Millisecond})
		_, err := g.Lookup(context.Background(), secrets.Ref{Key: "k"})
		assert.ErrorIs(t, err, secrets.ErrGCPQuotaExceeded)
		assert.Len(t, fake.Calls(), 3)
	})
	t.Run("disabled", func(t *testing.T) {
		fake := gcpfake.Start(t)
		fake.Put(gcpParent, "k", []byte("retried-s3cr3t"))
		fake.SetExhausted(-1)
		g := newTestGCP(t, fake, secrets.GCPOptions{MaxRetries: -1})
		_, err := g.Lookup(context.Background(), secrets.Ref{Key: "k"})
		assert.ErrorIs(t, err, secrets.ErrGCPQuotaExceeded)
		assert.Len(t, fake.Calls(), 1)
	})
	t.Run("not found is not retried", func(t *testing.T) {
		fake := gcpfake.Start(t)
		g := newTestGCP(t, fake, secrets.GCPOptions{MaxRetries: 3, RetryBackoff: time.Millisecond})
		_, err := g.Lookup(context.Background(), secrets.Ref{Key: "k"})
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		assert.Len(t, fake.Calls(), 1)
	})
}

func TestGCPCancellation(t *testing.T) {
	fake := gcpfake.Start(t)
	fake.Put(gcpParent, "k", []byte("slow-s3cr3t"))
	fake.SetDelay(5 * time.Second)
	g := newTestGCP(t, fake, secrets.GCPOptions{})

	t.Run("canceled in flight", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := g.Lookup(ctx, secrets.Ref{Key: "k"})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, secrets.ErrNotFound)
		assert.Less(t, time.Since(start), 4*time.Second)
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := g.Lookup(ctx, secrets.Ref{Key: "k"})
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, secrets.ErrNotFound)
	})
	t.Run("canceled while waiting for a slot", func(t *testing.T) {
		g := newTestGCP(t, fake, secrets.GCPOptions{MaxConcurrency: 1})
		base := len(fake.Calls())
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() { _, _ = g.Lookup(ctx, secrets.Ref{Key: "k"}) }()
		require.Eventually(t, func() bool { return len(fake.Calls()) > base }, 2*time.Second, 5*time.Millisecond)
		wctx, wcancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer wcancel()
		_, err := g.Lookup(wctx, secrets.Ref{Key: "k"})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Len(t, fake.Calls(), base+1, "the second lookup must not reach the server")
	})
}

func TestGCPConcurrencyBound(t *testing.T) {
	fake := gcpfake.Start(t)
	fake.Put(gcpParent, "k", []byte("bounded-s3cr3t"))
	fake.SetDelay(20 * time.Millisecond)

	g := newTestGCP(t, fake, secrets.GCPOptions{})
	assert.Equal(t, secrets.DefaultGCPConcurrency, g.MaxConcurrency())
	var lim secrets.ConcurrencyLimiter = g
	assert.Less(t, lim.MaxConcurrency(), secrets.DefaultConcurrency)

	g = newTestGCP(t, fake, secrets.GCPOptions{MaxConcurrency: 3})
	assert.Equal(t, 3, g.MaxConcurrency())
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for range 24 {
		wg.Go(func() {
			if _, err := g.Lookup(context.Background(), secrets.Ref{Key: "k"}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, 3, fake.MaxInFlight(), "lookups in flight must reach but not pass the bound")
}

func TestGCPRegional(t *testing.T) {
	fake := gcpfake.Start(t)
	regional := gcpParent + "/locations/europe-west1"
	fake.Put(regional, "k", []byte("regional-s3cr3t"))
	fake.Put(gcpParent, "k", []byte("global-s3cr3t"))
	g := newTestGCP(t, fake, secrets.GCPOptions{Location: "europe-west1"})
	v, err := g.Lookup(context.Background(), secrets.Ref{Key: "k", Version: "1"})
	require.NoError(t, err)
	assert.Equal(t, "regional-s3cr3t", string(v.Data))
	assert.Equal(t, "1", v.Version)
	assert.Equal(t, []string{regional + "/secrets/k/versions/1"}, fake.Calls())
	assert.Equal(t, "gcpsm://test-project?location=europe-west1", g.String())
}

func TestGCPClose(t *testing.T) {
	fake := gcpfake.Start(t)
	fake.Put(gcpParent, "k", []byte("closed-s3cr3t"))
	g, err := secrets.NewGCP(context.Background(), gcpProject, secrets.GCPOptions{}, fake.ClientOptions()...)
	require.NoError(t, err)
	require.NoError(t, g.Close())
	require.NoError(t, g.Close(), "a second Close is harmless")
	_, err = g.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.Error(t, err)
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
	assert.False(t, errors.Is(err, context.Canceled), "a closed source is not a cancelled context")
}

func TestGCPInvalidOptions(t *testing.T) {
	ctx := context.Background()
	for _, project := range []string{"", "a/b", "p?x", "with space"} {
		_, err := secrets.NewGCP(ctx, project, secrets.GCPOptions{})
		assert.ErrorIs(t, err, secrets.ErrInvalidSpec, "project %q", project)
	}
	for _, loc := range []string{"evil.example.com", "a/b", "EU"} {
		_, err := secrets.NewGCP(ctx, "p", secrets.GCPOptions{Location: loc})
		assert.ErrorIs(t, err, secrets.ErrInvalidSpec, "location %q", loc)
	}
}

func TestGCPLoad(t *testing.T) {
	ctx := context.Background()
	fake := gcpfake.Start(t)
	fake.Put(gcpParent, "db_password", []byte("load-s3cr3t"))
	fake.Put(gcpParent, "api_key", []byte("key-one"))
	fake.Put(gcpParent, "api_key", []byte("key-two"))
	g := newTestGCP(t, fake, secrets.GCPOptions{})

	var cfg struct {
		DBPass secrets.String `secret:"db_password"`
		OldKey string         `secret:"api_key,version=1"`
		NewKey string         `secret:"api_key"`
		Port   int            `secret:"port,default=8080"`
	}
	require.NoError(t, secrets.Load(ctx, &cfg, g))
	assert.Equal(t, "load-s3cr3t", cfg.DBPass.Reveal())
	assert.Equal(t, "key-one", cfg.OldKey)
	assert.Equal(t, "key-two", cfg.NewKey)
	assert.Equal(t, 8080, cfg.Port)

	t.Run("colliding keys are refused before fetching", func(t *testing.T) {
		before := len(fake.Calls())
		var bad struct {
			A string `secret:"db/password"`
			B string `secret:"db.password"`
		}
		err := secrets.Load(ctx, &bad, g)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `"db/password"`)
		assert.Contains(t, err.Error(), `"db.password"`)
		assert.Contains(t, err.Error(), "db_password")
		assert.Len(t, fake.Calls(), before)
	})

	t.Run("the Loader keeps to the source's bound", func(t *testing.T) {
		fake := gcpfake.Start(t)
		fake.SetDelay(20 * time.Millisecond)
		var many struct {
			K1 string `secret:"k1"`
			K2 string `secret:"k2"`
			K3 string `secret:"k3"`
			K4 string `secret:"k4"`
			K5 string `secret:"k5"`
			K6 string `secret:"k6"`
			K7 string `secret:"k7"`
			K8 string `secret:"k8"`
		}
		for i := 1; i <= 8; i++ {
			fake.Put(gcpParent, "k"+strconv.Itoa(i), []byte("v"))
		}
		g := newTestGCP(t, fake, secrets.GCPOptions{MaxConcurrency: 2})
		require.NoError(t, secrets.Load(ctx, &many, g))
		assert.Equal(t, "v", many.K8)
		assert.Equal(t, 2, fake.MaxInFlight())
	})
}
