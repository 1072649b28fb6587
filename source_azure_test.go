//go:build !secrets_noazure

package secrets_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
	"github.com/fathom-dev/secrets/secretstest"
)

// newKVSource starts a fake vault and returns it with an Azure source
// reading it through the real azsecrets client.
func newKVSource(t *testing.T, prefix string) (*kvFake, *secrets.Azure, *kvCredential) {
	t.Helper()
	token := kvToken()
	f := newKVFake(t, token)
	cred := &kvCredential{token: token}
	src, err := secrets.NewAzure(f.URL(), prefix, cred, f.clientOptions())
	require.NoError(t, err)
	return f, src, cred
}

func TestAzureConformance(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			f, src, _ := newKVSource(t, "")
			for k, v := range data {
				name, err := secrets.AzureName("", k)
				require.NoError(t, err)
				f.set(name, string(v))
			}
			return src
		},
		Versions: func(t *testing.T, key string, values [][]byte) (secrets.Source, []string) {
			f, src, _ := newKVSource(t, "")
			name, err := secrets.AzureName("", key)
			require.NoError(t, err)
			var ids []string
			for _, v := range values {
				ids = append(ids, f.set(name, string(v)))
			}
			return src, ids
		},
		MissingVersion: "0123456789abcdef0123456789abcdef",
		// Key Vault values are JSON strings: text only. An empty string
		// is a valid value (the API requires the field, not a non-empty
		// one), so NoEmpty stays false.
		NoBinary: true,
	})
}

func TestAzureBearerChallenge(t *testing.T) {
	f, src, cred := newKVSource(t, "")
	f.set("db-password", "s3cr3t-challenge-value")
	ctx := context.Background()

	v, err := src.Lookup(ctx, secrets.Ref{Key: "db_password"})
	require.NoError(t, err)
	assert.Equal(t, "s3cr3t-challenge-value", string(v.Data))
	assert.EqualValues(t, 1, f.challenges.Load(), "the first request goes without a token and is challenged")
	assert.EqualValues(t, 0, f.badTokens.Load())
	opts := cred.lastOptions()
	assert.Equal(t, []string{"https://vault.azure.net/.default"}, opts.Scopes, "token scope comes from the challenge's resource")
	assert.Equal(t, kvFakeTenant, opts.TenantID, "tenant comes from the challenge's authorization URL")

	_, err = src.Lookup(ctx, secrets.Ref{Key: "db_password"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, f.challenges.Load(), "later requests carry the token without a new challenge")
	assert.EqualValues(t, 1, cred.calls.Load(), "the token is cached")
}

func TestAzureWrongToken(t *testing.T) {
	f := newKVFake(t, kvToken())
	f.set("db-password", "s3cr3t-wrong-token-value")
	wrong := kvToken()
	src, err := secrets.NewAzure(f.URL(), "", &kvCredential{token: wrong}, f.clientOptions())
	require.NoError(t, err)

	_, err = src.Lookup(context.Background(), secrets.Ref{Key: "db_password"})
	require.Error(t, err)
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
	var re *azcore.ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, http.StatusUnauthorized, re.StatusCode)
	assert.Positive(t, f.badTokens.Load(), "the fake must have seen and refused the token")
	assert.NotContains(t, err.Error(), wrong, "the token must not appear in errors")
	assert.NotContains(t, err.Error(), "s3cr3t-wrong-token-value")
	assert.Contains(t, err.Error(), `key "db_password"`)
}

