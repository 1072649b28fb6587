//go:build !secrets_novault

package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/hashicorp/vault/api"
	"golang.org/x/sync/singleflight"
)

// vaultMount is what the Vault source knows of the secrets engine a path
// lives in, from GET sys/internal/ui/mounts/PATH, the same preflight
// request the vault CLI makes before every kv command.
type vaultMount struct {
	path      string // mount path with its trailing '/', e.g. "secret/"; "" when Vault predates the preflight endpoint
	engine    string // engine type, e.g. "kv", "database"
	kvVersion int    // 2 for KV version 2, 1 for KV version 1 and every other engine
}

// kv2 reports whether paths under m need the data/ prefix of KV v2.
func (m vaultMount) kv2() bool { return m.kvVersion == 2 && m.path != "" }

// dataPath turns a logical path as the CLI takes it ("secret/myapp/db")
// into the API path to read: "secret/data/myapp/db" on a KV v2 mount, the
// path unchanged otherwise.
func (m vaultMount) dataPath(p string) string {
	if !m.kv2() {
		return p
	}
	// As `vault kv get`: the data/ segment goes right after the mount,
	// even when the rest already starts with "data/" (a secret may be
	// named so).
	return m.path + "data/" + strings.TrimPrefix(p, m.path)
}

// vaultMounts caches mount lookups: one preflight request per mount, shared
// by concurrent callers.
type vaultMounts struct {
	client *api.Client

	mu     sync.RWMutex
	mounts []vaultMount // known mounts
	legacy bool         // the server has no preflight endpoint: everything is KV v1
	group  singleflight.Group
}

// lookup returns the mount p lives in.
func (ms *vaultMounts) lookup(ctx context.Context, p string) (vaultMount, error) {
	ms.mu.RLock()
	best, found := vaultMount{}, ms.legacy
	if !ms.legacy {
		for _, m := range ms.mounts {
			if strings.HasPrefix(p+"/", m.path) && len(m.path) > len(best.path) {
				best, found = m, true
			}
		}
	}
	ms.mu.RUnlock()
	if found {
		return best, nil
	}
	ch := ms.group.DoChan(p, func() (any, error) {
		return ms.preflight(context.WithoutCancel(ctx), p)
	})
	select {
	case <-ctx.Done():
		return vaultMount{}, fmt.Errorf("vault: mount lookup for %q: %w", p, ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return vaultMount{}, r.Err
		}
		return r.Val.(vaultMount), nil
	}
}

func (ms *vaultMounts) preflight(ctx context.Context, p string) (vaultMount, error) {
	resp, err := ms.client.Logical().ReadRawWithContext(ctx, "sys/internal/ui/mounts/"+p)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		var re *api.ResponseError
		if errors.As(err, &re) && re.StatusCode == http.StatusNotFound {
			// Vault before 0.10.2 has no preflight endpoint and no KV v2,
			// which is what the CLI concludes too.
			ms.mu.Lock()
			ms.legacy = true
			ms.mu.Unlock()
			return vaultMount{kvVersion: 1}, nil
		}
		return vaultMount{}, vaultError(ctx, fmt.Sprintf("mount lookup for %q", p), err, ms.client.Token())
	}
	secret, err := api.ParseSecret(resp.Body)
	if err != nil {
		return vaultMount{}, fmt.Errorf("vault: mount lookup for %q: %w: malformed answer: %w", p, ErrVaultUnavailable, err)
	}
	if secret == nil || secret.Data == nil {
		return vaultMount{}, fmt.Errorf("vault: mount lookup for %q: %w: empty answer", p, ErrVaultUnavailable)
	}
	m := vaultMount{kvVersion: 1}
	m.path, _ = secret.Data["path"].(string)
	m.engine, _ = secret.Data["type"].(string)
	if opts, ok := secret.Data["options"].(map[string]any); ok {
		if v, _ := opts["version"].(string); v == "2" {
			m.kvVersion = 2
		}
	}
	if m.path == "" {
		return m, nil
	}
	if !strings.HasSuffix(m.path, "/") {
		m.path += "/"
	}
	ms.mu.Lock()
	ms.mounts = append(ms.mounts, m)
	ms.mu.Unlock()
	return m, nil
}
