//go:build !secrets_novault

package secrets_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeVault is an in-process fake of the parts of Vault's HTTP API the
// Vault source uses, written from Vault's API reference: the mount
// preflight (sys/internal/ui/mounts), KV v1 and v2 (data/ and metadata/,
// deleted and destroyed versions), AppRole and Kubernetes login, token
// lookup-self, renew-self and revoke-self with TTL and max TTL enforced
// (an expired token gets 403 "permission denied"), lease renew and revoke,
// a database-style dynamic creds endpoint, and sealed and 5xx answers.
// Error bodies are Vault's {"errors":[...]}.
type fakeVault struct {
	srv *httptest.Server

	readDelay time.Duration // slows KV reads, to overlap concurrent lookups

	mu          sync.Mutex
	sealed      bool
	fail5xx     int // next requests answered failCode (500 if 0); -1 means all
	failCode    int
	noPreflight bool
	tokens      map[string]*fakeVaultToken
	mounts      map[string]*fakeVaultMount // by path with trailing '/'
	appRoles    map[string]*fakeVaultLoginRole
	k8sRoles    map[string]*fakeVaultLoginRole
	dbRoles     map[string]fakeVaultDBRole
	leases      map[string]*fakeVaultLease
	counts      map[string]int // "METHOD path" -> requests
	namespaces  map[string]int // X-Vault-Namespace header values seen
	logins      int
	renewals    int
	issued      []string // every token issued, to check none leaks
}

type fakeVaultToken struct {
	allow      []string // path prefixes the policy grants; "*" is everything
	ttl        time.Duration
	expires    time.Time // zero: never (root)
	maxExpires time.Time
	renewable  bool
	created    time.Time
}

type fakeVaultMount struct {
	typ     string // "kv", "database"
	version int    // KV version
	v1      map[string]map[string]any
	v2      map[string][]*fakeVaultKVVersion
}

type fakeVaultKVVersion struct {
	data      map[string]any
	created   time.Time
	deleted   time.Time
	destroyed bool
}

type fakeVaultLoginRole struct {
	secret    string // AppRole secret ID, or the Kubernetes JWT
	ttl, max  time.Duration
	renewable bool
	allow     []string
}

type fakeVaultDBRole struct{ ttl, max time.Duration }

type fakeVaultLease struct {
	expires    time.Time
	maxExpires time.Time
	ttl        time.Duration
	renewals   int
	revoked    bool
}

func newFakeVault(t *testing.T) *fakeVault {
	t.Helper()
	f := newFakeVaultState()
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// newFakeVaultTLS serves the fake over HTTPS with a self-signed
// certificate; the PEM file of that certificate is returned for
// VAULT_CACERT.
func newFakeVaultTLS(t *testing.T) (*fakeVault, string) {
	t.Helper()
	f := newFakeVaultState()
	f.srv = httptest.NewTLSServer(f)
	t.Cleanup(f.srv.Close)
	pemFile := filepath.Join(t.TempDir(), "ca.pem")
	block := &pem.Block{Type: "CERTIFICATE", Bytes: f.srv.Certificate().Raw}
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return f, pemFile
}

func newFakeVaultState() *fakeVault {
	f := &fakeVault{
		tokens: map[string]*fakeVaultToken{},
		mounts: map[string]*fakeVaultMount{
			"secret/":   {typ: "kv", version: 2, v2: map[string][]*fakeVaultKVVersion{}},
			"kv1/":      {typ: "kv", version: 1, v1: map[string]map[string]any{}},
			"database/": {typ: "database"},
		},
		appRoles:   map[string]*fakeVaultLoginRole{},
		k8sRoles:   map[string]*fakeVaultLoginRole{},
		dbRoles:    map[string]fakeVaultDBRole{},
		leases:     map[string]*fakeVaultLease{},
		counts:     map[string]int{},
		namespaces: map[string]int{},
	}
	return f
}

func vaultFakeID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// addr is the fake's address, for VAULT_ADDR.
func (f *fakeVault) addr() string { return f.srv.URL }

// newToken makes a token. ttl 0 makes a token that never expires, like
// root. allow lists the path prefixes its policy grants ("*": all).
func (f *fakeVault) newToken(ttl, max time.Duration, renewable bool, allow ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issue(ttl, max, renewable, allow)
}

func (f *fakeVault) issue(ttl, max time.Duration, renewable bool, allow []string) string {
	tok := vaultFakeID("hvs.")
	now := time.Now()
	ft := &fakeVaultToken{allow: allow, ttl: ttl, renewable: renewable, created: now}
	if ttl > 0 {
		ft.expires = now.Add(ttl)
		ft.maxExpires = now.Add(max)
	}
	f.tokens[tok] = ft
	f.issued = append(f.issued, tok)
	return tok
}

// mountOf finds the mount p lives in.
func (f *fakeVault) mountOf(p string) (string, *fakeVaultMount) {
	best := ""
	for m := range f.mounts {
		if strings.HasPrefix(p+"/", m) && len(m) > len(best) {
			best = m
		}
	}
	if best == "" {
		return "", nil
	}
	return best, f.mounts[best]
}

// put writes data at the logical path p (e.g. "secret/myapp"), as `vault
// kv put` would, and returns the KV v2 version written (0 on KV v1).
func (f *fakeVault) put(p string, data map[string]any) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	mp, m := f.mountOf(p)
	rest := strings.TrimPrefix(p, mp)
	if m.version == 1 {
		m.v1[rest] = data
		return 0
	}
	m.v2[rest] = append(m.v2[rest], &fakeVaultKVVersion{data: data, created: time.Now()})
	return len(m.v2[rest])
}

