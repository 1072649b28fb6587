//go:build !secrets_nogcp

package secrets

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	secretmanager "cloud.google.com/go/secretmanager/apiv1"
	"cloud.google.com/go/secretmanager/apiv1/secretmanagerpb"
	gax "github.com/googleapis/gax-go/v2"
	"google.golang.org/api/option"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func init() {
	registerScheme("gcpsm", "gcpsm://PROJECT", []string{"location", "prefix"}, openGCP)
}

// Errors of the [GCP] source, wrapped with the key and the source's name.
// Test for them with errors.Is. None of them wraps [ErrNotFound]: a secret
// that exists but cannot be read is never reported as missing.
var (
	// ErrGCPPermissionDenied: the caller's credentials may not access the
	// secret version (gRPC PERMISSION_DENIED). Secret Manager also answers
	// this for a secret that does not exist when the caller may not know.
	// It wraps the backend-neutral [ErrPermissionDenied].
	ErrGCPPermissionDenied = fmt.Errorf("gcp: %w", ErrPermissionDenied)
	// ErrGCPVersionDisabled: the requested version, or the version "latest"
	// points to, is disabled (gRPC FAILED_PRECONDITION). It wraps
	// [ErrDisabled].
	ErrGCPVersionDisabled = fmt.Errorf("gcp: version: %w", ErrDisabled)
	// ErrGCPVersionDestroyed: the requested version, or the version "latest"
	// points to, is destroyed (gRPC FAILED_PRECONDITION).
	ErrGCPVersionDestroyed = errors.New("secret version is destroyed")
	// ErrGCPFailedPrecondition: any other gRPC FAILED_PRECONDITION answer,
	// e.g. a customer-managed encryption key that cannot be used.
	ErrGCPFailedPrecondition = errors.New("failed precondition")
	// ErrGCPQuotaExceeded: Secret Manager's request quota is exhausted (gRPC
	// RESOURCE_EXHAUSTED) and did not recover within the retries of
	// [GCPOptions.MaxRetries]. It wraps [ErrThrottled].
	ErrGCPQuotaExceeded = fmt.Errorf("gcp: quota exceeded: %w", ErrThrottled)
	// ErrGCPChecksum: the payload's CRC32C (Castagnoli) does not match the
	// data_crc32c the server sent; the data was corrupted in transit.
	ErrGCPChecksum = errors.New("payload checksum mismatch")
)

// DefaultGCPConcurrency is how many AccessSecretVersion calls a [GCP]
// source keeps in flight at once unless [GCPOptions.MaxConcurrency] says
// otherwise. Secret Manager has no batch read: a struct of N keys costs N
// calls whatever the concurrency. Its documented quota is 90,000 access
// requests per minute per project (1,500 per second), shared by every
// client of the project; fifty in flight let a 50-key struct load in one
// round trip, a burst of 0.06% of the minute's quota.
const DefaultGCPConcurrency = 50

// DefaultGCPRetries is how many times a [GCP] source retries a lookup that
// failed with UNAVAILABLE or RESOURCE_EXHAUSTED, unless
// [GCPOptions.MaxRetries] says otherwise.
const DefaultGCPRetries = 3

// GCPOptions configures a [GCP] source. The zero value reads global
// secrets with the defaults.
type GCPOptions struct {
	// Location, when set, reads regional secrets of that region (e.g.
	// "europe-west1") through the regional endpoint
	// secretmanager.LOCATION.rep.googleapis.com:443, with resource names
	// projects/PROJECT/locations/LOCATION/secrets/ID.
	Location string
	// Prefix is prepended to every key before it is mapped to a secret id
	// (see [GCPSecretID]), e.g. "myapp_".
	Prefix string
	// MaxConcurrency bounds the AccessSecretVersion calls in flight at once,
	// both for the [Loader] and for direct Lookup calls; 0 means
	// [DefaultGCPConcurrency].
	MaxConcurrency int
	// MaxRetries is how many times a lookup that failed with UNAVAILABLE or
	// RESOURCE_EXHAUSTED is retried, with jittered exponential backoff; 0
	// means [DefaultGCPRetries], a negative value means never.
	MaxRetries int
	// RetryBackoff is the first pause between retries, doubled after each
	// one up to 30 seconds; 0 means one second.
	RetryBackoff time.Duration
}

