package secrets

import (
	"context"
	"fmt"
)

// Map is an in-memory [Source], for tests and embedded defaults. Keys are
// canonical keys, used as they are. Map keeps no versions: it ignores
// [Ref.Version] and serves its only value.
type Map map[string]string

var (
	_ Source             = Map(nil)
	_ ConcurrencyLimiter = Map(nil)
)

// Lookup returns m[ref.Key], or an error wrapping [ErrNotFound].
func (m Map) Lookup(ctx context.Context, ref Ref) (Value, error) {
	v, err := m.lookupString(ctx, ref)
	if err != nil {
		return Value{}, err
	}
	return Value{Data: []byte(v)}, nil
}

// lookupString is Lookup returning the value as a string, which spares
// the Loader a copy.
func (m Map) lookupString(ctx context.Context, ref Ref) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	v, ok := m[ref.Key]
	if !ok {
		return "", fmt.Errorf("map: key %q: %w", ref.Key, ErrNotFound)
	}
	return v, nil
}

// MaxConcurrency returns 1: reading a map is cheaper than starting a
// goroutine, so the [Loader] reads keys one after the other.
func (m Map) MaxConcurrency() int { return 1 }

// String names the source in errors and reports.
func (m Map) String() string { return "map" }