// deleteVersion soft-deletes version v of the KV v2 secret at p.
func (f *fakeVault) deleteVersion(p string, v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mp, m := f.mountOf(p)
	m.v2[strings.TrimPrefix(p, mp)][v-1].deleted = time.Now()
}

// destroyVersion destroys version v of the KV v2 secret at p.
func (f *fakeVault) destroyVersion(p string, v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mp, m := f.mountOf(p)
	ver := m.v2[strings.TrimPrefix(p, mp)][v-1]
	ver.destroyed, ver.data = true, nil
}

func (f *fakeVault) addAppRole(roleID, secretID string, ttl, max time.Duration, allow ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.appRoles[roleID] = &fakeVaultLoginRole{secret: secretID, ttl: ttl, max: max, renewable: true, allow: allow}
}

func (f *fakeVault) addK8sRole(role, jwt string, ttl, max time.Duration, allow ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.k8sRoles[role] = &fakeVaultLoginRole{secret: jwt, ttl: ttl, max: max, renewable: true, allow: allow}
}

func (f *fakeVault) addDBRole(role string, ttl, max time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dbRoles[role] = fakeVaultDBRole{ttl: ttl, max: max}
}

func (f *fakeVault) setSealed(b bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sealed = b
}

func (f *fakeVault) setFail5xx(n int) { f.setFail(http.StatusInternalServerError, n) }

// setFail answers the next n requests (all when n is -1) with code.
func (f *fakeVault) setFail(code, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail5xx, f.failCode = n, code
}

// revokeAllTokens revokes every token, as `vault token revoke` would.
func (f *fakeVault) revokeAllTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.tokens)
}

func (f *fakeVault) countPrefix(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, c := range f.counts {
		if strings.HasPrefix(k, prefix) {
			n += c
		}
	}
	return n
}

func (f *fakeVault) issuedTokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.issued...)
}

func (f *fakeVault) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[key]
}

func (f *fakeVault) stats() (logins, renewals int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins, f.renewals
}

func (f *fakeVault) leaseState(id string) (fakeVaultLease, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.leases[id]
	if !ok {
		return fakeVaultLease{}, false
	}
	return *l, true
}

func (f *fakeVault) sawNamespace(ns string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.namespaces[ns]
}

// vaultEnvelope is the JSON body of every successful Vault answer.
func vaultEnvelope(data any) map[string]any {
	return map[string]any{
		"request_id":     vaultFakeID(""),
		"lease_id":       "",
		"renewable":      false,
		"lease_duration": 0,
		"data":           data,
		"wrap_info":      nil,
		"warnings":       nil,
		"auth":           nil,
	}
}

func vaultWriteJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

func vaultWriteErrors(w http.ResponseWriter, code int, errs ...string) {
	if errs == nil {
		errs = []string{}
	}
	vaultWriteJSON(w, code, map[string]any{"errors": errs})
}

const vaultPermissionDenied = "1 error occurred:\n\t* permission denied\n\n"

func vaultSecs(d time.Duration) int { return int(d / time.Second) }