// Without DisableChallengeResourceVerification, which only tests set, the
// SDK refuses a challenge whose resource is not the vault's domain: NewAzure
// keeps that protection.
func TestAzureChallengeResourceVerified(t *testing.T) {
	token := kvToken()
	f := newKVFake(t, token)
	f.set("db-password", "s3cr3t-verify-value")
	opts := f.clientOptions()
	opts.DisableChallengeResourceVerification = false
	cred := &kvCredential{token: token}
	src, err := secrets.NewAzure(f.URL(), "", cred, opts)
	require.NoError(t, err)

	_, err = src.Lookup(context.Background(), secrets.Ref{Key: "db_password"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "challenge resource")
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
	assert.Zero(t, cred.calls.Load(), "no token may be sent to a host that does not match the challenge")
}

func TestAzureErrors(t *testing.T) {
	f, src, _ := newKVSource(t, "")
	values := []string{"s3cr3t-ok-value", "s3cr3t-forbidden-value", "s3cr3t-disabled-value", "s3cr3t-old-value", "s3cr3t-new-disabled-value"}
	f.set("ok", values[0])
	f.set("forbidden", values[1])
	f.forbid("forbidden")
	f.setVersion("disabled", values[2], false, 0)
	old := f.set("rotating", values[3])
	newer := f.setVersion("rotating", values[4], false, 0)

	tests := []struct {
		name    string
		ref     secrets.Ref
		want    error  // sentinel the error wraps
		status  int    // HTTP status of the wrapped ResponseError, 0 for none
		message string // part of the message
	}{
		{"missing", secrets.Ref{Key: "nope"}, secrets.ErrNotFound, http.StatusNotFound, "SecretNotFound"},
		{"missing version", secrets.Ref{Key: "ok", Version: "0123456789abcdef0123456789abcdef"}, secrets.ErrNotFound, http.StatusNotFound, "version 0123456789abcdef0123456789abcdef"},
		{"forbidden", secrets.Ref{Key: "forbidden"}, secrets.ErrPermissionDenied, http.StatusForbidden, "does not have secrets get permission"},
		{"disabled", secrets.Ref{Key: "disabled"}, secrets.ErrDisabled, http.StatusForbidden, "SecretDisabled"},
		{"current version disabled", secrets.Ref{Key: "rotating"}, secrets.ErrDisabled, http.StatusForbidden, "disabled"},
		{"disabled version", secrets.Ref{Key: "rotating", Version: newer}, secrets.ErrDisabled, http.StatusForbidden, "disabled"},
		{"invalid character", secrets.Ref{Key: "db password"}, nil, 0, `character ' ' is not allowed`},
		{"non-ASCII", secrets.Ref{Key: "päss"}, nil, 0, `character 'ä' is not allowed`},
		{"too long", secrets.Ref{Key: strings.Repeat("a", 128)}, nil, 0, "longer than 127"},
		{"invalid version", secrets.Ref{Key: "ok", Version: "../x"}, nil, 0, "not a Key Vault version id"},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.gets.Load()
			_, err := src.Lookup(ctx, tt.ref)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.message)
			assert.Contains(t, err.Error(), src.String())
			for _, v := range values {
				assert.NotContains(t, err.Error(), v, "error leaks a value")
			}
			for _, s := range []error{secrets.ErrNotFound, secrets.ErrPermissionDenied, secrets.ErrDisabled, secrets.ErrThrottled} {
				if s == tt.want {
					assert.ErrorIs(t, err, s)
				} else {
					assert.NotErrorIs(t, err, s)
				}
			}
			var re *azcore.ResponseError
			if tt.status == 0 {
				assert.False(t, errors.As(err, &re))
				assert.Equal(t, before, f.gets.Load(), "a refused key or version must not reach the vault")
				return
			}
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.status, re.StatusCode)
		})
	}

	t.Run("enabled older version", func(t *testing.T) {
		v, err := src.Lookup(ctx, secrets.Ref{Key: "rotating", Version: old})
		require.NoError(t, err)
		assert.Equal(t, values[3], string(v.Data))
		assert.Equal(t, old, v.Version)
	})
}