// GCP is a [Source] reading Google Cloud Secret Manager, one secret per
// key, through the official gRPC client. Open it with [NewGCP] or with the
// spec gcpsm://PROJECT[?location=REGION&prefix=PREFIX].
//
// The key is mapped to a secret id by [GCPSecretID]; [Ref.Version] is a
// version number or a version alias, and "" means "latest". The returned
// [Value.Version] is the number of the version served. Each payload is
// checked against the CRC32C the server sends with it.
//
// A missing secret or version is an error wrapping [ErrNotFound]; a denied,
// disabled, destroyed or rate-limited one wraps [ErrGCPPermissionDenied],
// [ErrGCPVersionDisabled], [ErrGCPVersionDestroyed] or [ErrGCPQuotaExceeded]
// instead. GCP is safe for concurrent use and bounds its own calls in flight
// (see [GCPOptions.MaxConcurrency]). Close it when done.
type GCP struct {
	client   *secretmanager.Client
	project  string
	opts     GCPOptions
	parent   string // projects/P or projects/P/locations/L
	endpoint string // regional endpoint, "" for the client's default
	sem      chan struct{}
	callOpts []gax.CallOption
	closed   atomic.Bool
}

var (
	_ Source             = (*GCP)(nil)
	_ ConcurrencyLimiter = (*GCP)(nil)
	_ Namer              = (*GCP)(nil)
)

// gcpTestClientOptions are appended to the client options of every GCP
// source made by Open. Tests set it to reach their in-process server.
var gcpTestClientOptions []option.ClientOption

func openGCP(ctx context.Context, u *url.URL) (Source, error) {
	if u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("secrets: %w: gcpsm:// needs a project and nothing else before the query, e.g. gcpsm://my-project", ErrInvalidSpec)
	}
	if _, port, ok := strings.Cut(u.Host, ":"); ok && port != "" && strings.Trim(port, "0123456789") == "" {
		return nil, fmt.Errorf("secrets: %w: gcpsm://%s: a project takes no port (a domain-scoped project is example.com:my-project)", ErrInvalidSpec, u.Host)
	}
	q := u.Query()
	opts := GCPOptions{Location: q.Get("location"), Prefix: q.Get("prefix")}
	return NewGCP(ctx, u.Host, opts, gcpTestClientOptions...)
}

// NewGCP returns a [GCP] source reading the secrets of project (its id or
// number). Credentials come from Application Default Credentials unless
// clientOpts say otherwise; clientOpts are passed to the Secret Manager
// client after the source's own, so option.WithEndpoint in them wins over
// the regional endpoint of [GCPOptions.Location].
func NewGCP(ctx context.Context, project string, opts GCPOptions, clientOpts ...option.ClientOption) (*GCP, error) {
	if !validGCPName(project, true) {
		return nil, fmt.Errorf("secrets: %w: gcpsm: %q is not a project id or number", ErrInvalidSpec, project)
	}
	g := &GCP{project: project, opts: opts, parent: "projects/" + project}
	var all []option.ClientOption
	if opts.Location != "" {
		if !validGCPName(opts.Location, false) {
			return nil, fmt.Errorf("secrets: %w: gcpsm: %q is not a location", ErrInvalidSpec, opts.Location)
		}
		g.parent += "/locations/" + opts.Location
		g.endpoint = "secretmanager." + opts.Location + ".rep.googleapis.com:443"
		all = append(all, option.WithEndpoint(g.endpoint))
	}
	n := opts.MaxConcurrency
	if n <= 0 {
		n = DefaultGCPConcurrency
	}
	g.sem = make(chan struct{}, n)
	retries := opts.MaxRetries
	if retries == 0 {
		retries = DefaultGCPRetries
	}
	backoff := opts.RetryBackoff
	if backoff <= 0 {
		backoff = time.Second
	}
	// Replace the client's default retry of AccessSecretVersion, which
	// retries RESOURCE_EXHAUSTED for up to a minute and then reports a
	// deadline instead of the quota error.
	g.callOpts = []gax.CallOption{gax.WithRetry(func() gax.Retryer {
		if retries < 0 {
			return nil
		}
		return &gcpRetryer{left: retries, backoff: gax.Backoff{Initial: backoff, Max: 30 * time.Second, Multiplier: 2}}
	})}
	all = append(all, clientOpts...)
	c, err := secretmanager.NewClient(ctx, all...)
	if err != nil {
		return nil, fmt.Errorf("secrets: %s: cannot create Secret Manager client: %w", g, err)
	}
	g.client = c
	return g, nil
}

// validGCPName reports whether s can stand in a resource name as a project
// (letters, digits, '-', and for legacy domain-scoped projects '.' and ':')
// or a location (lower-case letters, digits and '-').
func validGCPName(s string, project bool) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
		case project && (c == '.' || c == ':'):
		default:
			return false
		}
	}
	return true
}

