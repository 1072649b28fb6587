//go:build !secrets_novault

package secrets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/vault/api"
)

// VaultLease is the lease of a dynamic secret read by [Vault]: database
// credentials, cloud keys, anything Vault answers with a lease_id. Vault
// revokes the secret when the lease ends unless it is renewed
// ([Vault.RenewLease]) first.
type VaultLease struct {
	ID        string        // lease_id, e.g. "database/creds/app/2f6a..."
	Renewable bool          // whether Vault allows renewing it
	Duration  time.Duration // lease_duration Vault granted at the last read or renewal
	Expires   time.Time     // when the lease ends unless renewed
}

func newVaultLease(sec *api.Secret, at time.Time) VaultLease {
	d := time.Duration(sec.LeaseDuration) * time.Second
	return VaultLease{ID: sec.LeaseID, Renewable: sec.Renewable, Duration: d, Expires: at.Add(d)}
}

// Lease returns the lease of the dynamic secret last served for key (a
// canonical key, as in [Ref.Key]), and false when that key was not served
// from a leased response. A watcher uses it to renew before Expires.
func (v *Vault) Lease(key string) (VaultLease, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	l, ok := v.leases[key]
	return l, ok
}

// RenewLease renews the lease of the dynamic secret last served for key,
// asking Vault for increment more time (0 lets Vault choose), and returns
// the lease as renewed. Vault may grant less than asked, never beyond the
// lease's max TTL; past that the secret must be read again. It fails with
// an error wrapping [ErrNotFound] when key has no lease.
func (v *Vault) RenewLease(ctx context.Context, key string, increment time.Duration) (VaultLease, error) {
	l, ok := v.Lease(key)
	if !ok {
		return VaultLease{}, fmt.Errorf("vault: key %q has no lease: %w", key, ErrNotFound)
	}
	var sec *api.Secret
	err := v.withToken(ctx, func(ctx context.Context) error {
		var err error
		sec, err = v.client.Sys().RenewWithContext(ctx, l.ID, int(increment/time.Second))
		return vaultError(ctx, fmt.Sprintf("renew lease of key %q", key), err, v.client.Token())
	})
	if err != nil {
		return VaultLease{}, err
	}
	if sec == nil {
		return VaultLease{}, fmt.Errorf("vault: renew lease of key %q: empty answer", key)
	}
	nl := newVaultLease(sec, time.Now())
	if nl.ID == "" {
		nl.ID = l.ID
	}
	v.mu.Lock()
	if cur, ok := v.leases[key]; ok && cur.ID == nl.ID {
		v.leases[key] = nl
	}
	v.mu.Unlock()
	return nl, nil
}

// recordLease remembers l as the lease of keys and, for Close, among the
// leases this source obtained.
func (v *Vault) recordLease(l VaultLease, keys ...string) {
	if l.ID == "" {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, k := range keys {
		v.leases[k] = l
	}
	v.leased[l.ID] = struct{}{}
}

// revokeLeases revokes every lease this source obtained.
func (v *Vault) revokeLeases(ctx context.Context) error {
	v.mu.Lock()
	ids := make([]string, 0, len(v.leased))
	for id := range v.leased {
		ids = append(ids, id)
	}
	v.leased = map[string]struct{}{}
	clear(v.leases)
	v.mu.Unlock()
	var errs []error
	for _, id := range ids {
		if err := v.client.Sys().RevokeWithContext(ctx, id); err != nil {
			errs = append(errs, vaultError(ctx, "revoke lease", err, v.client.Token()))
		}
	}
	return errors.Join(errs...)
}
