// Package secrets loads typed configuration and secrets into Go structs from
// environment variables, secret files, HashiCorp Vault, AWS Secrets Manager,
// GCP Secret Manager and Azure Key Vault.
//
// A service tags its fields once:
//
//	type Config struct {
//		DatabaseURL string         `secret:"database_url"`
//		StripeKey   secrets.String `secret:"stripe_api_key"`
//		Port        int            `secret:"port,default=8080"`
//	}
//
// and [Load] fills them from the sources named by the SECRETS_SOURCE
// environment variable (see [Open]). Moving from environment variables to
// Vault or a cloud secret manager is then a change of configuration, not of
// code.
//
// A [Source] only fetches one secret by [Ref]. Everything shared — tag
// parsing, name mapping, JSON field extraction, defaults, decoding, chain
// precedence, fetch planning, error collection and redaction — belongs to the
// [Loader]. Extra abilities of a source, such as fetching many secrets in one
// call ([Batcher]), are optional interfaces found by type assertion.
package secrets

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned, wrapped, by a [Source] when the requested key (or
// version) does not exist. Test for it with errors.Is, never ==.
var ErrNotFound = errors.New("secret not found")

// Ref names one secret to fetch.
type Ref struct {
	Key     string // canonical key, without any #field part
	Version string // "" means the current version
}

// Value is a fetched secret: its bytes plus what the backend knows about it.
type Value struct {
	Data    []byte
	Version string    // version the backend served, when it reports one
	Expires time.Time // lease end of a dynamic secret; zero when none
}

// Source fetches secrets. Implementations must be safe for concurrent use,
// honour ctx, and return an error wrapping [ErrNotFound] when the key does
// not exist. An error must never contain the secret's value.
//
// A Source that also implements fmt.Stringer is named by that string in
// errors and reports; the string must not contain credentials.
type Source interface {
	Lookup(ctx context.Context, ref Ref) (Value, error)
}

// SourceFunc adapts an ordinary function to a [Source].
type SourceFunc func(ctx context.Context, ref Ref) (Value, error)

// Lookup calls f(ctx, ref).
func (f SourceFunc) Lookup(ctx context.Context, ref Ref) (Value, error) { return f(ctx, ref) }

var _ Source = SourceFunc(nil)

// Result is the outcome of fetching one [Ref] in a batch.
type Result struct {
	Value Value
	Err   error // wraps ErrNotFound when the secret does not exist
}

// Batcher is an optional interface of a [Source] that can fetch many secrets
// in fewer round trips than one per secret (AWS BatchGetSecretValue, one
// read of a JSON document holding many keys, ...). The [Loader] uses it when
// present.
//
// LookupBatch returns one Result per ref, in the same order. An error that
// affects the whole call is reported in every Result.
type Batcher interface {
	Source
	LookupBatch(ctx context.Context, refs []Ref) []Result
}

// ConcurrencyLimiter is an optional interface of a [Source] that tells the
// [Loader] how many Lookup calls it may have in flight at once, for backends
// whose documented rate limits are lower than the Loader's default.
type ConcurrencyLimiter interface {
	MaxConcurrency() int
}

// Namer is an optional interface of a [Source] whose native names are
// coarser than canonical keys (Azure Key Vault allows only letters, digits
// and '-', compared case-insensitively). NativeName returns the name key
// is stored under, in a canonical case. The [Loader] refuses a struct in
// which two different keys map to the same native name of a source, before
// fetching anything.
type Namer interface {
	NativeName(key string) string
}