func (f *fakeVault) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.readDelay > 0 && r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/v1/sys/") && !strings.HasPrefix(r.URL.Path, "/v1/auth/") {
		time.Sleep(f.readDelay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := strings.TrimPrefix(r.URL.Path, "/v1/")
	f.counts[r.Method+" "+p]++
	if ns := r.Header.Get("X-Vault-Namespace"); ns != "" {
		f.namespaces[ns]++
	}
	if f.fail5xx != 0 {
		if f.fail5xx > 0 {
			f.fail5xx--
		}
		switch f.failCode {
		case 0, http.StatusInternalServerError:
			vaultWriteErrors(w, http.StatusInternalServerError, "internal error")
		case http.StatusTooManyRequests:
			vaultWriteErrors(w, http.StatusTooManyRequests, fmt.Sprintf("request path %q: rate limit quota exceeded", p))
		default:
			vaultWriteErrors(w, f.failCode, http.StatusText(f.failCode))
		}
		return
	}
	if f.sealed {
		vaultWriteErrors(w, http.StatusServiceUnavailable, "Vault is sealed")
		return
	}
	var body map[string]any
	if r.Method == http.MethodPut || r.Method == http.MethodPost {
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&body); err != nil && err.Error() != "EOF" {
			vaultWriteErrors(w, http.StatusBadRequest, "failed to parse JSON input: "+err.Error())
			return
		}
	}
	write := r.Method == http.MethodPut || r.Method == http.MethodPost

	// Unauthenticated: logins.
	switch {
	case p == "auth/approle/login" && write:
		role, ok := f.appRoles[vaultStr(body["role_id"])]
		if !ok || role.secret != vaultStr(body["secret_id"]) {
			vaultWriteErrors(w, http.StatusBadRequest, "invalid role or secret ID")
			return
		}
		f.login(w, role)
		return
	case p == "auth/kubernetes/login" && write:
		name := vaultStr(body["role"])
		role, ok := f.k8sRoles[name]
		if !ok {
			vaultWriteErrors(w, http.StatusBadRequest, fmt.Sprintf("invalid role name %q", name))
			return
		}
		if role.secret != vaultStr(body["jwt"]) {
			vaultWriteErrors(w, http.StatusForbidden, vaultPermissionDenied)
			return
		}
		f.login(w, role)
		return
	}

	token := r.Header.Get("X-Vault-Token")
	tok, ok := f.tokens[token]
	if ok && !tok.expires.IsZero() && time.Now().After(tok.expires) {
		delete(f.tokens, token)
		ok = false
	}
	if !ok {
		vaultWriteErrors(w, http.StatusForbidden, vaultPermissionDenied)
		return
	}

	switch {
	case p == "auth/token/lookup-self" && r.Method == http.MethodGet:
		ttl := 0
		expire := any(nil)
		if !tok.expires.IsZero() {
			ttl = vaultSecs(time.Until(tok.expires))
			expire = tok.expires.UTC().Format(time.RFC3339Nano)
		}
		vaultWriteJSON(w, http.StatusOK, vaultEnvelope(map[string]any{
			"accessor": "acc-" + token[len(token)-6:], "creation_time": tok.created.Unix(),
			"creation_ttl": vaultSecs(tok.ttl), "display_name": "token", "expire_time": expire,
			"explicit_max_ttl": 0, "id": token, "num_uses": 0, "orphan": true, "path": "auth/token/create",
			"policies": []string{"default"}, "renewable": tok.renewable, "ttl": ttl, "type": "service",
		}))
	case p == "auth/token/renew-self" && write:
		if !tok.renewable || tok.expires.IsZero() {
			vaultWriteErrors(w, http.StatusBadRequest, "lease is not renewable")
			return
		}
		f.renewals++
		inc := tok.ttl
		if n, err := strconv.Atoi(vaultStr(body["increment"])); err == nil && n > 0 {
			inc = time.Duration(n) * time.Second
		}
		now := time.Now()
		var warnings []string
		if now.Add(inc).After(tok.maxExpires) {
			inc = tok.maxExpires.Sub(now)
			warnings = append(warnings, "TTL of the renewed token exceeded the effective max_ttl; TTL value is capped accordingly")
		}
		tok.expires = now.Add(inc)
		env := vaultEnvelope(nil)
		env["warnings"] = warnings
		env["auth"] = map[string]any{
			"client_token": token, "accessor": "acc-" + token[len(token)-6:], "policies": []string{"default"},
			"token_policies": []string{"default"}, "metadata": nil, "lease_duration": vaultSecs(inc),
			"renewable": true, "entity_id": "", "token_type": "service", "orphan": true,
		}
		vaultWriteJSON(w, http.StatusOK, env)
	case p == "auth/token/revoke-self" && write:
		delete(f.tokens, token)
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(p, "sys/internal/ui/mounts/") && r.Method == http.MethodGet:
		f.preflight(w, strings.TrimPrefix(p, "sys/internal/ui/mounts/"))
	case p == "sys/leases/renew" && write:
		f.renewLease(w, tok, body)
	case p == "sys/leases/revoke" && write:
		id := vaultStr(body["lease_id"])
		if !vaultAllowed(tok, id) {
			vaultWriteErrors(w, http.StatusForbidden, vaultPermissionDenied)
			return
		}
		if l, ok := f.leases[id]; ok {
			l.revoked = true
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		f.logical(w, r, tok, p)
	}
}

func vaultStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

func vaultAllowed(tok *fakeVaultToken, p string) bool {
	for _, a := range tok.allow {
		if a == "*" || strings.HasPrefix(p, a) {
			return true
		}
	}
	return false
}

func (f *fakeVault) login(w http.ResponseWriter, role *fakeVaultLoginRole) {
	f.logins++
	token := f.issue(role.ttl, role.max, role.renewable, role.allow)
	env := vaultEnvelope(nil)
	env["auth"] = map[string]any{
		"client_token": token, "accessor": "acc-" + token[len(token)-6:], "policies": []string{"default", "app"},
		"token_policies": []string{"default", "app"}, "metadata": map[string]any{"role_name": "app"},
		"lease_duration": vaultSecs(role.ttl), "renewable": role.renewable, "entity_id": vaultFakeID(""),
		"token_type": "service", "orphan": true,
	}
	vaultWriteJSON(w, http.StatusOK, env)
}

func (f *fakeVault) preflight(w http.ResponseWriter, p string) {
	if f.noPreflight {
		vaultWriteErrors(w, http.StatusNotFound)
		return
	}
	mp, m := f.mountOf(strings.Trim(p, "/"))
	if m == nil {
		vaultWriteErrors(w, http.StatusForbidden, fmt.Sprintf("preflight capability check returned 403, please ensure client's policies grant access to path %q", strings.TrimSuffix(p, "/")+"/"))
		return
	}
	var options any
	if m.typ == "kv" {
		options = map[string]any{"version": strconv.Itoa(m.version)}
	}
	vaultWriteJSON(w, http.StatusOK, vaultEnvelope(map[string]any{
		"accessor": m.typ + "_" + fmt.Sprintf("%08x", len(mp)), "config": map[string]any{"default_lease_ttl": 0, "force_no_cache": false, "max_lease_ttl": 0},
		"description": "", "external_entropy_access": false, "local": false, "options": options,
		"path": mp, "plugin_version": "", "running_plugin_version": "v0.0.0+builtin", "seal_wrap": false,
		"type": m.typ, "uuid": vaultFakeID(""),
	}))
}

func (f *fakeVault) renewLease(w http.ResponseWriter, tok *fakeVaultToken, body map[string]any) {
	id := vaultStr(body["lease_id"])
	if !vaultAllowed(tok, id) {
		vaultWriteErrors(w, http.StatusForbidden, vaultPermissionDenied)
		return
	}
	l, ok := f.leases[id]
	now := time.Now()
	if !ok || l.revoked || now.After(l.expires) {
		vaultWriteErrors(w, http.StatusBadRequest, "lease not found or lease is not renewable")
		return
	}
	inc := l.ttl
	if n, err := strconv.Atoi(vaultStr(body["increment"])); err == nil && n > 0 {
		inc = time.Duration(n) * time.Second
	}
	if now.Add(inc).After(l.maxExpires) {
		inc = l.maxExpires.Sub(now)
	}
	l.expires = now.Add(inc)
	l.renewals++
	vaultWriteJSON(w, http.StatusOK, map[string]any{
		"request_id": vaultFakeID(""), "lease_id": id, "renewable": true, "lease_duration": vaultSecs(inc),
		"data": nil, "wrap_info": nil, "warnings": nil, "auth": nil,
	})
}

