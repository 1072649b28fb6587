package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"
)

// fetched is the outcome of fetching one distinct Ref through the chain.
type fetched struct {
	Result        // Err is nil when found; wraps ErrNotFound when no source has it
	str    string // the value as a string, when strOK
	src    int32  // index in fetchResults.names of the source that served or failed it
	done   bool   // fetched at all: false for a ref refused before fetching
	strOK  bool
	isStr  bool // the source served a string: Value.Data is unset
}

// fetchResults holds one fetched per ref of a plan, and the names of the
// sources they refer to.
type fetchResults struct {
	f     []fetched
	names []string
}

// text returns the fetched value as a string, converting it once.
func (f *fetched) text() string {
	if !f.strOK {
		f.str, f.strOK = string(f.Value.Data), true
	}
	return f.str
}

// bytes returns the fetched value as bytes.
func (f *fetched) bytes() []byte {
	if f.isStr {
		return []byte(f.str)
	}
	return f.Value.Data
}

// fetchAll fetches every distinct ref of plan once, except those marked in
// skip (which may be nil). Sources are asked in order: the first for every
// ref, the next only for the misses of the first, and so on. A source that
// is a Batcher gets all its refs in one LookupBatch call; other sources get
// concurrent Lookups, at most limit (or the source's own MaxConcurrency
// when limit is 0) in flight.
func fetchAll(ctx context.Context, sources []Source, plan *typePlan, skip []bool, limit int) fetchResults {
	refs := plan.refs
	res := fetchResults{f: make([]fetched, len(refs)), names: make([]string, len(sources), len(sources)+1)}
	pending, idx := refs, []int(nil) // idx maps pending to refs; nil is the identity
	if skip != nil {
		pending, idx = nil, []int{}
		for i, ref := range refs {
			if !skip[i] {
				pending = append(pending, ref)
				idx = append(idx, i)
			}
		}
	}
	for k, src := range sources {
		if len(pending) == 0 {
			break
		}
		res.names[k] = sourceName(src)
		fetchFrom(ctx, src, int32(k), res.names[k], plan, pending, idx, res.f, limit)
		var misses []Ref
		var missIdx []int
		for i, ref := range pending {
			j := i
			if idx != nil {
				j = idx[i]
			}
			if err := res.f[j].Err; err != nil && errors.Is(err, ErrNotFound) {
				misses = append(misses, ref)
				missIdx = append(missIdx, j)
			}
		}
		pending, idx = misses, missIdx
	}
	if len(sources) > 1 && len(pending) > 0 {
		res.names = append(res.names, sourceName(Chain(sources...)))
		all := int32(len(res.names) - 1)
		for _, j := range idx {
			res.f[j] = fetched{src: all, done: true, Result: Result{Err: fmt.Errorf("no source has it: %w", ErrNotFound)}}
		}
	}
	return res
}

// fetchFrom asks source number k, src, named name, for refs and stores
// each outcome in out[idx[i]] (out[i] when idx is nil).
func fetchFrom(ctx context.Context, src Source, k int32, name string, plan *typePlan, refs []Ref, idx []int, out []fetched, limit int) {
	at := func(i int) int {
		if idx != nil {
			return idx[i]
		}
		return i
	}
	if b, ok := src.(Batcher); ok {
		res := b.LookupBatch(ctx, slices.Clone(refs))
		if len(res) != len(refs) {
			err := fmt.Errorf("source %s returned %d results for %d refs", name, len(res), len(refs))
			res = make([]Result, len(refs))
			for i := range res {
				res[i].Err = err
			}
		}
		for i := range refs {
			out[at(i)] = fetched{Result: res[i], src: k, done: true}
		}
		return
	}
	if limit <= 0 {
		limit = DefaultConcurrency
		if cl, ok := src.(ConcurrencyLimiter); ok && cl.MaxConcurrency() > 0 {
			limit = cl.MaxConcurrency()
		}
	}
	env, _ := src.(*Env)
	if env != nil && env.Prefix != "" {
		env = nil
	}
	lookupString := stringLookup(src)
	one := func(i int) {
		j := at(i)
		var s string
		var err error
		switch {
		case env != nil:
			s, err = env.lookupVar(ctx, plan.envVars[j])
		case lookupString != nil:
			s, err = lookupString(ctx, refs[i])
		default:
			v, err := src.Lookup(ctx, refs[i])
			out[j] = fetched{Result: Result{Value: v, Err: err}, src: k, done: true}
			return
		}
		out[j] = fetched{Result: Result{Err: err}, src: k, done: true, str: s, strOK: err == nil, isStr: err == nil}
	}
	if limit == 1 || len(refs) == 1 {
		for i := range refs {
			one(i)
		}
		return
	}
	var g errgroup.Group
	g.SetLimit(limit)
	for i := range refs {
		g.Go(func() error {
			one(i)
			return nil
		})
	}
	_ = g.Wait()
}

// stringLookup returns the lookupString method of the sources of this
// package whose values are strings already, sparing a copy into
// Value.Data and back; nil for any other source. It matches concrete
// types only, so that a type embedding one of them and overriding Lookup
// is asked through its own Lookup.
func stringLookup(src Source) func(context.Context, Ref) (string, error) {
	switch s := src.(type) {
	case *Env:
		return s.lookupString
	case Map:
		return s.lookupString
	case *Dotenv:
		return s.lookupString
	}
	return nil
}