// GCPSecretID maps a canonical key to a Secret Manager secret id: prefix
// is prepended, then every character other than ASCII letters, digits, '_'
// and '-' is replaced by '_' (so "myapp/db.password" becomes
// "myapp_db_password"). Case is kept: secret ids are case-sensitive. The
// result may be empty or longer than the 255 characters an id allows; a
// [GCP] source refuses such keys.
func GCPSecretID(prefix, key string) string {
	s := prefix + key
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// NativeName returns the secret id key is stored under. Two keys with the
// same id are refused by the [Loader].
func (g *GCP) NativeName(key string) string { return GCPSecretID(g.opts.Prefix, key) }

// MaxConcurrency returns the bound on calls in flight; see
// [GCPOptions.MaxConcurrency].
func (g *GCP) MaxConcurrency() int { return cap(g.sem) }

// Lookup accesses the secret version for ref.
func (g *GCP) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, fmt.Errorf("%s: key %q: %w", g, ref.Key, err)
	}
	if g.closed.Load() {
		return Value{}, fmt.Errorf("%s: key %q: source is closed", g, ref.Key)
	}
	id := g.NativeName(ref.Key)
	if id == "" || len(id) > 255 {
		return Value{}, fmt.Errorf("%s: key %q maps to secret id of %d characters; Secret Manager allows 1 to 255", g, ref.Key, len(id))
	}
	version := ref.Version
	if version == "" {
		version = "latest"
	}
	if !validGCPVersion(version) {
		return Value{}, fmt.Errorf("%s: key %q: version %q is neither a version number nor an alias", g, ref.Key, version)
	}
	name := g.parent + "/secrets/" + id + "/versions/" + version
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return Value{}, fmt.Errorf("%s: key %q: %w", g, ref.Key, ctx.Err())
	}
	resp, err := g.client.AccessSecretVersion(ctx, &secretmanagerpb.AccessSecretVersionRequest{Name: name}, g.callOpts...)
	<-g.sem
	if err != nil {
		return Value{}, g.lookupError(ctx, ref.Key, id, version, err)
	}
	data := resp.GetPayload().GetData()
	if want := resp.GetPayload().DataCrc32C; want != nil {
		if got := crc32.Checksum(data, castagnoli); int64(got) != *want {
			return Value{}, fmt.Errorf("%s: key %q (secret %s, version %s): %w", g, ref.Key, id, version, ErrGCPChecksum)
		}
	}
	if data == nil {
		data = []byte{}
	}
	served := resp.GetName()
	if i := strings.LastIndex(served, "/versions/"); i >= 0 {
		served = served[i+len("/versions/"):]
	} else {
		served = ""
	}
	return Value{Data: data, Version: served}, nil
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// validGCPVersion accepts "latest", a version number and a version alias
// (a letter, then up to 62 letters, digits, '-' or '_').
func validGCPVersion(v string) bool {
	if v == "" || len(v) > 63 {
		return false
	}
	digits := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
			digits = false
		default:
			return false
		}
	}
	if digits {
		return v[0] != '0'
	}
	return (v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')
}

// lookupError maps a failed AccessSecretVersion call to the package's
// errors. The status message names resources, never payloads.
func (g *GCP) lookupError(ctx context.Context, key, id, version string, err error) error {
	where := fmt.Sprintf("%s: key %q (secret %s, version %s)", g, key, id, version)
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w", where, cerr)
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", where, err)
	}
	var kind error
	switch st.Code() {
	case codes.NotFound:
		kind = ErrNotFound
	case codes.PermissionDenied:
		kind = ErrGCPPermissionDenied
	case codes.FailedPrecondition:
		switch msg := st.Message(); {
		case strings.Contains(msg, "DISABLED state"):
			kind = ErrGCPVersionDisabled
		case strings.Contains(msg, "DESTROYED state"):
			kind = ErrGCPVersionDestroyed
		default:
			kind = ErrGCPFailedPrecondition
		}
	case codes.ResourceExhausted:
		kind = ErrGCPQuotaExceeded
	case codes.Canceled:
		kind = context.Canceled
	case codes.DeadlineExceeded:
		kind = context.DeadlineExceeded
	default:
		return fmt.Errorf("%s: %s: %s", where, st.Code(), st.Message())
	}
	return fmt.Errorf("%s: %w: %s: %s", where, kind, st.Code(), st.Message())
}

// gcpRetryer retries UNAVAILABLE and RESOURCE_EXHAUSTED a bounded number of
// times, so a persistent quota error is reported as what it is.
type gcpRetryer struct {
	left    int
	backoff gax.Backoff
}

func (r *gcpRetryer) Retry(err error) (time.Duration, bool) {
	if r.left <= 0 {
		return 0, false
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted:
		r.left--
		return r.backoff.Pause(), true
	}
	return 0, false
}

// String names the source as a spec would.
func (g *GCP) String() string {
	s := "gcpsm://" + g.project
	q := url.Values{}
	if g.opts.Location != "" {
		q.Set("location", g.opts.Location)
	}
	if g.opts.Prefix != "" {
		q.Set("prefix", g.opts.Prefix)
	}
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s
}

// Close closes the Secret Manager client. Lookups after Close fail.
func (g *GCP) Close() error {
	if g.closed.Swap(true) {
		return nil
	}
	return g.client.Close()
}
