package secrets

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// fetched is the outcome of fetching one distinct Ref through the chain.
type fetched struct {
	value  Value
	source string // name of the source that served it, or failed it
	err    error  // nil when found; wraps ErrNotFound when no source has it
}

// fetchAll fetches every distinct ref once. Sources are asked in order: the
// first for every ref, the next only for the misses of the first, and so
// on. A source that is a Batcher gets all its refs in one LookupBatch call;
// other sources get concurrent Lookups, at most limit (or the source's own
// MaxConcurrency when limit is 0) in flight.
func fetchAll(ctx context.Context, sources []Source, refs []Ref, limit int) map[Ref]*fetched {
	out := make(map[Ref]*fetched, len(refs))
	pending := refs
	for _, src := range sources {
		if len(pending) == 0 {
			break
		}
		name := sourceName(src)
		results := fetchFrom(ctx, src, pending, limit)
		var misses []Ref
		for i, ref := range pending {
			r := results[i]
			switch {
			case r.Err == nil:
				out[ref] = &fetched{value: r.Value, source: name}
			case errors.Is(r.Err, ErrNotFound):
				out[ref] = &fetched{source: name, err: r.Err}
				misses = append(misses, ref)
			default:
				out[ref] = &fetched{source: name, err: r.Err}
			}
		}
		pending = misses
	}
	if len(sources) > 1 {
		all := sourceName(Chain(sources...))
		for _, ref := range pending {
			out[ref] = &fetched{source: all, err: fmt.Errorf("no source has it: %w", ErrNotFound)}
		}
	}
	return out
}

// fetchFrom asks one source for refs and returns one Result per ref.
func fetchFrom(ctx context.Context, src Source, refs []Ref, limit int) []Result {
	if b, ok := src.(Batcher); ok {
		res := b.LookupBatch(ctx, refs)
		if len(res) != len(refs) {
			err := fmt.Errorf("source %s returned %d results for %d refs", sourceName(src), len(res), len(refs))
			res = make([]Result, len(refs))
			for i := range res {
				res[i].Err = err
			}
		}
		return res
	}
	if limit <= 0 {
		limit = DefaultConcurrency
		if cl, ok := src.(ConcurrencyLimiter); ok && cl.MaxConcurrency() > 0 {
			limit = cl.MaxConcurrency()
		}
	}
	res := make([]Result, len(refs))
	if len(refs) == 1 {
		res[0].Value, res[0].Err = src.Lookup(ctx, refs[0])
		return res
	}
	var g errgroup.Group
	g.SetLimit(limit)
	for i, ref := range refs {
		g.Go(func() error {
			res[i].Value, res[i].Err = src.Lookup(ctx, ref)
			return nil
		})
	}
	_ = g.Wait()
	return res
}
