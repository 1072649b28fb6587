//go:build !secrets_novault

package secrets

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/vault/api"
)

// Errors of the [Vault] source besides [ErrNotFound]. Each is wrapped with
// the operation and path that failed; test for them with errors.Is. They are
// distinct: a sealed Vault is never reported as permission denied, an
// unreachable one never as not found.
var (
	// ErrVaultPermissionDenied is wrapped when Vault answers 403: the
	// token's policies do not grant the path, the mount does not exist
	// (Vault does not tell the two apart, so that mounts cannot be probed),
	// or a login was refused with 403. It wraps the shared
	// [ErrPermissionDenied].
	ErrVaultPermissionDenied = fmt.Errorf("vault: %w", ErrPermissionDenied)

	// ErrVaultSealed is wrapped when Vault answers 503 "Vault is sealed".
	ErrVaultSealed = errors.New("vault: sealed")

	// ErrVaultUnavailable is wrapped when Vault cannot be reached
	// (connection refused, DNS, TLS, timeout) or answers with a server
	// error (5xx other than sealed), after the client's own retries
	// (VAULT_MAX_RETRIES).
	ErrVaultUnavailable = errors.New("vault: unavailable")
)

// vaultError maps an error of the vault/api client to one wrapping the
// matching sentinel. op names what was attempted (`read "secret/data/app"`).
// The message holds Vault's own error strings, which name paths, never
// tokens; any occurrence of a token in redact is masked all the same.
func vaultError(ctx context.Context, op string, err error, redact ...string) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("vault: %s: %w", op, ctxErr)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The client's own timeout (VAULT_CLIENT_TIMEOUT) expired.
		return fmt.Errorf("%w: %s: %w", ErrVaultUnavailable, op, context.DeadlineExceeded)
	}
	var re *api.ResponseError
	var pe *fs.PathError
	if !errors.As(err, &re) && errors.As(err, &pe) {
		// A credential file (token, secret ID, service account token)
		// that cannot be read is a configuration error, not an outage:
		// check it first, since syscall errors also satisfy net.Error.
		return fmt.Errorf("vault: %s: %s", op, vaultScrub(err.Error(), redact))
	}
	if re == nil {
		var ue *url.Error
		var ne net.Error
		if errors.As(err, &ue) || errors.As(err, &ne) {
			return fmt.Errorf("%w: %s: %s", ErrVaultUnavailable, op, vaultScrub(err.Error(), redact))
		}
		// Not a network error: a token file that cannot be read, a
		// response that does not parse, ...
		return fmt.Errorf("vault: %s: %s", op, vaultScrub(err.Error(), redact))
	}
	msg := vaultScrub(strings.Join(cleanVaultErrors(re.Errors), "; "), redact)
	if msg == "" {
		msg = http.StatusText(re.StatusCode)
	}
	var kind error
	switch {
	case re.StatusCode == http.StatusForbidden:
		kind = ErrVaultPermissionDenied
	case re.StatusCode == http.StatusBadRequest && strings.HasPrefix(op, "login"):
		// Vault refuses bad AppRole credentials with 400 ("invalid role
		// or secret ID"): a login refused is a permission problem.
		kind = ErrVaultPermissionDenied
	case re.StatusCode == http.StatusServiceUnavailable && strings.Contains(strings.ToLower(msg), "sealed"):
		kind = ErrVaultSealed
	case re.StatusCode == http.StatusNotFound:
		kind = ErrNotFound
	case re.StatusCode == http.StatusTooManyRequests:
		return fmt.Errorf("vault: %s: %w (HTTP 429: %s)", op, ErrThrottled, msg)
	case re.StatusCode >= 500:
		kind = ErrVaultUnavailable
	default:
		return fmt.Errorf("vault: %s: HTTP %d: %s", op, re.StatusCode, msg)
	}
	if kind == ErrNotFound {
		return fmt.Errorf("vault: %s: %w (HTTP 404: %s)", op, kind, msg)
	}
	return fmt.Errorf("%w: %s (HTTP %d: %s)", kind, op, re.StatusCode, msg)
}

// cleanVaultErrors flattens Vault's multierror strings
// ("1 error occurred:\n\t* permission denied\n\n") to their items.
func cleanVaultErrors(errs []string) []string {
	var out []string
	for _, e := range errs {
		for line := range strings.SplitSeq(e, "\n") {
			line = strings.TrimSpace(line)
			line = strings.TrimSpace(strings.TrimPrefix(line, "*"))
			if line == "" || strings.HasSuffix(line, "error occurred:") || strings.HasSuffix(line, "errors occurred:") {
				continue
			}
			out = append(out, line)
		}
	}
	return out
}

// vaultScrub masks every non-empty string of secrets in s.
func vaultScrub(s string, secrets []string) string {
	for _, x := range secrets {
		if len(x) >= 4 {
			s = strings.ReplaceAll(s, x, "[REDACTED]")
		}
	}
	return s
}
