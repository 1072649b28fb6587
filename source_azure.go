//go:build !secrets_noazure

package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"
)

const (
	azureScheme = "azurekv"
	azureSyntax = "azurekv://VAULT"
	// azureDNSSuffix is the Key Vault domain of the Azure public cloud; a
	// bare vault name in a spec is a host under it.
	azureDNSSuffix = ".vault.azure.net"
)

func init() {
	registerScheme(azureScheme, azureSyntax, []string{"prefix"}, openAzure)
}

// AzureMaxConcurrency is how many Lookup calls an [Azure] source lets the
// [Loader] keep in flight (see [ConcurrencyLimiter]). Key Vault has no batch
// read, so a struct of N keys costs N GET requests whatever the
// concurrency; its service limits allow 4,000 secret transactions per vault
// per region in 10 seconds (and five times that per subscription), after
// which it answers 429. Fifty in flight let a 50-key struct load in one
// round trip, a burst of 1.25% of that budget.
const AzureMaxConcurrency = 50

// azureRetry is the retry policy an [Azure] source gives azcore when the
// caller sets none: Key Vault's throttling guidance asks clients to back off
// exponentially on 429 (1 s, 2 s, 4 s, ...), and its 429 responses carry a
// Retry-After header that azcore honours up to MaxRetryDelay.
//
// A host name that does not resolve is not retried: no back-off makes it
// appear, and retrying it would hold a Load for about a minute.
var azureRetry = policy.RetryOptions{
	MaxRetries:    5,
	RetryDelay:    time.Second,
	MaxRetryDelay: 30 * time.Second,
	ShouldRetry:   azureShouldRetry,
}

// azureShouldRetry is azcore's default retry decision (transport errors and
// 408, 429, 500, 502, 503, 504), except for a host name that does not
// resolve.
func azureShouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		var dnsErr *net.DNSError
		return !errors.As(err, &dnsErr) || !dnsErr.IsNotFound
	}
	return runtime.HasStatusCode(resp, http.StatusRequestTimeout, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout)
}

// Azure is a [Source] reading secrets from an Azure Key Vault through the
// official azsecrets client. The key db_password is read from the secret
// db-password (see [AzureName]); [Ref.Version] is a Key Vault version id,
// and the served version id is reported in [Value.Version], the secret's
// expiry attribute, when set, in [Value.Expires].
//
// A missing secret or version is [ErrNotFound]; 403 Forbidden is
// [ErrPermissionDenied]; a disabled secret or version is [ErrDisabled]; 429 is
// retried by azcore's retry policy and, when retries are exhausted,
// reported as [ErrThrottled]. The underlying *azcore.ResponseError stays
// reachable with errors.As.
//
// Key Vault compares names case-insensitively and allows only letters,
// digits and '-', so Azure implements [Namer]: the [Loader] refuses two keys
// that name the same secret.
type Azure struct {
	client   *azsecrets.Client
	vaultURL string
	name     string // spec-like name for String
	prefix   string
}

var (
	_ Source             = (*Azure)(nil)
	_ Namer              = (*Azure)(nil)
	_ ConcurrencyLimiter = (*Azure)(nil)
)

// NewAzure returns an Azure source for the vault at vaultURL (for example
// https://my-vault.vault.azure.net), authenticating with cred; use
// azidentity.NewDefaultAzureCredential for the standard chain. opts may be
// nil. When opts sets no retry policy, Azure retries throttled requests
// following Key Vault's guidance (exponential back-off from 1 s, up to five
// retries, honouring Retry-After). prefix is prepended to every key before
// it is mapped to a secret name (see [AzureName]).
func NewAzure(vaultURL, prefix string, cred azcore.TokenCredential, opts *azsecrets.ClientOptions) (*Azure, error) {
	u, err := url.Parse(vaultURL)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("secrets: azure key vault: vault URL must be https://HOST, e.g. https://my-vault%s", azureDNSSuffix)
	}
	if cred == nil {
		return nil, errors.New("secrets: azure key vault: a credential is required")
	}
	if prefix != "" {
		if _, err := AzureName(prefix, "x"); err != nil {
			return nil, fmt.Errorf("secrets: %w: azure key vault: prefix %q: %w", ErrInvalidSpec, prefix, err)
		}
	}
	client, err := azsecrets.NewClient("https://"+u.Host, cred, azureClientOptions(opts))
	if err != nil {
		return nil, fmt.Errorf("secrets: azure key vault %s: %w", u.Host, err)
	}
	name := azureScheme + "://" + strings.TrimSuffix(strings.ToLower(u.Host), azureDNSSuffix)
	if prefix != "" {
		name += "?prefix=" + url.QueryEscape(prefix)
	}
	return &Azure{client: client, vaultURL: "https://" + u.Host, name: name, prefix: prefix}, nil
}