func TestAzureValueMetadata(t *testing.T) {
	f, src, _ := newKVSource(t, "")
	exp := time.Date(2031, 5, 4, 3, 2, 1, 0, time.UTC)
	id := f.setVersion("cert-password", "s3cr3t-meta-value", true, exp.Unix())
	v, err := src.Lookup(context.Background(), secrets.Ref{Key: "cert_password"})
	require.NoError(t, err)
	assert.Equal(t, id, v.Version, "Value.Version is the version id of the secret's id")
	assert.True(t, exp.Equal(v.Expires), "Value.Expires is the secret's exp attribute, got %v", v.Expires)

	f.set("no-exp", "s3cr3t-meta-value")
	v, err = src.Lookup(context.Background(), secrets.Ref{Key: "no_exp"})
	require.NoError(t, err)
	assert.True(t, v.Expires.IsZero())
}

// Four 429s in a row are more than azcore's default three retries: the
// retry policy NewAzure configures follows Key Vault's guidance instead,
// honouring Retry-After.
func TestAzureThrottleRetried(t *testing.T) {
	t.Parallel()
	f, src, _ := newKVSource(t, "")
	f.set("busy", "s3cr3t-busy-value")
	f.throttleNext("busy", 4)
	start := time.Now()
	v, err := src.Lookup(context.Background(), secrets.Ref{Key: "busy"})
	require.NoError(t, err)
	assert.Equal(t, "s3cr3t-busy-value", string(v.Data))
	assert.EqualValues(t, 5, f.gets.Load(), "four throttled tries and one success")
	assert.GreaterOrEqual(t, time.Since(start), 4*time.Second-100*time.Millisecond, "Retry-After: 1 is honoured")
}

// A caller's own retry policy is kept; a 429 left after it is ErrThrottled.
func TestAzureThrottleExhausted(t *testing.T) {
	token := kvToken()
	f := newKVFake(t, token)
	f.set("busy", "s3cr3t-busy-value")
	f.throttleNext("busy", 1)
	opts := f.clientOptions()
	opts.Retry = policy.RetryOptions{MaxRetries: -1}
	src, err := secrets.NewAzure(f.URL(), "", &kvCredential{token: token}, opts)
	require.NoError(t, err)

	_, err = src.Lookup(context.Background(), secrets.Ref{Key: "busy"})
	require.Error(t, err)
	assert.ErrorIs(t, err, secrets.ErrThrottled)
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
	assert.Contains(t, err.Error(), "429")
	assert.EqualValues(t, 1, f.gets.Load(), "MaxRetries -1 means no retry")
}

// Cancelling while the client waits to retry a throttled request ends the
// lookup at once with context.Canceled.
func TestAzureCanceledDuringRetry(t *testing.T) {
	f, src, _ := newKVSource(t, "")
	f.set("busy", "s3cr3t-busy-value")
	f.throttleNext("busy", 5)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := src.Lookup(ctx, secrets.Ref{Key: "busy"})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
	assert.NotErrorIs(t, err, secrets.ErrThrottled)
	assert.Less(t, time.Since(start), 900*time.Millisecond, "the 1 s Retry-After wait must be cut short")
}

func TestAzureName(t *testing.T) {
	tests := []struct {
		prefix, key, want, err string
	}{
		{"", "db_password", "db-password", ""},
		{"", "myapp/db.password", "myapp-db-password", ""},
		{"", "DB-Password", "DB-Password", ""},
		{"myapp/", "db_password", "myapp-db-password", ""},
		{"", "stripe_api_key2", "stripe-api-key2", ""},
		{"", "a b", "", "character ' ' is not allowed"},
		{"", "a:b", "", "character ':' is not allowed"},
		{"", "naïve", "", "character 'ï' is not allowed"},
		{"", "", "", "empty key"},
		{"", strings.Repeat("x", 127), strings.Repeat("x", 127), ""},
		{"p-", strings.Repeat("x", 126), "", "longer than 127"},
	}
	for _, tt := range tests {
		got, err := secrets.AzureName(tt.prefix, tt.key)
		if tt.err != "" {
			assert.ErrorContains(t, err, tt.err, "AzureName(%q, %q)", tt.prefix, tt.key)
			continue
		}
		require.NoError(t, err, "AzureName(%q, %q)", tt.prefix, tt.key)
		assert.Equal(t, tt.want, got, "AzureName(%q, %q)", tt.prefix, tt.key)
	}
}

