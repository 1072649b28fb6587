package secrets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"
)

// fetched is the outcome of fetching one distinct Ref through the chain.
type fetched struct {
	err   error  // nil when found; wraps ErrNotFound when no source has it
	str   string // the value as a string, when strOK
	val   *Value // the value, unless a source of strings served it
	src   int32  // index in fetchResults.names of the source that served or failed it
	done  bool   // fetched at all: false for a ref refused before fetching
	strOK bool
}

// fetchResults holds one fetched per ref of a plan, the values they point
// to, and the names of the sources they refer to.
type fetchResults struct {
	f     []fetched
	vals  []Value // allocated when a source serves a Value
	names []string
}

// setValue records v, or err, as the outcome of ref j from source k.
func (r *fetchResults) setValue(j int, k int32, v Value, err error) {
	if r.vals == nil {
		r.vals = make([]Value, len(r.f))
	}
	r.vals[j] = v
	r.f[j] = fetched{err: err, val: &r.vals[j], src: k, done: true}
}

// text returns the fetched value as a string, converting it once.
func (f *fetched) text() string {
	if !f.strOK {
		f.str, f.strOK = string(f.val.Data), true
	}
	return f.str
}

// bytes returns the fetched value as bytes.
func (f *fetched) bytes() []byte {
	if f.val == nil {
		return []byte(f.str)
	}
	return f.val.Data
}

// value returns the version and lease end of the fetched value.
func (f *fetched) value() (version string, expires time.Time) {
	if f.val == nil {
		return "", time.Time{}
	}
	return f.val.Version, f.val.Expires
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
		fetchFrom(ctx, src, int32(k), res.names[k], plan, pending, idx, &res, limit)
		var misses []Ref
		var missIdx []int
		for i, ref := range pending {
			j := i
			if idx != nil {
				j = idx[i]
			}
			if err := res.f[j].err; err != nil && errors.Is(err, ErrNotFound) {
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
			res.f[j] = fetched{src: all, done: true, err: fmt.Errorf("no source has it: %w", ErrNotFound)}
		}
	}
	return res
}

// fetchFrom asks source number k, src, named name, for refs and stores
// each outcome in res at idx[i] (at i when idx is nil).
func fetchFrom(ctx context.Context, src Source, k int32, name string, plan *typePlan, refs []Ref, idx []int, res *fetchResults, limit int) {
	at := func(i int) int {
		if idx != nil {
			return idx[i]
		}
		return i
	}
	if b, ok := src.(Batcher); ok {
		got := b.LookupBatch(ctx, slices.Clone(refs))
		if len(got) != len(refs) {
			err := fmt.Errorf("source %s returned %d results for %d refs", name, len(got), len(refs))
			got = make([]Result, len(refs))
			for i := range got {
				got[i].Err = err
			}
		}
		for i := range refs {
			res.setValue(at(i), k, got[i].Value, got[i].Err)
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
	if env == nil && lookupString == nil && res.vals == nil {
		res.vals = make([]Value, len(res.f)) // before the goroutines write to it
	}
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
			res.setValue(j, k, v, err)
			return
		}
		res.f[j] = fetched{err: err, src: k, done: true, str: s, strOK: err == nil}
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
	}
	for _, f := range extraStringLookups {
		if fn := f(src); fn != nil {
			return fn
		}
	}
	return nil
}

// extraStringLookups lets sources compiled in by their own file (dotenv,
// which has an opt-out build tag) join stringLookup's fast path.
var extraStringLookups []func(Source) func(context.Context, Ref) (string, error)
