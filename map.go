package secrets

import (
	"context"
	"fmt"
)

// Map is an in-memory [Source], for tests and embedded defaults. Keys are
// canonical keys, used as they are. Map keeps no versions: it ignores
// [Ref.Version] and serves its only value.
type Map map[string]string

var _ Source = Map(nil)

// Lookup returns m[ref.Key], or an error wrapping [ErrNotFound].
func (m Map) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, err
	}
	v, ok := m[ref.Key]
	if !ok {
		return Value{}, fmt.Errorf("map: key %q: %w", ref.Key, ErrNotFound)
	}
	return Value{Data: []byte(v)}, nil
}

// String names the source in errors and reports.
func (m Map) String() string { return "map" }
