//go:build !secrets_novault

package secrets

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/hashicorp/vault/api/auth/approle"
	"github.com/hashicorp/vault/api/auth/kubernetes"
	"golang.org/x/sync/singleflight"
)

// Parameters of a vault:// spec; see [Vault].
var vaultParams = []string{"auth", "mount", "role", "role_id_file", "secret_id_file", "jwt_file", "token_file", "tls", "revoke_on_close"}

func init() {
	registerScheme("vault", "vault:///MOUNT/PATH", vaultParams, openVaultSpec)
}

// Environment variables read by the AppRole login of a vault:// spec, in
// addition to the client's own VAULT_* variables.
const (
	EnvVaultRoleID   = "VAULT_ROLE_ID"
	EnvVaultSecretID = "VAULT_SECRET_ID"
)

// DefaultKubernetesJWTFile is where Kubernetes mounts a pod's service
// account token; auth=kubernetes reads it unless jwt_file says otherwise.
const DefaultKubernetesJWTFile = "/var/run/secrets/kubernetes.io/serviceaccount/token"

// Vault is a [Source] reading HashiCorp Vault through the official client,
// github.com/hashicorp/vault/api. Open makes one from a spec:
//
//	vault:///MOUNT/PATH[?auth=token|approle|kubernetes&...]
//
// The address, TLS, namespace, timeouts and retries come from the client's
// standard variables (VAULT_ADDR, VAULT_CACERT, VAULT_NAMESPACE,
// VAULT_MAX_RETRIES, VAULT_CLIENT_TIMEOUT, ...); plain http:// to a host
// that is not loopback is refused unless the spec says tls=insecure.
// Credentials never go in the spec:
//
//   - auth=token (default): VAULT_TOKEN, or token_file=PATH (a Vault Agent
//     sink), re-read when the token can no longer be renewed.
//   - auth=approle: role ID from VAULT_ROLE_ID or role_id_file=PATH, secret
//     ID from VAULT_SECRET_ID or secret_id_file=PATH; mount=approle.
//   - auth=kubernetes: role=NAME (required), the service account token from
//     jwt_file=PATH (default [DefaultKubernetesJWTFile]), mount=kubernetes.
//
// Other parameters: tls=insecure, revoke_on_close=true.
//
// A key without '/' is a field of the secret at MOUNT/PATH, which is read
// once for all the keys asked together ([Vault.LookupBatch], and
// concurrent lookups share one read). A key with '/' is a full logical path,
// as the vault CLI takes it ("secret/myapp/db", "database/creds/app"); its
// value is the secret's whole data as a JSON object, from which the
// Loader's #field picks: `secret:"database/creds/app#username"`.
//
// KV version 1 and 2 are told apart per mount the way the vault CLI does it
// (GET sys/internal/ui/mounts/PATH, cached per mount); on KV v2
// "secret/myapp" is read from "secret/data/myapp", and [Ref.Version] reads
// that version; a deleted or destroyed version is not found, with a message
// that says which. Value.Version is the KV v2 version served.
//
// A leased answer (dynamic secrets) sets Value.Expires; [Vault.Lease] and
// [Vault.RenewLease] expose the lease, and Close revokes every lease the
// source obtained when revoke_on_close=true (and the token it logged in
// with).
//
// The auth token is renewed in the background before it expires; when it
// can no longer be renewed, the source logs in again.
//
// Failures wrap [ErrNotFound], [ErrVaultPermissionDenied],
// [ErrVaultSealed], [ErrVaultUnavailable] or [ErrThrottled]; none is
// reported as another, and no error or log line holds a token or a secret
// value.
type Vault struct {
	client *api.Client
	path   string // MOUNT/PATH whose fields keys without '/' name; "" when none
	name   string
	auth   *vaultAuth
	mounts *vaultMounts
	reads  singleflight.Group

	revokeOnClose bool

	mu     sync.Mutex
	leases map[string]VaultLease // by key
	leased map[string]struct{}   // every lease ID obtained, for Close
	closed bool
}

var (
	_ Source    = (*Vault)(nil)
	_ Batcher   = (*Vault)(nil)
	_ io.Closer = (*Vault)(nil)
)

