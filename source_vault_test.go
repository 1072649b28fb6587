//go:build !secrets_novault

package secrets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
	"github.com/fathom-dev/secrets/secretstest"
)

// The real server, when the environment names one; read before any test
// changes the environment.
var (
	realVaultAddr  = os.Getenv("VAULT_ADDR")
	realVaultToken = os.Getenv("VAULT_TOKEN")
)

// vaultTestEnv points the client's standard variables at f, with token.
func vaultTestEnv(t *testing.T, f *fakeVault, token string) {
	t.Helper()
	for _, k := range []string{"VAULT_AGENT_ADDR", "VAULT_CACERT", "VAULT_CAPATH", "VAULT_NAMESPACE", "VAULT_CLIENT_TIMEOUT",
		"VAULT_SKIP_VERIFY", "VAULT_ROLE_ID", "VAULT_SECRET_ID", "VAULT_TOKEN", "VAULT_ADDR"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	if f != nil {
		t.Setenv("VAULT_ADDR", f.addr())
	}
	if token != "" {
		t.Setenv("VAULT_TOKEN", token)
	}
	t.Setenv("VAULT_MAX_RETRIES", "0")
}

// openVault opens spec and closes the source at the end of the test.
func openVault(t *testing.T, spec string) *secrets.Vault {
	t.Helper()
	src, err := secrets.Open(context.Background(), spec)
	require.NoError(t, err)
	t.Cleanup(func() { _ = src.(io.Closer).Close() })
	v, ok := src.(*secrets.Vault)
	require.True(t, ok, "Open(%q) returned %T", spec, src)
	return v
}

func vaultStringMap(data map[string][]byte) map[string]any {
	m := map[string]any{}
	for k, v := range data {
		m[k] = string(v)
	}
	return m
}

func TestVaultConformance(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			f := newFakeVault(t)
			f.put("secret/app", vaultStringMap(data))
			vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
			return openVault(t, "vault:///secret/app")
		},
		Versions: func(t *testing.T, key string, values [][]byte) (secrets.Source, []string) {
			f := newFakeVault(t)
			var ids []string
			for _, v := range values {
				ids = append(ids, strconv.Itoa(f.put("secret/app", map[string]any{key: string(v)})))
			}
			vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
			return openVault(t, "vault:///secret/app"), ids
		},
		MissingVersion: "999",
		NoBinary:       true,
	})
}

func TestVaultConformanceKV1(t *testing.T) {
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			f := newFakeVault(t)
			f.put("kv1/app", vaultStringMap(data))
			vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
			return openVault(t, "vault:///kv1/app")
		},
		NoBinary: true,
	})
}

// TestVaultConformanceRealServer runs the suite against the server in
// VAULT_ADDR and VAULT_TOKEN, on the KV v2 mount VAULT_TEST_KV_MOUNT
// ("secret" by default, as on a dev server).
func TestVaultConformanceRealServer(t *testing.T) {
	if realVaultAddr == "" || realVaultToken == "" {
		t.Skip("VAULT_ADDR and VAULT_TOKEN are not set; set them (e.g. to a `vault server -dev`) to run the suite against a real Vault")
	}
	mount := os.Getenv("VAULT_TEST_KV_MOUNT")
	if mount == "" {
		mount = "secret"
	}
	client := func(t *testing.T) *api.Client {
		t.Setenv("VAULT_ADDR", realVaultAddr)
		t.Setenv("VAULT_TOKEN", realVaultToken)
		c, err := api.NewClient(api.DefaultConfig())
		require.NoError(t, err)
		return c
	}
	put := func(t *testing.T, c *api.Client, name string, data map[string]any) string {
		s, err := c.KVv2(mount).Put(context.Background(), name, data)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.KVv2(mount).DeleteMetadata(context.Background(), name) })
		return strconv.Itoa(s.VersionMetadata.Version)
	}
	secretstest.Run(t, secretstest.Harness{
		New: func(t *testing.T, data map[string][]byte) secrets.Source {
			c := client(t)
			name := "secretstest/" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
			put(t, c, name, vaultStringMap(data))
			return openVault(t, "vault:///"+mount+"/"+name+"?tls=insecure")
		},
		Versions: func(t *testing.T, key string, values [][]byte) (secrets.Source, []string) {
			c := client(t)
			name := "secretstest/" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))
			var ids []string
			for _, v := range values {
				ids = append(ids, put(t, c, name, map[string]any{key: string(v)}))
			}
			return openVault(t, "vault:///"+mount+"/"+name+"?tls=insecure"), ids
		},
		MissingVersion: "999",
		NoBinary:       true,
	})
}