// azureClientOptions copies opts, filling in the Key Vault retry policy
// when the caller set none.
func azureClientOptions(opts *azsecrets.ClientOptions) *azsecrets.ClientOptions {
	var o azsecrets.ClientOptions
	if opts != nil {
		o = *opts
	}
	r := o.Retry
	if r.MaxRetries == 0 && r.RetryDelay == 0 && r.MaxRetryDelay == 0 && r.TryTimeout == 0 && r.StatusCodes == nil && r.ShouldRetry == nil {
		o.Retry = azureRetry
	}
	return &o
}

// openAzure builds an Azure source from azurekv://VAULT or azurekv://HOST.
func openAzure(_ context.Context, u *url.URL) (Source, error) {
	vaultURL, err := azureVaultURL(u)
	if err != nil {
		return nil, err
	}
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		return nil, fmt.Errorf("secrets: azure key vault %s: DefaultAzureCredential: %w", u.Host, err)
	}
	return NewAzure(vaultURL, u.Query().Get("prefix"), cred, nil)
}

// azureVaultURL maps a spec to the vault's URL: a bare vault name is a vault
// of the Azure public cloud, a host with a dot or a port is used as is
// (sovereign clouds such as my-vault.vault.azure.cn, Managed HSM, a proxy).
func azureVaultURL(u *url.URL) (string, error) {
	host := strings.ToLower(u.Host)
	if host == "" {
		return "", fmt.Errorf("secrets: %w: azurekv:// needs a vault name, e.g. azurekv://my-vault or azurekv://my-vault.vault.azure.cn", ErrInvalidSpec)
	}
	if u.Path != "" && u.Path != "/" {
		return "", fmt.Errorf("secrets: %w: azurekv://%s takes no path; use ?prefix= to prepend to every secret name", ErrInvalidSpec, u.Host)
	}
	if strings.ContainsAny(host, ".:") {
		name := host
		if h, _, err := net.SplitHostPort(host); err == nil {
			name = h
		}
		if slices.Contains(strings.Split(name, "."), "") {
			return "", fmt.Errorf("secrets: %w: azurekv://%s: a host name has no empty labels (no leading, trailing or double dot)", ErrInvalidSpec, u.Host)
		}
		return "https://" + host, nil
	}
	if err := checkVaultName(host); err != nil {
		return "", fmt.Errorf("secrets: %w: azurekv://%s: %w", ErrInvalidSpec, u.Host, err)
	}
	return "https://" + host + azureDNSSuffix, nil
}

// checkVaultName applies Key Vault's rules for vault names: 3 to 24
// letters, digits and '-', starting with a letter, ending with a letter or
// digit, without "--".
func checkVaultName(name string) error {
	const rule = "a vault name is 3-24 letters, digits and '-', starts with a letter, ends with a letter or digit and has no \"--\""
	if len(name) < 3 || len(name) > 24 || !isASCIILetter(name[0]) || name[len(name)-1] == '-' || strings.Contains(name, "--") {
		return errors.New(rule)
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isASCIILetter(c) && !isASCIIDigit(c) && c != '-' {
			return errors.New(rule)
		}
	}
	return nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isASCIIDigit(c byte) bool  { return c >= '0' && c <= '9' }

// azureMaxName is the longest Key Vault secret name.
const azureMaxName = 127

// AzureName maps a canonical key to the name of its Key Vault secret:
// prefix and key are joined and '_', '/' and '.' become '-'. Letters keep
// their case (Key Vault ignores it). Any other character outside
// [0-9A-Za-z-] is refused, as is a name longer than 127 characters.
// AzureName("myapp/", "db_password") is "myapp-db-password".
func AzureName(prefix, key string) (string, error) {
	full := prefix + key
	if key == "" {
		return "", errors.New("empty key")
	}
	b := []byte(full)
	for i, c := range b {
		switch {
		case isASCIILetter(c), isASCIIDigit(c), c == '-':
		case c == '_', c == '/', c == '.':
			b[i] = '-'
		default:
			r := []rune(full[i:])[0]
			return "", fmt.Errorf("character %q is not allowed in a Key Vault secret name (letters, digits and '-'; '_', '/' and '.' map to '-')", r)
		}
	}
	if len(b) > azureMaxName {
		return "", fmt.Errorf("secret name %q is longer than %d characters, the Key Vault limit", b, azureMaxName)
	}
	return string(b), nil
}

// NativeName returns the lower-cased Key Vault secret name key is read
// from, so that keys Key Vault cannot tell apart compare equal. A key
// [AzureName] refuses is returned with only the mappable characters mapped;
// Lookup reports it.
func (a *Azure) NativeName(key string) string {
	if n, err := AzureName(a.prefix, key); err == nil {
		return strings.ToLower(n)
	}
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == '_' || r == '/' || r == '.' {
			return '-'
		}
		return r
	}, a.prefix+key))
}