// VaultOptions configures [NewVault].
type VaultOptions struct {
	// Client talks to Vault. Nil means api.NewClient(api.DefaultConfig()),
	// which reads the standard VAULT_* variables, VAULT_TOKEN included.
	// The source sets the client's token as it logs in and renews: give it
	// a client of its own.
	Client *api.Client

	// Path is MOUNT/PATH, the secret whose fields keys without '/' name,
	// e.g. "secret/myapp". Empty means such keys are not found.
	Path string

	// Auth logs in, e.g. an *approle.AppRoleAuth; the source logs in again
	// with it when its token can no longer be renewed. Nil means the token
	// the client holds (or TokenFile) is used as it is, and renewed while
	// Vault allows.
	Auth api.AuthMethod

	// TokenFile, with a nil Auth, is a file holding the token (a Vault
	// Agent sink), read at start and whenever the token can no longer be
	// renewed.
	TokenFile string

	// AllowInsecureHTTP allows plain http:// to a host that is not
	// loopback. Leave it false outside tests: the token and every secret
	// would cross the network unencrypted.
	AllowInsecureHTTP bool

	// RevokeOnClose makes Close revoke every lease the source obtained,
	// and the token it logged in with.
	RevokeOnClose bool

	// Logger receives renewal and login events, never tokens or values.
	// Nil means slog.Default().
	Logger *slog.Logger

	// Name is what String returns; empty means "vault:///" + Path.
	Name string
}

// NewVault returns a [Vault] source and obtains its first token (logging
// in when opts.Auth is set), so that bad credentials fail here rather than
// at the first lookup. Close it when done.
func NewVault(ctx context.Context, opts VaultOptions) (*Vault, error) {
	client := opts.Client
	if client == nil {
		cfg := api.DefaultConfig()
		if cfg.Error != nil {
			return nil, fmt.Errorf("vault: client configuration: %w", cfg.Error)
		}
		var err error
		if client, err = api.NewClient(cfg); err != nil {
			return nil, fmt.Errorf("vault: client: %w", err)
		}
	}
	if err := checkVaultTransport(client.Address(), opts.AllowInsecureHTTP); err != nil {
		return nil, err
	}
	path := strings.Trim(opts.Path, "/")
	if path != "" {
		if err := checkVaultPath(path); err != nil {
			return nil, fmt.Errorf("vault: %w: path %w", ErrInvalidSpec, err)
		}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	name := opts.Name
	if name == "" {
		name = "vault:///" + path
	}
	var login vaultLogin
	if opts.Auth != nil {
		login = opts.Auth.Login
	}
	v := &Vault{
		client:        client,
		path:          path,
		name:          name,
		auth:          newVaultAuth(client, login, opts.TokenFile, logger),
		mounts:        &vaultMounts{client: client},
		revokeOnClose: opts.RevokeOnClose,
		leases:        map[string]VaultLease{},
		leased:        map[string]struct{}{},
	}
	if err := v.auth.start(ctx); err != nil {
		_ = v.auth.close(ctx, false)
		return nil, err
	}
	return v, nil
}

// checkVaultTransport refuses plain http:// to a host that is not loopback.
func checkVaultTransport(addr string, allowInsecure bool) error {
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("vault: %w: VAULT_ADDR is not a URL", ErrInvalidSpec)
	}
	if !strings.EqualFold(u.Scheme, "http") || allowInsecure {
		return nil
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("vault: %w: refusing plain http:// to %s: the token and every secret would cross the network unencrypted; use https:// or add tls=insecure to the spec", ErrInvalidSpec, u.Host)
}

// checkVaultPath refuses empty, "." and ".." segments.
func checkVaultPath(p string) error {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%q has an empty, \".\" or \"..\" segment", p)
		}
	}
	return nil
}