// logical serves the secrets engines.
func (f *fakeVault) logical(w http.ResponseWriter, r *http.Request, tok *fakeVaultToken, p string) {
	mp, m := f.mountOf(p)
	if m == nil {
		vaultWriteErrors(w, http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", p))
		return
	}
	if !vaultAllowed(tok, p) {
		vaultWriteErrors(w, http.StatusForbidden, vaultPermissionDenied)
		return
	}
	if r.Method != http.MethodGet {
		vaultWriteErrors(w, http.StatusMethodNotAllowed, "unsupported operation")
		return
	}
	rest := strings.TrimPrefix(p, mp)
	switch {
	case m.typ == "database":
		role, ok := strings.CutPrefix(rest, "creds/")
		dr, known := f.dbRoles[role]
		if !ok || !known {
			vaultWriteErrors(w, http.StatusBadRequest, "unknown role: "+role)
			return
		}
		id := p + "/" + vaultFakeID("")
		now := time.Now()
		f.leases[id] = &fakeVaultLease{expires: now.Add(dr.ttl), maxExpires: now.Add(dr.max), ttl: dr.ttl}
		env := vaultEnvelope(map[string]any{"username": "v-app-" + vaultFakeID("")[:8], "password": vaultFakeID("pw-")})
		env["lease_id"], env["renewable"], env["lease_duration"] = id, true, vaultSecs(dr.ttl)
		vaultWriteJSON(w, http.StatusOK, env)
	case m.version == 1:
		data, ok := m.v1[rest]
		if !ok {
			vaultWriteErrors(w, http.StatusNotFound)
			return
		}
		env := vaultEnvelope(data)
		env["lease_duration"] = 2764800 // KV v1's refresh interval: not a lease
		vaultWriteJSON(w, http.StatusOK, env)
	default:
		f.kv2(w, r, m, rest)
	}
}

func (f *fakeVault) kv2(w http.ResponseWriter, r *http.Request, m *fakeVaultMount, rest string) {
	if name, ok := strings.CutPrefix(rest, "metadata/"); ok {
		vers, ok := m.v2[name]
		if !ok {
			vaultWriteErrors(w, http.StatusNotFound)
			return
		}
		vs := map[string]any{}
		for i, v := range vers {
			vs[strconv.Itoa(i+1)] = map[string]any{"created_time": v.created.UTC().Format(time.RFC3339Nano), "deletion_time": vaultDelTime(v), "destroyed": v.destroyed}
		}
		vaultWriteJSON(w, http.StatusOK, vaultEnvelope(map[string]any{
			"cas_required": false, "created_time": vers[0].created.UTC().Format(time.RFC3339Nano),
			"current_version": len(vers), "custom_metadata": nil, "delete_version_after": "0s",
			"max_versions": 0, "oldest_version": 0, "updated_time": vers[len(vers)-1].created.UTC().Format(time.RFC3339Nano),
			"versions": vs,
		}))
		return
	}
	name, ok := strings.CutPrefix(rest, "data/")
	if !ok {
		vaultWriteErrors(w, http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", rest))
		return
	}
	vers, ok := m.v2[name]
	if !ok {
		vaultWriteErrors(w, http.StatusNotFound)
		return
	}
	n := len(vers)
	if q := r.URL.Query().Get("version"); q != "" {
		var err error
		if n, err = strconv.Atoi(q); err != nil {
			vaultWriteErrors(w, http.StatusBadRequest, "invalid version")
			return
		}
		if n == 0 {
			n = len(vers)
		}
	}
	if n < 1 || n > len(vers) {
		vaultWriteErrors(w, http.StatusNotFound)
		return
	}
	v := vers[n-1]
	md := map[string]any{"created_time": v.created.UTC().Format(time.RFC3339Nano), "custom_metadata": nil, "deletion_time": vaultDelTime(v), "destroyed": v.destroyed, "version": n}
	if v.destroyed || !v.deleted.IsZero() {
		// Vault answers 404 with the metadata, so clients can say why.
		vaultWriteJSON(w, http.StatusNotFound, vaultEnvelope(map[string]any{"data": nil, "metadata": md}))
		return
	}
	vaultWriteJSON(w, http.StatusOK, vaultEnvelope(map[string]any{"data": v.data, "metadata": md}))
}

func vaultDelTime(v *fakeVaultKVVersion) string {
	if v.deleted.IsZero() {
		return ""
	}
	return v.deleted.UTC().Format(time.RFC3339Nano)
}
