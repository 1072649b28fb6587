package secretstest

import (
	"context"
	"sync"

	"github.com/fathom-dev/secrets"
)

// Counter wraps a Source and counts the calls made to it, for tests of
// fetch planning. It passes LookupBatch through only when the wrapped
// source is a [secrets.Batcher]; use [NewCounter].
type Counter struct {
	src secrets.Source

	mu       sync.Mutex
	lookups  map[secrets.Ref]int
	batches  [][]secrets.Ref
	inFlight int
	maxIn    int
}

// NewCounter returns a counting wrapper of src. The result implements
// [secrets.Batcher] exactly when src does.
func NewCounter(src secrets.Source) secrets.Source {
	c := &Counter{src: src, lookups: map[secrets.Ref]int{}}
	if _, ok := src.(secrets.Batcher); ok {
		return &batchCounter{c}
	}
	return c
}

// CounterOf returns the Counter behind a source made by NewCounter.
func CounterOf(s secrets.Source) *Counter {
	switch c := s.(type) {
	case *Counter:
		return c
	case *batchCounter:
		return c.Counter
	}
	return nil
}

// Lookup counts and forwards one lookup.
func (c *Counter) Lookup(ctx context.Context, ref secrets.Ref) (secrets.Value, error) {
	c.enter()
	defer c.leave()
	c.mu.Lock()
	c.lookups[ref]++
	c.mu.Unlock()
	return c.src.Lookup(ctx, ref)
}

func (c *Counter) enter() {
	c.mu.Lock()
	c.inFlight++
	c.maxIn = max(c.maxIn, c.inFlight)
	c.mu.Unlock()
}

func (c *Counter) leave() {
	c.mu.Lock()
	c.inFlight--
	c.mu.Unlock()
}

// String names the wrapped source.
func (c *Counter) String() string {
	if s, ok := c.src.(interface{ String() string }); ok {
		return s.String()
	}
	return "counter"
}

// Lookups returns how many single lookups were made for ref.
func (c *Counter) Lookups(ref secrets.Ref) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lookups[ref]
}

// TotalLookups returns how many single lookups were made in all.
func (c *Counter) TotalLookups() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.lookups {
		n += v
	}
	return n
}

// Batches returns the refs of every LookupBatch call, in call order.
func (c *Counter) Batches() [][]secrets.Ref {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]secrets.Ref(nil), c.batches...)
}

// MaxInFlight returns the largest number of calls that were in flight at
// once.
func (c *Counter) MaxInFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxIn
}

type batchCounter struct{ *Counter }

// LookupBatch counts and forwards one batch.
func (b *batchCounter) LookupBatch(ctx context.Context, refs []secrets.Ref) []secrets.Result {
	b.enter()
	defer b.leave()
	b.mu.Lock()
	b.batches = append(b.batches, append([]secrets.Ref(nil), refs...))
	b.mu.Unlock()
	return b.src.(secrets.Batcher).LookupBatch(ctx, refs)
}

// NativeName forwards to the wrapped source when it is a [secrets.Namer];
// otherwise names are the keys themselves, which never collide.
func (c *Counter) NativeName(key string) string {
	if n, ok := c.src.(secrets.Namer); ok {
		return n.NativeName(key)
	}
	return key
}

// MaxConcurrency forwards to the wrapped source when it is a
// [secrets.ConcurrencyLimiter]; 0 (no bound of its own) otherwise.
func (c *Counter) MaxConcurrency() int {
	if l, ok := c.src.(secrets.ConcurrencyLimiter); ok {
		return l.MaxConcurrency()
	}
	return 0
}