// openVaultSpec opens a vault:// spec.
func openVaultSpec(ctx context.Context, u *url.URL) (Source, error) {
	if u.Host != "" {
		return nil, fmt.Errorf("secrets: %w: vault:// takes no host (the address comes from VAULT_ADDR); write vault:///MOUNT/PATH", ErrInvalidSpec)
	}
	q := u.Query()
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, fmt.Errorf("secrets: %w: vault parameter %q given %d times", ErrInvalidSpec, k, len(vs))
		}
	}
	opts := VaultOptions{Path: strings.Trim(u.Path, "/")}
	switch q.Get("tls") {
	case "":
	case "insecure":
		opts.AllowInsecureHTTP = true
	default:
		return nil, fmt.Errorf("secrets: %w: vault tls=%q; accepted: tls=insecure", ErrInvalidSpec, q.Get("tls"))
	}
	if s := q.Get("revoke_on_close"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("secrets: %w: vault revoke_on_close=%q is not a boolean", ErrInvalidSpec, s)
		}
		opts.RevokeOnClose = b
	}
	auth := q.Get("auth")
	if auth == "" {
		auth = "token"
	}
	allowed := map[string][]string{
		"token":      {"token_file"},
		"approle":    {"mount", "role_id_file", "secret_id_file"},
		"kubernetes": {"mount", "role", "jwt_file"},
	}
	own, ok := allowed[auth]
	if !ok {
		return nil, fmt.Errorf("secrets: %w: vault auth=%q; accepted: token, approle, kubernetes", ErrInvalidSpec, auth)
	}
	for k := range q {
		switch k {
		case "auth", "tls", "revoke_on_close":
			continue
		}
		if !slices.Contains(own, k) {
			return nil, fmt.Errorf("secrets: %w: vault parameter %q does not apply to auth=%s; it takes %s", ErrInvalidSpec, k, auth, strings.Join(own, ", "))
		}
	}
	switch auth {
	case "token":
		opts.TokenFile = q.Get("token_file")
	case "approle":
		a, err := vaultAppRole(q)
		if err != nil {
			return nil, err
		}
		opts.Auth = a
	case "kubernetes":
		role := q.Get("role")
		if role == "" {
			return nil, fmt.Errorf("secrets: %w: vault auth=kubernetes needs role=NAME", ErrInvalidSpec)
		}
		opts.Auth = &vaultKubernetes{role: role, jwtFile: cmp.Or(q.Get("jwt_file"), DefaultKubernetesJWTFile), mount: cmp.Or(q.Get("mount"), "kubernetes")}
	}
	opts.Name = (&url.URL{Scheme: "vault", Path: "/" + opts.Path, RawQuery: q.Encode()}).String()
	return NewVault(ctx, opts)
}

// vaultAppRole builds the AppRole login of a spec.
func vaultAppRole(q url.Values) (api.AuthMethod, error) {
	roleID := os.Getenv(EnvVaultRoleID)
	if f := q.Get("role_id_file"); f != "" {
		data, err := readSecretFile(f)
		if err != nil {
			return nil, fmt.Errorf("vault: role_id_file: %w", err)
		}
		roleID = strings.TrimSpace(string(data))
	}
	if roleID == "" {
		return nil, fmt.Errorf("vault: auth=approle needs a role ID: set %s or role_id_file", EnvVaultRoleID)
	}
	var sid approle.SecretID
	switch {
	case q.Get("secret_id_file") != "":
		sid.FromFile = q.Get("secret_id_file")
	case os.Getenv(EnvVaultSecretID) != "":
		sid.FromEnv = EnvVaultSecretID
	default:
		return nil, fmt.Errorf("vault: auth=approle needs a secret ID: set %s or secret_id_file", EnvVaultSecretID)
	}
	a, err := approle.NewAppRoleAuth(roleID, &sid, approle.WithMountPath(cmp.Or(q.Get("mount"), "approle")))
	if err != nil {
		return nil, fmt.Errorf("vault: approle: %w", err)
	}
	return a, nil
}

// vaultKubernetes logs in with the Kubernetes auth method, reading the
// service account token at each login: projected tokens rotate.
type vaultKubernetes struct {
	role, jwtFile, mount string
}

// Login implements api.AuthMethod.
func (k *vaultKubernetes) Login(ctx context.Context, c *api.Client) (*api.Secret, error) {
	a, err := kubernetes.NewKubernetesAuth(k.role, kubernetes.WithServiceAccountTokenPath(k.jwtFile), kubernetes.WithMountPath(k.mount))
	if err != nil {
		return nil, fmt.Errorf("kubernetes auth: %w", err)
	}
	return a.Login(ctx, c)
}

