package secrets

import (
	"context"
	"errors"
	"io"
	"strings"
)

// Chain returns a [Source] that asks sources in order; the first that has
// the key wins. A source that fails with an error other than [ErrNotFound]
// fails the lookup: it is not skipped, so an outage of one backend never
// silently falls through to a stale value in the next.
//
// The [Loader] understands chains: it asks the first source for every key,
// then only the misses from the next, so batching sources keep batching.
func Chain(sources ...Source) Source {
	var flat []Source
	for _, s := range sources {
		if s == nil {
			continue
		}
		if c, ok := s.(*chain); ok {
			flat = append(flat, c.sources...)
			continue
		}
		flat = append(flat, s)
	}
	if len(flat) == 1 {
		return flat[0]
	}
	return &chain{sources: flat}
}

type chain struct {
	sources []Source
}

var (
	_ Source    = (*chain)(nil)
	_ io.Closer = (*chain)(nil)
)

// Lookup asks each source in turn.
func (c *chain) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if len(c.sources) == 0 {
		return Value{}, ErrNotFound
	}
	var err error
	for _, s := range c.sources {
		var v Value
		v, err = s.Lookup(ctx, ref)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Value{}, err
		}
	}
	return Value{}, err
}

// String lists the chained sources, comma-separated, as a spec would.
func (c *chain) String() string {
	names := make([]string, len(c.sources))
	for i, s := range c.sources {
		names[i] = sourceName(s)
	}
	return strings.Join(names, ",")
}

// Close closes every chained source that implements io.Closer and returns
// their errors joined.
func (c *chain) Close() error {
	var errs []error
	for _, s := range c.sources {
		if cl, ok := s.(io.Closer); ok {
			errs = append(errs, cl.Close())
		}
	}
	return errors.Join(errs...)
}

// flatten returns the sources a Source stands for: the members of a chain,
// or the source itself.
func flatten(s Source) []Source {
	if c, ok := s.(*chain); ok {
		return c.sources
	}
	return []Source{s}
}
