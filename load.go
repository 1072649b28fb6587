package secrets

import (
	"context"
	"errors"
	"log/slog"
)

// DefaultConcurrency is how many lookups a [Loader] keeps in flight at once
// when neither the Loader nor the source says otherwise.
const DefaultConcurrency = 64

// Loader loads tagged structs. Its zero value is ready to use and reads
// SECRETS_SOURCE like [Load].
type Loader struct {
	// Sources are asked in order, as by [Chain]. Empty means
	// Open(ctx, os.Getenv("SECRETS_SOURCE")), and "env" when that is empty.
	Sources []Source
	// Concurrency bounds the lookups in flight at once; 0 means
	// [DefaultConcurrency], or less when a source is a [ConcurrencyLimiter].
	Concurrency int
	// Logger, when set, receives one audit record per key fetched: field,
	// key, source and version, never the value.
	Logger *slog.Logger
}

// Load fills the struct dst points to from sources; see [Loader.Load].
func Load(ctx context.Context, dst any, sources ...Source) error {
	l := Loader{Sources: sources}
	return l.Load(ctx, dst)
}

// Load fills the tagged fields of the struct dst points to.
func (l *Loader) Load(ctx context.Context, dst any) error {
	return errors.New("secrets: Load is being written")
}
