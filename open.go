package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
)

// ErrInvalidSpec is wrapped by [Open] for a spec it cannot use: an unknown
// scheme, a malformed URL or an unknown parameter. The message lists what is
// accepted.
var ErrInvalidSpec = errors.New("invalid source spec")

// ErrNotCompiled is wrapped by [Open] for a scheme whose backend was left
// out of the binary with its opt-out build tag (secrets_noaws, ...).
var ErrNotCompiled = errors.New("source not compiled in")

// EnvSpec is the environment variable [Load] reads its spec from.
const EnvSpec = "SECRETS_SOURCE"

// openFunc builds a Source from a parsed spec URL whose parameters are
// already checked against the scheme's accepted list.
type openFunc func(ctx context.Context, u *url.URL) (Source, error)

type scheme struct {
	name     string
	syntax   string   // shown in errors, e.g. "file:///DIR"
	params   []string // accepted query parameters
	open     openFunc
	disabled string // build tag that left the backend out, when it did
}

var schemes = map[string]*scheme{}

// registerScheme makes a backend available to Open. It is called from the
// init function of each source file.
func registerScheme(name, syntax string, params []string, open openFunc) {
	schemes[name] = &scheme{name: name, syntax: syntax, params: params, open: open}
}

// registerDisabled records that a backend was compiled out with tag, so
// Open can say so instead of "unknown scheme".
//
//lint:ignore U1000 called only from files built with an opt-out tag.
func registerDisabled(name, syntax, tag string) {
	schemes[name] = &scheme{name: name, syntax: syntax, disabled: tag}
}

// Open turns a spec into a [Source]. A spec is a comma-separated chain of
// source URLs, asked in order (see [Chain]):
//
//	env                                   environment variables
//	env://?prefix=APP_                    environment variables, with a prefix
//	file:///run/secrets                   one file per key
//	dotenv://.env                         a .env file, for local development
//	vault:///secret/myapp?auth=approle    HashiCorp Vault
//	awssm://?region=eu-west-1&prefix=app/ AWS Secrets Manager
//	gcpsm://my-project                    GCP Secret Manager
//	azurekv://my-vault                    Azure Key Vault
//
// An empty spec means "env". Credentials never go in the spec; each backend
// uses its platform's standard credential chain. An unknown scheme, a
// malformed URL or an unknown parameter is an error wrapping
// [ErrInvalidSpec] that lists what is accepted; a backend left out with its
// build tag answers an error wrapping [ErrNotCompiled].
//
// The returned Source may hold connections; close it with io.Closer when
// done.
func Open(ctx context.Context, spec string) (Source, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		spec = "env"
	}
	var opened []Source
	fail := func(err error) (Source, error) {
		for _, s := range opened {
			if c, ok := s.(io.Closer); ok {
				_ = c.Close()
			}
		}
		return nil, err
	}
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return fail(fmt.Errorf("secrets: %w: empty element in chain %q", ErrInvalidSpec, spec))
		}
		s, err := openOne(ctx, part)
		if err != nil {
			return fail(err)
		}
		opened = append(opened, s)
	}
	return Chain(opened...), nil
}

func openOne(ctx context.Context, part string) (Source, error) {
	var u *url.URL
	if !strings.Contains(part, "://") {
		if _, ok := schemes[part]; !ok {
			return nil, fmt.Errorf("secrets: %w: %q is not SCHEME://...; accepted: %s", ErrInvalidSpec, part, acceptedSchemes())
		}
		u = &url.URL{Scheme: part}
	} else {
		var err error
		u, err = url.Parse(part)
		if err != nil {
			return nil, fmt.Errorf("secrets: %w: malformed URL %q; accepted: %s", ErrInvalidSpec, part, acceptedSchemes())
		}
	}
	if u.User != nil {
		return nil, fmt.Errorf("secrets: %w: credentials do not belong in the spec of %s://; use the backend's standard credential chain", ErrInvalidSpec, u.Scheme)
	}
	sc, ok := schemes[strings.ToLower(u.Scheme)]
	if !ok {
		return nil, fmt.Errorf("secrets: %w: unknown scheme %q in %q; accepted: %s", ErrInvalidSpec, u.Scheme, part, acceptedSchemes())
	}
	if sc.disabled != "" {
		return nil, fmt.Errorf("secrets: %w: %s:// was left out of this binary by the build tag %s; rebuild without it", ErrNotCompiled, sc.name, sc.disabled)
	}
	acc := "none"
	if len(sc.params) > 0 {
		acc = strings.Join(sc.params, ", ")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w: malformed query in %q; parameters accepted by %s: %s", ErrInvalidSpec, part, sc.syntax, acc)
	}
	for k, vs := range q {
		if !slices.Contains(sc.params, k) {
			return nil, fmt.Errorf("secrets: %w: unknown parameter %q for %s (%s); accepted: %s", ErrInvalidSpec, k, sc.name, sc.syntax, acc)
		}
		if len(vs) > 1 {
			return nil, fmt.Errorf("secrets: %w: parameter %q given %d times in %q; give it once", ErrInvalidSpec, k, len(vs), part)
		}
		if vs[0] == "" {
			// Most often a shell variable that was not set
			// (?location=$REGION): refuse rather than silently
			// fall back to the default.
			return nil, fmt.Errorf("secrets: %w: parameter %q is empty in %q; give it a value or leave it out", ErrInvalidSpec, k, part)
		}
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("secrets: %w: a fragment (#...) is not allowed in %q", ErrInvalidSpec, part)
	}
	s, err := sc.open(ctx, u)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func acceptedSchemes() string {
	var names []string
	for _, sc := range schemes {
		n := sc.syntax
		if sc.disabled != "" {
			n += " (not compiled in)"
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// sourceName names a Source in errors and reports.
func sourceName(s Source) string {
	if st, ok := s.(fmt.Stringer); ok {
		return st.String()
	}
	return fmt.Sprintf("%T", s)
}

// defaultSource opens the spec in SECRETS_SOURCE, "env" when unset.
func defaultSource(ctx context.Context) (Source, error) {
	src, err := Open(ctx, os.Getenv(EnvSpec))
	if err != nil {
		return nil, fmt.Errorf("secrets: %s: %w", EnvSpec, err)
	}
	return src, nil
}