func TestVaultKV1Mount(t *testing.T) {
	f := newFakeVault(t)
	f.put("kv1/app", map[string]any{"user": "alice", "port": json.Number("8080")})
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	v := openVault(t, "vault:///kv1/app")
	ctx := context.Background()

	val, err := v.Lookup(ctx, secrets.Ref{Key: "user"})
	require.NoError(t, err)
	assert.Equal(t, "alice", string(val.Data))
	assert.Empty(t, val.Version, "KV v1 keeps no versions")
	assert.True(t, val.Expires.IsZero(), "KV v1's lease_duration is a refresh hint, not a lease")
	_, leased := v.Lease("user")
	assert.False(t, leased)
	assert.Equal(t, 1, f.count("GET kv1/app"), "KV v1 is read at the path itself")
	assert.Zero(t, f.count("GET kv1/data/app"))

	val, err = v.Lookup(ctx, secrets.Ref{Key: "port"})
	require.NoError(t, err)
	assert.Equal(t, "8080", string(val.Data), "non-string fields come as JSON")

	_, err = v.Lookup(ctx, secrets.Ref{Key: "user", Version: "1"})
	require.Error(t, err)
	assert.NotErrorIs(t, err, secrets.ErrNotFound, "asking a version of KV v1 is a mistake, not a miss")
	assert.Contains(t, err.Error(), "keeps no versions")

	full, err := v.Lookup(ctx, secrets.Ref{Key: "kv1/app"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"user":"alice","port":8080}`, string(full.Data))
}

func TestVaultKV2FullPath(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/myapp/db", map[string]any{"username": "app", "password": "pw-1"})
	f.put("secret/myapp/db", map[string]any{"username": "app", "password": "pw-2"})
	f.put("secret/other", map[string]any{"x": "y"})
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	v := openVault(t, "vault:///secret/other")
	ctx := context.Background()

	val, err := v.Lookup(ctx, secrets.Ref{Key: "secret/myapp/db"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"username":"app","password":"pw-2"}`, string(val.Data))
	assert.Equal(t, "2", val.Version)
	assert.Equal(t, 1, f.count("GET secret/data/myapp/db"), "KV v2 paths gain data/ after the mount, as the CLI does")

	val, err = v.Lookup(ctx, secrets.Ref{Key: "secret/myapp/db", Version: "1"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"username":"app","password":"pw-1"}`, string(val.Data))
	assert.Equal(t, "1", val.Version)

	// One preflight for the mount, whatever the number of paths.
	_, err = v.Lookup(ctx, secrets.Ref{Key: "x"})
	require.NoError(t, err)
	assert.Equal(t, 1, f.countPrefix("GET sys/internal/ui/mounts/"), "mount lookups are cached per mount")

	_, err = v.Lookup(ctx, secrets.Ref{Key: "secret/myapp/none"})
	assert.ErrorIs(t, err, secrets.ErrNotFound)
	_, err = v.Lookup(ctx, secrets.Ref{Key: "secret/myapp/db", Version: "7"})
	assert.ErrorIs(t, err, secrets.ErrNotFound)
}

func TestVaultLegacyServerWithoutPreflight(t *testing.T) {
	f := newFakeVault(t)
	f.noPreflight = true
	f.put("kv1/app", map[string]any{"user": "bob"})
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	v := openVault(t, "vault:///kv1/app")
	val, err := v.Lookup(context.Background(), secrets.Ref{Key: "user"})
	require.NoError(t, err)
	assert.Equal(t, "bob", string(val.Data))
}

func TestVaultDeletedAndDestroyedVersions(t *testing.T) {
	f := newFakeVault(t)
	for i := 1; i <= 3; i++ {
		f.put("secret/app", map[string]any{"k": fmt.Sprintf("value-%d", i)})
	}
	f.deleteVersion("secret/app", 1)
	f.destroyVersion("secret/app", 2)
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	v := openVault(t, "vault:///secret/app")
	ctx := context.Background()

	tests := []struct {
		version, want, wantErr string
	}{
		{version: "1", wantErr: "deleted"},
		{version: "2", wantErr: "destroyed"},
		{version: "3", want: "value-3"},
		{version: "", want: "value-3"},
	}
	for _, tt := range tests {
		t.Run("version="+tt.version, func(t *testing.T) {
			val, err := v.Lookup(ctx, secrets.Ref{Key: "k", Version: tt.version})
			if tt.wantErr != "" {
				require.ErrorIs(t, err, secrets.ErrNotFound)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(val.Data))
			assert.Equal(t, "3", val.Version)
		})
	}

	f.deleteVersion("secret/app", 3)
	_, err := v.Lookup(ctx, secrets.Ref{Key: "k"})
	require.ErrorIs(t, err, secrets.ErrNotFound)
	assert.Contains(t, err.Error(), "version 3")
	assert.Contains(t, err.Error(), "deleted")
}

func TestVaultBatchReadsOnce(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"a": "1", "b": "2", "c": "3"})
	f.put("secret/shared", map[string]any{"x": "4"})
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	v := openVault(t, "vault:///secret/app")

	res := v.LookupBatch(context.Background(), []secrets.Ref{
		{Key: "a"}, {Key: "b"}, {Key: "c"}, {Key: "missing"}, {Key: "secret/shared"}, {Key: "secret/shared"},
	})
	require.Len(t, res, 6)
	for i, want := range []string{"1", "2", "3"} {
		require.NoError(t, res[i].Err)
		assert.Equal(t, want, string(res[i].Value.Data))
	}
	assert.ErrorIs(t, res[3].Err, secrets.ErrNotFound)
	require.NoError(t, res[4].Err)
	assert.JSONEq(t, `{"x":"4"}`, string(res[5].Value.Data))
	assert.Equal(t, 1, f.count("GET secret/data/app"), "N fields of MOUNT/PATH cost one read")
	assert.Equal(t, 1, f.count("GET secret/data/shared"))
}

func TestVaultConcurrentLookupsShareOneRead(t *testing.T) {
	f := newFakeVault(t)
	f.readDelay = 300 * time.Millisecond
	f.put("secret/app", map[string]any{"a": "1", "b": "2"})
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	v := openVault(t, "vault:///secret/app")

	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := []string{"a", "b"}[i%2]
			_, err := v.Lookup(context.Background(), secrets.Ref{Key: key})
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	assert.Less(t, f.count("GET secret/data/app"), n/2, "concurrent lookups of one secret share reads")
}

// TestVaultTokenExpiresMidRun logs in with AppRole for a token of 1 s TTL
// and 2 s max TTL, and looks up for 4 s: the token is renewed, reaches its
// max TTL, and is replaced by logging in again, with no lookup failing.
func TestVaultTokenExpiresMidRun(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	f.addAppRole("role-1", "secret-id-1", time.Second, 2*time.Second, "secret/")
	vaultTestEnv(t, f, "")
	t.Setenv("VAULT_ROLE_ID", "role-1")
	t.Setenv("VAULT_SECRET_ID", "secret-id-1")
	v := openVault(t, "vault:///secret/app?auth=approle")

	deadline := time.Now().Add(4 * time.Second)
	n := 0
	for time.Now().Before(deadline) {
		val, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
		require.NoError(t, err, "lookup %d", n)
		require.Equal(t, "v", string(val.Data))
		n++
		time.Sleep(50 * time.Millisecond)
	}
	logins, renewals := f.stats()
	assert.GreaterOrEqual(t, logins, 2, "the source logged in again once the token reached its max TTL")
	assert.GreaterOrEqual(t, renewals, 1, "the token was renewed before it expired")
}

// TestVaultTokenReplacedInBackground: with no lookup at all, the source
// renews its token and, at the token's max TTL, logs in again by itself.
func TestVaultTokenReplacedInBackground(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	f.addAppRole("role-1", "secret-id-1", time.Second, 2*time.Second, "secret/")
	vaultTestEnv(t, f, "")
	t.Setenv("VAULT_ROLE_ID", "role-1")
	t.Setenv("VAULT_SECRET_ID", "secret-id-1")
	v := openVault(t, "vault:///secret/app?auth=approle")

	require.Eventually(t, func() bool {
		logins, renewals := f.stats()
		return logins >= 2 && renewals >= 1
	}, 5*time.Second, 50*time.Millisecond, "renewal, then a new login, without any lookup")
	require.NoError(t, v.Close())
	logins, _ := f.stats()
	time.Sleep(1500 * time.Millisecond)
	after, _ := f.stats()
	assert.Equal(t, logins, after, "Close stops the background renewal")
}

// TestFakeVaultKV2Metadata checks the fake's KV v2 answers against the
// official client's own KV v2 helpers, which parse them.
func TestFakeVaultKV2Metadata(t *testing.T) {
	f := newFakeVault(t)
	for i := 1; i <= 3; i++ {
		f.put("secret/app", map[string]any{"k": fmt.Sprint(i)})
	}
	f.deleteVersion("secret/app", 1)
	f.destroyVersion("secret/app", 2)
	cfg := api.DefaultConfig()
	cfg.Address = f.addr()
	c, err := api.NewClient(cfg)
	require.NoError(t, err)
	c.SetToken(f.newToken(0, 0, false, "*"))
	ctx := context.Background()

	md, err := c.KVv2("secret").GetMetadata(ctx, "app")
	require.NoError(t, err)
	assert.Equal(t, 3, md.CurrentVersion)
	require.Len(t, md.Versions, 3)
	assert.False(t, md.Versions["1"].DeletionTime.IsZero())
	assert.True(t, md.Versions["2"].Destroyed)

	s, err := c.KVv2("secret").Get(ctx, "app")
	require.NoError(t, err)
	assert.Equal(t, "3", s.Data["k"])
	assert.Equal(t, 3, s.VersionMetadata.Version)
	_, err = c.KVv2("secret").GetVersion(ctx, "app", 9)
	assert.ErrorIs(t, err, api.ErrSecretNotFound)
}

// TestVaultTokenRevokedRelogin revokes the source's token behind its back:
// the next lookup gets 403, finds the token dead, logs in and succeeds.
func TestVaultTokenRevokedRelogin(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	f.addAppRole("role-1", "secret-id-1", time.Hour, time.Hour, "secret/")
	vaultTestEnv(t, f, "")
	t.Setenv("VAULT_ROLE_ID", "role-1")
	t.Setenv("VAULT_SECRET_ID", "secret-id-1")
	v := openVault(t, "vault:///secret/app?auth=approle")
	ctx := context.Background()

	_, err := v.Lookup(ctx, secrets.Ref{Key: "k"})
	require.NoError(t, err)
	f.revokeAllTokens()
	val, err := v.Lookup(ctx, secrets.Ref{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "v", string(val.Data))
	logins, _ := f.stats()
	assert.Equal(t, 2, logins)
}

// TestVaultPolicyDenialIsNotRelogin: a path the policy denies is
// permission denied, and does not make the source log in again.
func TestVaultPolicyDenialIsNotRelogin(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	f.put("secret/other", map[string]any{"k": "v"})
	f.addAppRole("role-1", "secret-id-1", time.Hour, time.Hour, "secret/data/app")
	vaultTestEnv(t, f, "")
	t.Setenv("VAULT_ROLE_ID", "role-1")
	t.Setenv("VAULT_SECRET_ID", "secret-id-1")
	v := openVault(t, "vault:///secret/app?auth=approle")

	_, err := v.Lookup(context.Background(), secrets.Ref{Key: "secret/other"})
	require.ErrorIs(t, err, secrets.ErrVaultPermissionDenied)
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
	logins, _ := f.stats()
	assert.Equal(t, 1, logins)
}

func TestVaultTokenAuthRenewal(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	vaultTestEnv(t, f, f.newToken(time.Second, time.Minute, true, "secret/"))
	v := openVault(t, "vault:///secret/app")

	time.Sleep(2500 * time.Millisecond)
	_, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.NoError(t, err, "a renewable VAULT_TOKEN is kept alive")
	_, renewals := f.stats()
	assert.GreaterOrEqual(t, renewals, 2)
}

// TestVaultTokenFileReread: with auth=token and token_file, a token that
// cannot be renewed is replaced by the file's new content (a Vault Agent
// sink rotating it).
func TestVaultTokenFileReread(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	vaultTestEnv(t, f, "")
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte(f.newToken(time.Second, time.Second, false, "*")+"\n"), 0o600))
	v := openVault(t, "vault:///secret/app?token_file="+file)
	_, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(file, []byte(f.newToken(time.Hour, time.Hour, true, "*")), 0o600))
	time.Sleep(1200 * time.Millisecond)
	val, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "v", string(val.Data))
}

func TestVaultKubernetesLogin(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	f.addK8sRole("web", "jwt-of-the-pod", time.Hour, time.Hour, "secret/")
	vaultTestEnv(t, f, "")
	dir := t.TempDir()
	jwt := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(jwt, []byte("jwt-of-the-pod"), 0o600))

	v := openVault(t, "vault:///secret/app?auth=kubernetes&role=web&jwt_file="+jwt)
	val, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "v", string(val.Data))
	assert.Equal(t, 1, f.count("PUT auth/kubernetes/login"))

	require.NoError(t, os.WriteFile(jwt, []byte("another-jwt"), 0o600))
	_, err = secrets.Open(context.Background(), "vault:///secret/app?auth=kubernetes&role=web&jwt_file="+jwt)
	require.ErrorIs(t, err, secrets.ErrVaultPermissionDenied)
	assert.NotContains(t, err.Error(), "another-jwt")

	_, err = secrets.Open(context.Background(), "vault:///secret/app?auth=kubernetes&role=nope&jwt_file="+jwt)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid role name")
}

func TestVaultKubernetesMissingTokenFileIsNotAnOutage(t *testing.T) {
	f := newFakeVault(t)
	f.addK8sRole("web", "jwt-of-the-pod", time.Hour, time.Hour, "secret/")
	vaultTestEnv(t, f, "")
	missing := filepath.Join(t.TempDir(), "no-such-token")
	_, err := secrets.Open(context.Background(), "vault:///secret/app?auth=kubernetes&role=web&jwt_file="+missing)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no-such-token")
	assert.NotErrorIs(t, err, secrets.ErrVaultUnavailable)
	assert.NotErrorIs(t, err, secrets.ErrNotFound)
}

func TestVaultAppRoleCredentials(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	f.addAppRole("role-1", "secret-id-1", time.Hour, time.Hour, "secret/")
	dir := t.TempDir()
	roleFile, sidFile := filepath.Join(dir, "role-id"), filepath.Join(dir, "secret-id")
	require.NoError(t, os.WriteFile(roleFile, []byte("role-1\n"), 0o600))
	require.NoError(t, os.WriteFile(sidFile, []byte("secret-id-1\n"), 0o600))

	t.Run("files", func(t *testing.T) {
		vaultTestEnv(t, f, "")
		v := openVault(t, "vault:///secret/app?auth=approle&role_id_file="+roleFile+"&secret_id_file="+sidFile)
		_, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
		require.NoError(t, err)
	})
	t.Run("env", func(t *testing.T) {
		vaultTestEnv(t, f, "")
		t.Setenv("VAULT_ROLE_ID", "role-1")
		t.Setenv("VAULT_SECRET_ID", "secret-id-1")
		v := openVault(t, "vault:///secret/app?auth=approle")
		_, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
		require.NoError(t, err)
	})
	t.Run("wrong secret ID", func(t *testing.T) {
		vaultTestEnv(t, f, "")
		t.Setenv("VAULT_ROLE_ID", "role-1")
		t.Setenv("VAULT_SECRET_ID", "wrong-secret-id")
		_, err := secrets.Open(context.Background(), "vault:///secret/app?auth=approle")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "invalid role or secret ID")
		assert.NotContains(t, err.Error(), "wrong-secret-id")
		assert.ErrorIs(t, err, secrets.ErrVaultPermissionDenied, "a refused login is a permission problem")
		assert.ErrorIs(t, err, secrets.ErrPermissionDenied)
		assert.NotErrorIs(t, err, secrets.ErrVaultUnavailable)
	})
	t.Run("missing", func(t *testing.T) {
		vaultTestEnv(t, f, "")
		_, err := secrets.Open(context.Background(), "vault:///secret/app?auth=approle")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "VAULT_ROLE_ID")
	})
}

func TestVaultDynamicSecret(t *testing.T) {
	f := newFakeVault(t)
	f.addDBRole("app", time.Minute, 2*time.Minute)
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	ctx := context.Background()

	t.Run("full path", func(t *testing.T) {
		v := openVault(t, "vault:///secret/app?revoke_on_close=true")
		before := time.Now()
		val, err := v.Lookup(ctx, secrets.Ref{Key: "database/creds/app"})
		require.NoError(t, err)
		var creds map[string]string
		require.NoError(t, json.Unmarshal(val.Data, &creds))
		assert.NotEmpty(t, creds["username"])
		assert.NotEmpty(t, creds["password"])
		assert.WithinRange(t, val.Expires, before.Add(time.Minute-time.Second), time.Now().Add(time.Minute+time.Second))

		lease, ok := v.Lease("database/creds/app")
		require.True(t, ok)
		assert.True(t, strings.HasPrefix(lease.ID, "database/creds/app/"))
		assert.True(t, lease.Renewable)
		assert.Equal(t, time.Minute, lease.Duration)
		assert.Equal(t, val.Expires, lease.Expires)

		renewed, err := v.RenewLease(ctx, "database/creds/app", 90*time.Second)
		require.NoError(t, err)
		assert.Equal(t, lease.ID, renewed.ID)
		assert.Equal(t, 90*time.Second, renewed.Duration)
		st, _ := f.leaseState(lease.ID)
		assert.Equal(t, 1, st.renewals)

		_, err = v.RenewLease(ctx, "secret/none", 0)
		assert.ErrorIs(t, err, secrets.ErrNotFound)

		require.NoError(t, v.Close())
		st, _ = f.leaseState(lease.ID)
		assert.True(t, st.revoked, "revoke_on_close revokes the leases the source obtained")
	})

	t.Run("fields of one read", func(t *testing.T) {
		before := f.count("GET database/creds/app")
		v := openVault(t, "vault:///database/creds/app")
		res := v.LookupBatch(ctx, []secrets.Ref{{Key: "username"}, {Key: "password"}})
		require.NoError(t, res[0].Err)
		require.NoError(t, res[1].Err)
		assert.Equal(t, before+1, f.count("GET database/creds/app"), "username and password come from one lease")
		lu, _ := v.Lease("username")
		lp, _ := v.Lease("password")
		assert.Equal(t, lu.ID, lp.ID)
		assert.False(t, res[0].Value.Expires.IsZero())

		require.NoError(t, v.Close())
		st, _ := f.leaseState(lu.ID)
		assert.False(t, st.revoked, "without revoke_on_close, Close leaves leases alone")
	})
}

func TestVaultErrorsToldApart(t *testing.T) {
	sentinels := []error{secrets.ErrNotFound, secrets.ErrVaultPermissionDenied, secrets.ErrVaultSealed, secrets.ErrVaultUnavailable, secrets.ErrThrottled}
	tests := []struct {
		name  string
		key   string
		setup func(f *fakeVault)
		want  error
	}{
		{name: "not found", key: "secret/nothing", want: secrets.ErrNotFound},
		{name: "missing field", key: "nofield", want: secrets.ErrNotFound},
		{name: "permission denied", key: "secret/private", want: secrets.ErrVaultPermissionDenied},
		{name: "no such mount", key: "nomount/x", want: secrets.ErrVaultPermissionDenied},
		{name: "sealed", key: "k", setup: func(f *fakeVault) { f.setSealed(true) }, want: secrets.ErrVaultSealed},
		{name: "server error", key: "k", setup: func(f *fakeVault) { f.setFail5xx(-1) }, want: secrets.ErrVaultUnavailable},
		{name: "bad gateway", key: "k", setup: func(f *fakeVault) { f.setFail(http.StatusBadGateway, -1) }, want: secrets.ErrVaultUnavailable},
		{name: "rate limited", key: "k", setup: func(f *fakeVault) { f.setFail(http.StatusTooManyRequests, -1) }, want: secrets.ErrThrottled},
		{name: "unreachable", key: "k", setup: func(f *fakeVault) { f.srv.Close() }, want: secrets.ErrVaultUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVault(t)
			f.put("secret/app", map[string]any{"k": "v"})
			f.put("secret/private", map[string]any{"k": "v"})
			vaultTestEnv(t, f, f.newToken(0, 0, false, "secret/data/app", "secret/data/nothing"))
			v := openVault(t, "vault:///secret/app")
			_, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
			require.NoError(t, err, "a first lookup caches the mount, so failures hit the read itself")
			if tt.setup != nil {
				tt.setup(f)
			}
			_, err = v.Lookup(context.Background(), secrets.Ref{Key: tt.key})
			require.ErrorIs(t, err, tt.want)
			t.Log(err)
			if tt.want == secrets.ErrVaultPermissionDenied {
				assert.ErrorIs(t, err, secrets.ErrPermissionDenied, "Vault's denial is the shared one too")
			}
			for _, s := range sentinels {
				if s != tt.want {
					assert.NotErrorIs(t, err, s)
				}
			}
		})
	}
}

func TestVaultOpenFailsFast(t *testing.T) {
	f := newFakeVault(t)
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	f.setSealed(true)
	_, err := secrets.Open(context.Background(), "vault:///secret/app")
	assert.ErrorIs(t, err, secrets.ErrVaultSealed)
	f.srv.Close()
	_, err = secrets.Open(context.Background(), "vault:///secret/app")
	assert.ErrorIs(t, err, secrets.ErrVaultUnavailable)
}

// TestVaultMaxRetriesHonoured: VAULT_MAX_RETRIES reaches the client, which
// retries a 5xx answer by itself.
func TestVaultMaxRetriesHonoured(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	t.Setenv("VAULT_MAX_RETRIES", "1")
	v := openVault(t, "vault:///secret/app")
	f.setFail5xx(1)
	val, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "v", string(val.Data))
}

func TestVaultCACertAndNamespace(t *testing.T) {
	f, caFile := newFakeVaultTLS(t)
	f.put("secret/app", map[string]any{"k": "v"})
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))

	_, err := secrets.Open(context.Background(), "vault:///secret/app")
	require.ErrorIs(t, err, secrets.ErrVaultUnavailable, "an unknown CA is refused")

	t.Setenv("VAULT_CACERT", caFile)
	t.Setenv("VAULT_NAMESPACE", "team-a")
	v := openVault(t, "vault:///secret/app")
	val, err := v.Lookup(context.Background(), secrets.Ref{Key: "k"})
	require.NoError(t, err)
	assert.Equal(t, "v", string(val.Data))
	assert.Positive(t, f.sawNamespace("team-a"))
	assert.Equal(t, f.countPrefix(""), f.sawNamespace("team-a"), "VAULT_NAMESPACE is sent with every request, token lookup included")
}

func TestVaultSpec(t *testing.T) {
	f := newFakeVault(t)
	vaultTestEnv(t, f, f.newToken(0, 0, false, "*"))
	for _, spec := range []string{
		"vault://secret/app",
		"vault:///secret/app?auth=ldap",
		"vault:///secret/app?auth=approle&role=web",
		"vault:///secret/app?auth=kubernetes",
		"vault:///secret/app?token_file=/a&token_file=/b",
		"vault:///secret/app?tls=off",
		"vault:///secret/app?revoke_on_close=maybe",
		"vault:///secret/app?address=http://x",
		"vault:///secret/../sys",
	} {
		t.Run(spec, func(t *testing.T) {
			_, err := secrets.Open(context.Background(), spec)
			require.ErrorIs(t, err, secrets.ErrInvalidSpec)
		})
	}

	v := openVault(t, "vault:///secret/app?revoke_on_close=true")
	assert.Equal(t, "vault:///secret/app?revoke_on_close=true", v.String())

	noPath := openVault(t, "vault://")
	_, err := noPath.Lookup(context.Background(), secrets.Ref{Key: "k"})
	assert.ErrorIs(t, err, secrets.ErrNotFound)
}

func TestVaultPlainHTTPRefused(t *testing.T) {
	vaultTestEnv(t, nil, "some-token")
	t.Setenv("VAULT_ADDR", "http://192.0.2.1:8200")
	_, err := secrets.Open(context.Background(), "vault:///secret/app")
	require.ErrorIs(t, err, secrets.ErrInvalidSpec)
	assert.Contains(t, err.Error(), "tls=insecure")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = secrets.Open(ctx, "vault:///secret/app?tls=insecure")
	require.Error(t, err, "the documentation address does not answer")
	assert.NotErrorIs(t, err, secrets.ErrInvalidSpec, "tls=insecure lets plain http:// through")
}

// TestVaultNoSecretsInErrorsOrLogs provokes every kind of failure and a
// re-login, and checks that no token, secret ID or value shows in an error
// or a log line.
func TestVaultNoSecretsInErrorsOrLogs(t *testing.T) {
	var logs bytes.Buffer
	var logMu sync.Mutex
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&vaultLockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })

	const value = "value-that-must-not-leak"
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": value})
	f.put("secret/private", map[string]any{"k": value})
	for i := 1; i <= 3; i++ {
		f.put("secret/versions", map[string]any{"k": value})
	}
	f.deleteVersion("secret/versions", 1)
	f.destroyVersion("secret/versions", 2)
	f.addAppRole("role-1", "secret-id-that-must-not-leak", time.Second, 2*time.Second, "secret/data/app", "secret/data/versions")
	vaultTestEnv(t, f, "")
	t.Setenv("VAULT_ROLE_ID", "role-1")
	t.Setenv("VAULT_SECRET_ID", "secret-id-that-must-not-leak")
	v := openVault(t, "vault:///secret/app?auth=approle")
	ctx := context.Background()

	var errs []error
	lookup := func(key, version string) {
		_, err := v.Lookup(ctx, secrets.Ref{Key: key, Version: version})
		if err != nil {
			errs = append(errs, err)
		}
	}
	lookup("secret/private", "")
	lookup("secret/versions", "1")
	lookup("secret/versions", "2")
	lookup("missing", "")
	_, err := v.RenewLease(ctx, "k", 0)
	errs = append(errs, err)
	time.Sleep(2500 * time.Millisecond) // renewals and a re-login happen
	lookup("k", "")
	f.revokeAllTokens()
	lookup("k", "")
	f.setSealed(true)
	lookup("k", "")
	f.setSealed(false)
	f.setFail5xx(-1)
	lookup("k", "")
	f.setFail5xx(0)
	t.Setenv("VAULT_SECRET_ID", "wrong-secret-id-must-not-leak")
	_, err = secrets.Open(ctx, "vault:///secret/app?auth=approle")
	errs = append(errs, err)
	f.srv.Close()
	lookup("k", "")
	require.NoError(t, v.Close())

	require.GreaterOrEqual(t, len(errs), 8)
	secretsToHide := append(f.issuedTokens(), value, "secret-id-that-must-not-leak", "wrong-secret-id-must-not-leak")
	logMu.Lock()
	logText := logs.String()
	logMu.Unlock()
	for _, s := range secretsToHide {
		for _, err := range errs {
			require.Error(t, err)
			assert.NotContains(t, err.Error(), s)
		}
		assert.NotContains(t, logText, s)
	}
	logins, _ := f.stats()
	assert.GreaterOrEqual(t, logins, 2, "the test covered a re-login")
}

type vaultLockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *vaultLockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestVaultCanceledLogin(t *testing.T) {
	f := newFakeVault(t)
	f.addAppRole("role-1", "secret-id-1", time.Hour, time.Hour, "*")
	vaultTestEnv(t, f, "")
	t.Setenv("VAULT_ROLE_ID", "role-1")
	t.Setenv("VAULT_SECRET_ID", "secret-id-1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := secrets.Open(ctx, "vault:///secret/app?auth=approle")
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), "got %v", err)
}

// TestVaultRevokeOnCloseRevokesLoginToken: with revoke_on_close=true, Close
// revokes the token the source logged in with; a VAULT_TOKEN it was given
// is never revoked.
func TestVaultRevokeOnCloseRevokesLoginToken(t *testing.T) {
	f := newFakeVault(t)
	f.put("secret/app", map[string]any{"k": "v"})
	f.addAppRole("role-1", "secret-id-1", time.Hour, time.Hour, "secret/")
	vaultTestEnv(t, f, "")
	t.Setenv("VAULT_ROLE_ID", "role-1")
	t.Setenv("VAULT_SECRET_ID", "secret-id-1")

	v := openVault(t, "vault:///secret/app?auth=approle&revoke_on_close=true")
	require.NoError(t, v.Close())
	require.NoError(t, v.Close(), "Close is idempotent")
	assert.Equal(t, 1, f.count("PUT auth/token/revoke-self"))

	v = openVault(t, "vault:///secret/app?auth=approle")
	require.NoError(t, v.Close())
	assert.Equal(t, 1, f.count("PUT auth/token/revoke-self"), "without revoke_on_close the token is left alone")

	vaultTestEnv(t, f, f.newToken(time.Hour, time.Hour, true, "*"))
	v = openVault(t, "vault:///secret/app?revoke_on_close=true")
	require.NoError(t, v.Close())
	assert.Equal(t, 1, f.count("PUT auth/token/revoke-self"), "a token the source was given is not its to revoke")
}