// VaultURL returns the URL of the vault the source reads, e.g.
// https://my-vault.vault.azure.net.
func (a *Azure) VaultURL() string { return a.vaultURL }

// MaxConcurrency returns [AzureMaxConcurrency].
func (a *Azure) MaxConcurrency() int { return AzureMaxConcurrency }

// String names the source as a spec would, e.g. azurekv://my-vault.
func (a *Azure) String() string { return a.name }

// Lookup reads the secret for ref.Key, at ref.Version when set.
func (a *Azure) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, fmt.Errorf("%s: key %q: %w", a, ref.Key, err)
	}
	name, err := AzureName(a.prefix, ref.Key)
	if err != nil {
		return Value{}, fmt.Errorf("%s: key %q: %w", a, ref.Key, err)
	}
	if err := checkAzureVersion(ref.Version); err != nil {
		return Value{}, fmt.Errorf("%s: key %q: %w", a, ref.Key, err)
	}
	resp, err := a.client.GetSecret(ctx, name, ref.Version, nil)
	if err != nil {
		return Value{}, a.lookupError(ctx, ref, name, err)
	}
	var v Value
	if resp.Value != nil {
		v.Data = []byte(*resp.Value)
	} else {
		v.Data = []byte{}
	}
	if resp.ID != nil {
		v.Version = resp.ID.Version()
	}
	if at := resp.Attributes; at != nil && at.Expires != nil {
		v.Expires = *at.Expires
	}
	return v, nil
}

// checkAzureVersion accepts Key Vault version ids (32 hexadecimal digits in
// practice; letters and digits are let through).
func checkAzureVersion(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isASCIILetter(c) && !isASCIIDigit(c) {
			return fmt.Errorf("version %q is not a Key Vault version id (letters and digits)", v)
		}
	}
	return nil
}

// lookupError maps a GetSecret failure to the package's sentinels.
func (a *Azure) lookupError(ctx context.Context, ref Ref, name string, err error) error {
	what := fmt.Sprintf("%s: key %q (secret %q", a, ref.Key, name)
	if ref.Version != "" {
		what += " version " + ref.Version
	}
	what += ")"
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%s: %w (%w)", what, ctxErr, err)
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return fmt.Errorf("%s: %w", what, err)
	}
	e := &azureError{what: what, status: re.StatusCode, code: re.ErrorCode, resp: re}
	if re.RawResponse != nil {
		e.parseBody(re.RawResponse)
	}
	switch {
	case re.StatusCode == http.StatusNotFound:
		e.sentinel = ErrNotFound
	case re.StatusCode == http.StatusForbidden && strings.EqualFold(e.inner, "SecretDisabled"):
		e.sentinel = ErrDisabled
	case re.StatusCode == http.StatusForbidden:
		e.sentinel = ErrPermissionDenied
	case re.StatusCode == http.StatusTooManyRequests:
		e.sentinel = ErrThrottled
	}
	return e
}

// azureError is a Key Vault error response, described by its status, code,
// inner code and service message (which never holds a secret value), and
// wrapping both a sentinel and the *azcore.ResponseError.
type azureError struct {
	what     string
	status   int
	code     string
	inner    string
	message  string
	sentinel error
	resp     *azcore.ResponseError
}

// parseBody reads Key Vault's {"error":{"code","message","innererror"}}.
func (e *azureError) parseBody(resp *http.Response) {
	body, err := runtime.Payload(resp)
	if err != nil || len(body) == 0 {
		return
	}
	var kv struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError *struct {
				Code string `json:"code"`
			} `json:"innererror"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &kv) != nil {
		return
	}
	if kv.Error.Code != "" {
		e.code = kv.Error.Code
	}
	e.message = kv.Error.Message
	if kv.Error.InnerError != nil {
		e.inner = kv.Error.InnerError.Code
	}
}

func (e *azureError) Error() string {
	var b strings.Builder
	b.WriteString(e.what)
	b.WriteString(": ")
	if e.sentinel != nil {
		b.WriteString(e.sentinel.Error())
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%d %s", e.status, http.StatusText(e.status))
	if e.code != "" {
		b.WriteString(" (")
		b.WriteString(e.code)
		if e.inner != "" {
			b.WriteString("/")
			b.WriteString(e.inner)
		}
		b.WriteString(")")
	}
	if e.message != "" {
		b.WriteString(": ")
		b.WriteString(e.message)
	}
	return b.String()
}

// Unwrap exposes the sentinel, when there is one, and the
// *azcore.ResponseError.
func (e *azureError) Unwrap() []error {
	if e.sentinel == nil {
		return []error{e.resp}
	}
	return []error{e.sentinel, e.resp}
}