// vaultRead is one read secret.
type vaultRead struct {
	data    map[string]any
	version string     // KV v2 version served
	lease   VaultLease // ID "" when the answer holds no lease
}

// Lookup reads one key; see [Vault] for how keys map to paths.
func (v *Vault) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, err
	}
	p, field, err := v.locate(ref.Key)
	if err != nil {
		return Value{}, err
	}
	r, err := v.readShared(ctx, p, ref.Version)
	if err != nil {
		return Value{}, err
	}
	return v.value(r, ref.Key, p, field)
}

// LookupBatch reads each distinct path (and version) once for all the refs
// that name it, so N fields of MOUNT/PATH cost one read.
func (v *Vault) LookupBatch(ctx context.Context, refs []Ref) []Result {
	type group struct {
		path, version string
		r             vaultRead
		err           error
	}
	res := make([]Result, len(refs))
	groups := map[[2]string]*group{}
	where := make([]*group, len(refs))
	fields := make([]string, len(refs))
	for i, ref := range refs {
		p, field, err := v.locate(ref.Key)
		if err != nil {
			res[i].Err = err
			continue
		}
		k := [2]string{p, ref.Version}
		g, ok := groups[k]
		if !ok {
			g = &group{path: p, version: ref.Version}
			groups[k] = g
		}
		where[i], fields[i] = g, field
	}
	if err := ctx.Err(); err != nil {
		for i := range res {
			res[i].Err = err
		}
		return res
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Go(func() { g.r, g.err = v.readShared(ctx, g.path, g.version) })
	}
	wg.Wait()
	for i, g := range where {
		if g == nil {
			continue
		}
		if g.err != nil {
			res[i].Err = g.err
			continue
		}
		res[i].Value, res[i].Err = v.value(g.r, refs[i].Key, g.path, fields[i])
	}
	return res
}

// locate maps a key to the path to read and the field to take ("" for the
// whole secret).
func (v *Vault) locate(key string) (path, field string, err error) {
	if strings.Contains(key, "/") {
		p := strings.Trim(key, "/")
		if err := checkVaultPath(p); err != nil {
			return "", "", fmt.Errorf("vault: key %q: %w", key, err)
		}
		return p, "", nil
	}
	if key == "" {
		return "", "", errors.New("vault: empty key")
	}
	if v.path == "" {
		return "", "", fmt.Errorf("vault: key %q names a field, but the spec names no secret (vault:///MOUNT/PATH): %w", key, ErrNotFound)
	}
	return v.path, key, nil
}

// value makes the Value of key out of a read secret.
func (v *Vault) value(r vaultRead, key, path, field string) (Value, error) {
	val := Value{Version: r.version}
	if r.lease.ID != "" {
		val.Expires = r.lease.Expires
		v.recordLease(r.lease, key)
	}
	if field == "" {
		data, err := json.Marshal(r.data)
		if err != nil {
			return Value{}, fmt.Errorf("vault: key %q: cannot encode the secret as JSON: %w", key, err)
		}
		val.Data = data
		return val, nil
	}
	x, ok := r.data[field]
	if !ok || x == nil {
		return Value{}, fmt.Errorf("vault: secret %q has no field %q: %w", path, field, ErrNotFound)
	}
	if s, ok := x.(string); ok {
		val.Data = []byte(s)
		return val, nil
	}
	data, err := json.Marshal(x)
	if err != nil {
		return Value{}, fmt.Errorf("vault: secret %q field %q: cannot encode as JSON: %w", path, field, err)
	}
	val.Data = data
	return val, nil
}

// readShared reads path once for every concurrent caller.
func (v *Vault) readShared(ctx context.Context, path, version string) (vaultRead, error) {
	ch := v.reads.DoChan(path+"\x00"+version, func() (any, error) {
		return v.read(context.WithoutCancel(ctx), path, version)
	})
	select {
	case <-ctx.Done():
		return vaultRead{}, fmt.Errorf("vault: read %q: %w", path, ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return vaultRead{}, r.Err
		}
		return r.Val.(vaultRead), nil
	}
}