// NativeName is what the Loader compares to refuse two keys naming the same
// secret: Key Vault ignores case and has one character for '_', '/', '.'
// and '-'.
func TestAzureNativeNameCollisions(t *testing.T) {
	_, src, _ := newKVSource(t, "app/")
	var n secrets.Namer = src
	same := []string{"db_password", "db.password", "db/password", "db-password", "DB_Password"}
	for _, k := range same {
		assert.Equal(t, "app-db-password", n.NativeName(k), "key %q", k)
	}
	distinct := []string{"db_password", "db_passwd", "db_password2", "dbpassword", "db password"}
	seen := map[string]string{}
	for _, k := range distinct {
		nn := n.NativeName(k)
		if prev, ok := seen[nn]; ok {
			t.Errorf("keys %q and %q both map to %q", prev, k, nn)
		}
		seen[nn] = k
	}
}

// The mapped, case-insensitive name reaches the vault: a secret created as
// App-DB-Password is the key db_password under prefix app/.
func TestAzureNameReachesVault(t *testing.T) {
	f, src, _ := newKVSource(t, "app/")
	f.set("App-DB-Password", "s3cr3t-mapped-value")
	v, err := src.Lookup(context.Background(), secrets.Ref{Key: "db.password"})
	require.NoError(t, err)
	assert.Equal(t, "s3cr3t-mapped-value", string(v.Data))
}

