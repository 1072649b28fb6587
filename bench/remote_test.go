package bench

import (
	"context"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fathom-dev/secrets"
)

// roundTrip is the latency of one call to the simulated remote source.
const roundTrip = 20 * time.Millisecond

// remoteKeys is how many distinct keys the remote benchmarks load.
const remoteKeys = 50

// slowSource is a remote Source whose every Lookup takes one roundTrip,
// or less if ctx ends first.
type slowSource struct{ calls atomic.Int64 }

func (s *slowSource) Lookup(ctx context.Context, ref secrets.Ref) (secrets.Value, error) {
	s.calls.Add(1)
	if err := sleep(ctx, roundTrip); err != nil {
		return secrets.Value{}, err
	}
	return secrets.Value{Data: []byte("value-of-" + ref.Key)}, nil
}

func (s *slowSource) String() string { return "slow" }

// slowBatcher is a slowSource that can also fetch any number of keys in
// one LookupBatch call taking one roundTrip.
type slowBatcher struct {
	slowSource
	batches atomic.Int64
}

func (s *slowBatcher) LookupBatch(ctx context.Context, refs []secrets.Ref) []secrets.Result {
	s.batches.Add(1)
	out := make([]secrets.Result, len(refs))
	err := sleep(ctx, roundTrip)
	for i, ref := range refs {
		if err != nil {
			out[i].Err = err
			continue
		}
		out[i].Value.Data = []byte("value-of-" + ref.Key)
	}
	return out
}

var (
	_ secrets.Source  = (*slowSource)(nil)
	_ secrets.Batcher = (*slowBatcher)(nil)
)

// sleep waits d, honouring ctx.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// keysType is a struct type of n string fields, tagged `tag:"key_I"`.
func keysType(n int, tag string) reflect.Type {
	fields := make([]reflect.StructField, n)
	for i := range fields {
		fields[i] = reflect.StructField{
			Name: fmt.Sprintf("Key%d", i),
			Type: reflect.TypeFor[string](),
			Tag:  reflect.StructTag(fmt.Sprintf(`%s:"key_%d"`, tag, i)),
		}
	}
	return reflect.StructOf(fields)
}

// reportRoundTrips reports the wall time of one op in round trips.
func reportRoundTrips(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(roundTrip), "roundtrips/op")
}

// BenchmarkRemote50 loads 50 distinct keys from a source whose every call
// takes 20 ms, and reports wall time per load in round trips
// (roundtrips/op): 1 is the floor, a sequential loader scores 50.
//
//   - secrets: the Loader with its defaults, against a plain Source
//     (concurrent Lookups, DefaultConcurrency in flight);
//   - secrets-batch: the Loader against a Batcher (one LookupBatch);
//   - sequential: the reference, 50 Lookups one after the other, which is
//     what a field-by-field loader such as caarlos0/env or
//     go-envconfig (which have no remote sources) would do.
func BenchmarkRemote50(b *testing.B) {
	ctx := context.Background()
	b.Run("secrets", func(b *testing.B) {
		src, typ := &slowSource{}, keysType(remoteKeys, "secret")
		for b.Loop() {
			if err := secrets.Load(ctx, reflect.New(typ).Interface(), src); err != nil {
				b.Fatal(err)
			}
		}
		reportRoundTrips(b)
		b.ReportMetric(float64(src.calls.Load())/float64(b.N), "lookups/op")
	})
	b.Run("secrets-batch", func(b *testing.B) {
		src, typ := &slowBatcher{}, keysType(remoteKeys, "secret")
		for b.Loop() {
			if err := secrets.Load(ctx, reflect.New(typ).Interface(), src); err != nil {
				b.Fatal(err)
			}
		}
		reportRoundTrips(b)
		b.ReportMetric(float64(src.batches.Load())/float64(b.N), "batches/op")
	})
	b.Run("sequential", func(b *testing.B) {
		src := &slowSource{}
		refs := make([]secrets.Ref, remoteKeys)
		for i := range refs {
			refs[i] = secrets.Ref{Key: fmt.Sprintf("key_%d", i)}
		}
		for b.Loop() {
			for _, ref := range refs {
				if _, err := src.Lookup(ctx, ref); err != nil {
					b.Fatal(err)
				}
			}
		}
		reportRoundTrips(b)
		b.ReportMetric(float64(src.calls.Load())/float64(b.N), "lookups/op")
	})
}
