//go:build !secrets_novault

package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"
	"golang.org/x/sync/singleflight"
)

// vaultLogin obtains a new token from an auth method. It is called with a
// client that carries no token.
type vaultLogin func(ctx context.Context, c *api.Client) (*api.Secret, error)

// vaultAuth keeps the client's token alive: a LifetimeWatcher (the
// client's own helper) renews it in the background; when it can no longer
// be renewed (max TTL reached, not renewable, revoked) the source logs in
// again. A lookup that finds the token about to expire, or that is refused
// because the token died, logs in first, so no lookup fails because a token
// expired between two calls.
type vaultAuth struct {
	client    *api.Client
	login     vaultLogin // nil for auth=token: the token comes from the client or tokenFile
	tokenFile string     // auth=token: re-read when the token can no longer be renewed
	logger    *slog.Logger

	bg     context.Context // background work; cancelled by close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	group  singleflight.Group

	mu        sync.Mutex
	gen       uint64        // increases with every new token
	expires   time.Time     // zero when the token does not expire or its TTL is unknown
	ttl       time.Duration // lease duration of the current token
	ours      bool          // the token came from a login of ours, so revoking it is ours to do
	stopWatch func()
	closed    bool
}

func newVaultAuth(client *api.Client, login vaultLogin, tokenFile string, logger *slog.Logger) *vaultAuth {
	bg, cancel := context.WithCancel(context.Background())
	return &vaultAuth{client: client, login: login, tokenFile: tokenFile, logger: logger, bg: bg, cancel: cancel}
}

// start obtains the first token.
func (a *vaultAuth) start(ctx context.Context) error {
	sec, err := a.acquire(ctx)
	if err != nil {
		return err
	}
	a.install(sec)
	return nil
}

// canRenew reports whether a dead token can be replaced.
func (a *vaultAuth) canRenew() bool { return a.login != nil || a.tokenFile != "" }

// acquire logs in, or for auth=token reads the token and looks up its TTL.
func (a *vaultAuth) acquire(ctx context.Context) (*api.Secret, error) {
	if a.login != nil {
		anon, err := a.client.CloneWithHeaders()
		if err != nil {
			return nil, fmt.Errorf("vault: login: %w", err)
		}
		anon.ClearToken()
		sec, err := a.login(ctx, anon)
		if err != nil {
			return nil, vaultError(ctx, "login", err)
		}
		if sec == nil || sec.Auth == nil || sec.Auth.ClientToken == "" {
			return nil, fmt.Errorf("vault: login: %w: the answer holds no token", ErrVaultPermissionDenied)
		}
		return sec, nil
	}
	token := a.client.Token()
	if a.tokenFile != "" {
		data, err := readSecretFile(a.tokenFile)
		if err != nil {
			return nil, fmt.Errorf("vault: token_file: %w", err)
		}
		token = strings.TrimSpace(string(data))
	}
	if token == "" {
		return nil, errors.New("vault: auth=token needs a token: set VAULT_TOKEN or the token_file parameter")
	}
	sec := &api.Secret{Auth: &api.SecretAuth{ClientToken: token}}
	probe, err := a.client.CloneWithHeaders() // keeps a namespace set in code
	if err != nil {
		return nil, fmt.Errorf("vault: token lookup: %w", err)
	}
	probe.SetToken(token)
	self, err := probe.Auth().Token().LookupSelfWithContext(ctx)
	if err != nil {
		err = vaultError(ctx, "token lookup", err, token)
		if errors.Is(err, ErrVaultPermissionDenied) {
			// The token may lack the default policy that grants
			// lookup-self; it may still read secrets. It is not renewed.
			a.logger.Debug("vault: token lookup refused; the token will not be renewed")
			return sec, nil
		}
		return nil, err
	}
	if self != nil && self.Data != nil {
		if ttl, ok := self.Data["ttl"].(json.Number); ok {
			n, _ := ttl.Int64()
			sec.Auth.LeaseDuration = int(n)
		}
		// ttl is whole seconds, rounded down: a token with 0.9 s left
		// says 0, which reads as "never expires". expire_time is exact.
		if s, ok := self.Data["expire_time"].(string); ok && s != "" {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				sec.Auth.LeaseDuration = max(1, int(math.Ceil(time.Until(t).Seconds())))
			}
		}
		sec.Auth.Renewable, _ = self.Data["renewable"].(bool)
	}
	return sec, nil
}

