//go:build !secrets_noazure

package secrets_test

// An in-process fake of the Azure Key Vault secrets REST API, written from
// the Key Vault REST reference (Get Secret, api-version query parameter,
// error body {"error":{"code","message","innererror"}}) and its
// authentication flow: a request without a bearer token is answered 401
// with a WWW-Authenticate challenge naming the tenant's authority and the
// Key Vault resource; the client then asks its credential for a token for
// that resource and sends the request again with it.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

const (
	kvFakeTenant   = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	kvFakeResource = "https://vault.azure.net"
)

// kvFake is a Key Vault on 127.0.0.1 over TLS.
type kvFake struct {
	srv   *httptest.Server
	token string // the only bearer token accepted

	mu        sync.Mutex
	secrets   map[string]*kvSecret // by lower-cased name: Key Vault ignores case
	forbidden map[string]bool      // names the caller has no "get" permission on
	throttle  map[string]int       // names answered 429 this many more times

	challenges atomic.Int32 // 401 answers to requests without a token
	badTokens  atomic.Int32 // 401 answers to requests with a wrong token
	gets       atomic.Int32 // authenticated GET secret requests
	inFlight   atomic.Int32
	maxFlight  atomic.Int32
}

type kvSecret struct {
	name     string // as created
	versions []*kvVersion
}

type kvVersion struct {
	id      string
	value   string
	enabled bool
	expires int64 // unix seconds; 0 means none
	created int64
}

var (
	kvNameRE    = regexp.MustCompile(`^[0-9a-zA-Z-]{1,127}$`)
	kvVersionRE = regexp.MustCompile(`^[0-9a-zA-Z]*$`)
)

// newKVFake starts a fake accepting token, closed with t.
func newKVFake(t *testing.T, token string) *kvFake {
	t.Helper()
	f := &kvFake{
		token:     token,
		secrets:   map[string]*kvSecret{},
		forbidden: map[string]bool{},
		throttle:  map[string]int{},
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serveHTTP))
	// Clients cut off mid-handshake when a test ends are not news.
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	f.srv.StartTLS()
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the vault URL, https://127.0.0.1:PORT.
func (f *kvFake) URL() string { return f.srv.URL }

// set adds a new, current version of secret name and returns its id.
func (f *kvFake) set(name, value string) string {
	return f.setVersion(name, value, true, 0)
}

func (f *kvFake) setVersion(name, value string, enabled bool, expires int64) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.secrets[strings.ToLower(name)]
	if s == nil {
		s = &kvSecret{name: name}
		f.secrets[strings.ToLower(name)] = s
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	s.versions = append(s.versions, &kvVersion{id: id, value: value, enabled: enabled, expires: expires, created: time.Now().Unix()})
	return id
}

func (f *kvFake) forbid(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forbidden[strings.ToLower(name)] = true
}

func (f *kvFake) throttleNext(name string, times int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.throttle[strings.ToLower(name)] = times
}

// client returns options for the real azsecrets client trusting the fake's
// certificate. The challenge names https://vault.azure.net while the fake
// listens on 127.0.0.1, so the SDK's check that the two match is turned off
// here, in tests only.
func (f *kvFake) clientOptions() *azsecrets.ClientOptions {
	return &azsecrets.ClientOptions{
		ClientOptions:                        azcore.ClientOptions{Transport: f.srv.Client()},
		DisableChallengeResourceVerification: true,
	}
}

func kvError(w http.ResponseWriter, status int, code, message, inner string) {
	body := map[string]any{"code": code, "message": message}
	if inner != "" {
		body["innererror"] = map[string]string{"code": inner}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

func (f *kvFake) challenge(w http.ResponseWriter, message string) {
	w.Header().Set("WWW-Authenticate", `Bearer authorization="https://login.microsoftonline.com/`+kvFakeTenant+`", resource="`+kvFakeResource+`"`)
	kvError(w, http.StatusUnauthorized, "Unauthorized", message, "")
}

func (f *kvFake) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("api-version") == "" {
		kvError(w, http.StatusBadRequest, "BadParameter", "The request is missing the required parameter 'api-version'.", "")
		return
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		f.challenges.Add(1)
		f.challenge(w, "AKV10000: Request is missing a Bearer or PoP token.")
		return
	}
	if auth != "Bearer "+f.token {
		f.badTokens.Add(1)
		f.challenge(w, "AKV10022: Invalid audience.")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] != "secrets" {
		kvError(w, http.StatusNotFound, "NotFound", "The requested resource was not found.", "")
		return
	}
	if r.Method != http.MethodGet {
		kvError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "The requested method is not allowed.", "")
		return
	}
	name, version := parts[1], ""
	if len(parts) == 3 {
		version = parts[2]
	}
	if !kvNameRE.MatchString(name) || !kvVersionRE.MatchString(version) {
		kvError(w, http.StatusBadRequest, "BadParameter", "The request URI contains an invalid name: "+name, "")
		return
	}

	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxFlight.Load()
		if n <= m || f.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	f.gets.Add(1)
	// A little latency, so that concurrent clients overlap.
	time.Sleep(2 * time.Millisecond)

	f.mu.Lock()
	defer f.mu.Unlock()
	key := strings.ToLower(name)
	if f.throttle[key] > 0 {
		f.throttle[key]--
		w.Header().Set("Retry-After", "1")
		kvError(w, http.StatusTooManyRequests, "Throttled", "Request was not processed because too many requests were received. Reason: A generic secret request limit was exceeded.", "")
		return
	}
	if f.forbidden[key] {
		kvError(w, http.StatusForbidden, "Forbidden",
			"The user, group or application 'appid=00000000-0000-0000-0000-000000000001;oid=00000000-0000-0000-0000-000000000002;iss=https://sts.windows.net/"+kvFakeTenant+"/' does not have secrets get permission on key vault 'fake;location=westeurope'.",
			"AccessDenied")
		return
	}
	s := f.secrets[key]
	var v *kvVersion
	if s != nil && len(s.versions) > 0 {
		if version == "" {
			v = s.versions[len(s.versions)-1]
		} else {
			for _, sv := range s.versions {
				if strings.EqualFold(sv.id, version) {
					v = sv
				}
			}
		}
	}
	if v == nil {
		id := name
		if version != "" {
			id += "/" + version
		}
		kvError(w, http.StatusNotFound, "SecretNotFound", "A secret with (name/id) "+id+" was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182", "")
		return
	}
	if !v.enabled {
		kvError(w, http.StatusForbidden, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled")
		return
	}
	attrs := map[string]any{
		"enabled":         true,
		"created":         v.created,
		"updated":         v.created,
		"recoveryLevel":   "Recoverable+Purgeable",
		"recoverableDays": 90,
	}
	if v.expires != 0 {
		attrs["exp"] = v.expires
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"value":      v.value,
		"id":         "https://" + r.Host + "/secrets/" + s.name + "/" + v.id,
		"attributes": attrs,
		"tags":       map[string]string{},
	})
}

// kvCredential is an azcore.TokenCredential issuing a fixed token and
// recording what it was asked for.
type kvCredential struct {
	token string
	calls atomic.Int32

	mu   sync.Mutex
	last policy.TokenRequestOptions
}

func (c *kvCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return azcore.AccessToken{}, err
	}
	c.calls.Add(1)
	c.mu.Lock()
	c.last = opts
	c.mu.Unlock()
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func (c *kvCredential) lastOptions() policy.TokenRequestOptions {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// kvToken returns a random bearer token.
func kvToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "fake-token-" + hex.EncodeToString(b[:])
}