func TestAzureMaxConcurrency(t *testing.T) {
	f, src, _ := newKVSource(t, "")
	var s secrets.Source = src
	lim, ok := s.(secrets.ConcurrencyLimiter)
	require.True(t, ok, "Azure must bound the Loader's concurrency")
	n := lim.MaxConcurrency()
	require.Equal(t, secrets.AzureMaxConcurrency, n)
	require.Positive(t, n)
	require.Less(t, n, secrets.DefaultConcurrency, "Key Vault's limit is tighter than the Loader's default")

	// Within that bound, concurrent lookups through one client all work.
	f.set("k", "s3cr3t-concurrent-value")
	var wg sync.WaitGroup
	errs := make(chan error, n*4)
	for range n {
		wg.Go(func() {
			for range 4 {
				v, err := src.Lookup(context.Background(), secrets.Ref{Key: "k"})
				if err == nil && string(v.Data) != "s3cr3t-concurrent-value" {
					err = errors.New("wrong value")
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.LessOrEqual(t, int(f.maxFlight.Load()), n)
}

func TestAzureOpen(t *testing.T) {
	// Open builds DefaultAzureCredential, which fails on a malformed
	// AZURE_TOKEN_CREDENTIALS; make sure none is set here.
	t.Setenv("AZURE_TOKEN_CREDENTIALS", "x")
	require.NoError(t, os.Unsetenv("AZURE_TOKEN_CREDENTIALS"))
	tests := []struct {
		spec, url, name string
	}{
		{"azurekv://my-vault", "https://my-vault.vault.azure.net", "azurekv://my-vault"},
		{"azurekv://My-Vault2/", "https://my-vault2.vault.azure.net", "azurekv://my-vault2"},
		{"azurekv://my-vault.vault.azure.cn", "https://my-vault.vault.azure.cn", "azurekv://my-vault.vault.azure.cn"},
		{"azurekv://my-vault.vault.azure.net", "https://my-vault.vault.azure.net", "azurekv://my-vault"},
		{"azurekv://localhost:8443", "https://localhost:8443", "azurekv://localhost:8443"},
		{"azurekv://my-vault?prefix=myapp/", "https://my-vault.vault.azure.net", "azurekv://my-vault?prefix=myapp%2F"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := secrets.Open(context.Background(), tt.spec)
			require.NoError(t, err)
			az, ok := s.(*secrets.Azure)
			require.True(t, ok, "Open(%q) = %T", tt.spec, s)
			assert.Equal(t, tt.url, az.VaultURL())
			assert.Equal(t, tt.name, az.String())
		})
	}

	bad := []struct{ spec, msg string }{
		{"azurekv://", "needs a vault name"},
		{"azurekv://ab", "3-24"},
		{"azurekv://1vault", "starts with a letter"},
		{"azurekv://my--vault", "3-24"},
		{"azurekv://my-vault-", "3-24"},
		{"azurekv://my_vault", "3-24"},
		{"azurekv://my-vault/secrets", "takes no path"},
		{"azurekv://my-vault?region=x", "unknown parameter"},
		{"azurekv://.vault.azure.net", "empty labels"},
		{"azurekv://my-vault.", "empty labels"},
		{"azurekv://my..vault.azure.cn:443", "empty labels"},
		{"azurekv://my-vault?prefix=a%20b", "prefix"},
	}
	for _, tt := range bad {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := secrets.Open(context.Background(), tt.spec)
			require.Error(t, err)
			assert.ErrorIs(t, err, secrets.ErrInvalidSpec)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}

	_, err := secrets.Open(context.Background(), "azurekv://my-vault?prefix=my%20app")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "prefix")
}

func TestNewAzureRejects(t *testing.T) {
	cred := &kvCredential{token: "t"}
	for _, u := range []string{"http://my-vault.vault.azure.net", "my-vault", "https://", "https://v.vault.azure.net/secrets", "https://v.vault.azure.net?x=1"} {
		_, err := secrets.NewAzure(u, "", cred, nil)
		assert.Error(t, err, "NewAzure(%q)", u)
	}
	_, err := secrets.NewAzure("https://v.vault.azure.net", "", nil, nil)
	assert.Error(t, err)
	_, err = secrets.NewAzure("https://v.vault.azure.net", "", cred, &azsecrets.ClientOptions{})
	assert.NoError(t, err)
}

// Load refuses, before fetching anything, two keys that map to the same
// vault name, naming both fields.
func TestAzureLoadRefusesCollidingKeys(t *testing.T) {
	f, src, _ := newKVSource(t, "")
	f.set("db-password", "s3cr3t-collide")
	f.set("other", "o")
	counted := secretstest.NewCounter(src)
	var cfg struct {
		A string `secret:"db_password"`
		B string `secret:"db.password"`
		C string `secret:"other"`
	}
	err := secrets.Load(context.Background(), &cfg, counted)
	require.ErrorIs(t, err, secrets.ErrKeyCollision)
	assert.Contains(t, err.Error(), "(A)")
	assert.Contains(t, err.Error(), "(B)")
	assert.Contains(t, err.Error(), `"db-password"`)
	c := secretstest.CounterOf(counted)
	assert.Equal(t, 0, c.Lookups(secrets.Ref{Key: "db_password"}))
	assert.Equal(t, 0, c.Lookups(secrets.Ref{Key: "db.password"}))
}

// A host name that does not resolve fails at once: no back-off makes it
// appear. Other transport errors and 408/429/5xx are retried.
func TestAzureDoesNotRetryUnknownHost(t *testing.T) {
	dnsErr := &net.DNSError{Err: "no such host", Name: "nope.vault.azure.net", IsNotFound: true}
	assert.False(t, secrets.AzureShouldRetry(nil, fmt.Errorf("dial tcp: %w", dnsErr)))
	assert.True(t, secrets.AzureShouldRetry(nil, errors.New("connection reset by peer")))
	for code, want := range map[int]bool{429: true, 503: true, 500: true, 408: true, 404: false, 403: false, 401: false} {
		assert.Equal(t, want, secrets.AzureShouldRetry(&http.Response{StatusCode: code}, nil), "status %d", code)
	}
}