// install makes sec's token the client's and watches its lifetime.
func (a *vaultAuth) install(sec *api.Secret) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopWatch != nil {
		a.stopWatch()
		a.stopWatch = nil
	}
	a.client.SetToken(sec.Auth.ClientToken)
	a.gen++
	a.ours = a.login != nil
	a.ttl = time.Duration(sec.Auth.LeaseDuration) * time.Second
	a.expires = time.Time{}
	if a.ttl > 0 {
		a.expires = time.Now().Add(a.ttl)
	}
	if a.closed || a.ttl <= 0 {
		return
	}
	w, err := a.client.NewLifetimeWatcher(&api.LifetimeWatcherInput{Secret: sec})
	if err != nil {
		return
	}
	stop := make(chan struct{})
	var once sync.Once
	a.stopWatch = func() { once.Do(func() { close(stop) }) }
	gen := a.gen
	a.wg.Add(2)
	go func() {
		defer a.wg.Done()
		w.Start()
	}()
	go func() {
		defer a.wg.Done()
		defer w.Stop()
		for {
			select {
			case <-stop:
				return
			case <-a.bg.Done():
				return
			case r := <-w.RenewCh():
				if r != nil && r.Secret != nil && r.Secret.Auth != nil {
					a.renewed(gen, r.RenewedAt, r.Secret.Auth.LeaseDuration)
				}
			case err := <-w.DoneCh():
				if err != nil {
					a.logger.Debug("vault: token renewal failed; replacing the token", "error", vaultScrub(err.Error(), []string{sec.Auth.ClientToken}))
				} else {
					a.logger.Debug("vault: token can no longer be renewed; replacing it")
				}
				a.replaceInBackground(gen)
				return
			}
		}
	}()
}

// renewed records a renewal of the token of generation gen.
func (a *vaultAuth) renewed(gen uint64, at time.Time, leaseSeconds int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.gen != gen {
		return
	}
	a.ttl = time.Duration(leaseSeconds) * time.Second
	a.expires = at.Add(a.ttl)
	a.logger.Debug("vault: token renewed", "ttl", a.ttl)
}

// replaceInBackground logs in again after the watcher of generation gen
// ended, retrying with backoff until it works or the source is closed.
func (a *vaultAuth) replaceInBackground(gen uint64) {
	if !a.canRenew() {
		a.logger.Warn("vault: the token can no longer be renewed and auth=token cannot log in again; lookups will fail when it expires")
		return
	}
	delay := 250 * time.Millisecond
	for {
		err := a.refresh(a.bg, gen)
		if err == nil {
			return
		}
		if a.bg.Err() != nil {
			return
		}
		a.logger.Warn("vault: login failed; retrying", "error", err.Error(), "in", delay)
		select {
		case <-a.bg.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 30*time.Second)
	}
}

// current returns the generation of the token in use, logging in first
// when the token is about to expire.
func (a *vaultAuth) current(ctx context.Context) (uint64, error) {
	a.mu.Lock()
	gen, expires, ttl := a.gen, a.expires, a.ttl
	a.mu.Unlock()
	if expires.IsZero() || !a.canRenew() {
		return gen, nil
	}
	// Margin: a tenth of the TTL, at most 5 s, for the request's flight
	// time and clock skew.
	margin := min(ttl/10, 5*time.Second)
	if time.Now().Add(margin).Before(expires) {
		return gen, nil
	}
	if err := a.refresh(ctx, gen); err != nil {
		return 0, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gen, nil
}

// refresh replaces the token of generation gen, once for all concurrent
// callers; it does nothing when another caller already replaced it.
func (a *vaultAuth) refresh(ctx context.Context, gen uint64) error {
	ch := a.group.DoChan("refresh", func() (any, error) {
		a.mu.Lock()
		stale := a.gen != gen
		a.mu.Unlock()
		if stale {
			return nil, nil
		}
		sec, err := a.acquire(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		a.install(sec)
		a.logger.Debug("vault: obtained a new token")
		return nil, nil
	})
	select {
	case <-ctx.Done():
		return fmt.Errorf("vault: login: %w", ctx.Err())
	case r := <-ch:
		return r.Err
	}
}

// dead reports whether the current token is refused by Vault, which tells
// an expired or revoked token from a policy that denies one path.
func (a *vaultAuth) dead(ctx context.Context) bool {
	_, err := a.client.Auth().Token().LookupSelfWithContext(ctx)
	var re *api.ResponseError
	return errors.As(err, &re) && re.StatusCode == http.StatusForbidden
}

// generation returns the generation of the token in use.
func (a *vaultAuth) generation() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gen
}

// close stops renewal and, when revoke is set and the token came from a
// login of ours, revokes it.
func (a *vaultAuth) close(ctx context.Context, revoke bool) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	a.closed = true
	if a.stopWatch != nil {
		a.stopWatch()
		a.stopWatch = nil
	}
	ours := a.ours
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
	if revoke && ours {
		if err := a.client.Auth().Token().RevokeSelfWithContext(ctx, ""); err != nil {
			return vaultError(ctx, "revoke token", err, a.client.Token())
		}
	}
	return nil
}