// withToken runs call with a live token: it logs in first when the token is
// about to expire, and once more when call is refused because the token
// died in between.
func (v *Vault) withToken(ctx context.Context, call func(ctx context.Context) error) error {
	gen, err := v.auth.current(ctx)
	if err != nil {
		return err
	}
	err = call(ctx)
	if !errors.Is(err, ErrVaultPermissionDenied) || !v.auth.canRenew() {
		return err
	}
	if v.auth.generation() == gen && !v.auth.dead(ctx) {
		return err // the token is fine: the policy denies the path
	}
	if rerr := v.auth.refresh(ctx, gen); rerr != nil {
		return rerr
	}
	return call(ctx)
}

// read reads the secret at the logical path p.
func (v *Vault) read(ctx context.Context, p, version string) (vaultRead, error) {
	var r vaultRead
	err := v.withToken(ctx, func(ctx context.Context) error {
		var err error
		r, err = v.readOnce(ctx, p, version)
		return err
	})
	return r, err
}

func (v *Vault) readOnce(ctx context.Context, p, version string) (vaultRead, error) {
	m, err := v.mounts.lookup(ctx, p)
	if err != nil {
		return vaultRead{}, err
	}
	if version != "" {
		if !m.kv2() {
			return vaultRead{}, fmt.Errorf("vault: %q: version %q asked, but mount %q (%s) keeps no versions; only KV version 2 does", p, version, m.path, cmp.Or(m.engine, "kv v1"))
		}
		if n, err := strconv.ParseUint(version, 10, 63); err != nil || n == 0 {
			return vaultRead{}, fmt.Errorf("vault: %q: version %q is not a KV v2 version number (1, 2, ...)", p, version)
		}
	}
	apiPath := m.dataPath(p)
	if m.kv2() && strings.TrimSuffix(m.path, "/") == p {
		return vaultRead{}, fmt.Errorf("vault: %q is a KV v2 mount, not a secret in it", p)
	}
	var query map[string][]string
	if version != "" {
		query = map[string][]string{"version": {version}}
	}
	op := "read " + strconv.Quote(apiPath)
	sec, err := v.client.Logical().ReadWithDataWithContext(ctx, apiPath, query)
	if err != nil {
		return vaultRead{}, vaultError(ctx, op, err, v.client.Token())
	}
	what := strconv.Quote(p)
	if version != "" {
		what = "version " + version + " of " + what
	}
	if sec == nil || sec.Data == nil {
		// A 404 may carry warnings only; a 200 without data holds nothing
		// to load either.
		return vaultRead{}, fmt.Errorf("vault: no secret at %s: %w", what, ErrNotFound)
	}
	if !m.kv2() {
		r := vaultRead{data: sec.Data}
		if sec.LeaseID != "" {
			r.lease = newVaultLease(sec, time.Now())
		}
		return r, nil
	}
	md, _ := sec.Data["metadata"].(map[string]any)
	r := vaultRead{}
	if md != nil && md["version"] != nil {
		r.version = fmt.Sprint(md["version"])
		if version == "" {
			what = "version " + r.version + " of " + what
		}
	}
	data, _ := sec.Data["data"].(map[string]any)
	if data == nil {
		if md != nil {
			if t, _ := md["deletion_time"].(string); t != "" {
				return vaultRead{}, fmt.Errorf("vault: %s was deleted at %s: %w", what, t, ErrNotFound)
			}
			if d, _ := md["destroyed"].(bool); d {
				return vaultRead{}, fmt.Errorf("vault: %s was destroyed: %w", what, ErrNotFound)
			}
		}
		return vaultRead{}, fmt.Errorf("vault: no data at %s: %w", what, ErrNotFound)
	}
	r.data = data
	return r, nil
}

// String names the source as its spec would, without credentials.
func (v *Vault) String() string { return v.name }

// Close stops token renewal and, when RevokeOnClose is set, revokes every
// lease the source obtained and the token it logged in with. It is safe to
// call more than once.
func (v *Vault) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	v.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var errs []error
	if v.revokeOnClose {
		errs = append(errs, v.revokeLeases(ctx))
	}
	errs = append(errs, v.auth.close(ctx, v.revokeOnClose))
	return errors.Join(errs...)
}
