package secrets_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
	"github.com/fathom-dev/secrets/secretstest"
)

// batchMap is a Map with a batch ability, to test that the Loader uses it.
type batchMap struct{ secrets.Map }

func (b batchMap) LookupBatch(ctx context.Context, refs []secrets.Ref) []secrets.Result {
	out := make([]secrets.Result, len(refs))
	for i, r := range refs {
		out[i].Value, out[i].Err = b.Lookup(ctx, r)
	}
	return out
}

func TestPlanDedupesByKeyAndVersion(t *testing.T) {
	src := secretstest.NewCounter(secrets.Map{"db": `{"user":"u","pass":"p","port":"5"}`, "k": "v"})
	var c struct {
		User  string `secret:"db#user"`
		Pass  string `secret:"db#pass"`
		Port  int    `secret:"db#port"`
		K1    string `secret:"k"`
		K2    string `secret:"k"`
		K3    string `secret:"k,version=2"`
		Inner struct {
			K string `secret:"k"`
		} `secret:",prefix="`
	}
	require.NoError(t, secrets.Load(context.Background(), &c, src))
	cnt := secretstest.CounterOf(src)
	assert.Equal(t, 1, cnt.Lookups(secrets.Ref{Key: "db"}), "one lookup serves every #field")
	assert.Equal(t, 1, cnt.Lookups(secrets.Ref{Key: "k"}))
	assert.Equal(t, 1, cnt.Lookups(secrets.Ref{Key: "k", Version: "2"}))
	assert.Equal(t, 3, cnt.TotalLookups())
}

func TestPlanUsesBatch(t *testing.T) {
	m := secrets.Map{}
	for i := range 30 {
		m[fmt.Sprintf("k%d", i)] = "v"
	}
	m["k2"] = `{"g":1}`
	src := secretstest.NewCounter(batchMap{m})
	var c struct {
		A []string `secret:"k0"`
		B string   `secret:"k1"`
		C string   `secret:"k2#f,optional"`
		D string   `secret:"missing,optional"`
	}
	require.NoError(t, secrets.Load(context.Background(), &c, src))
	cnt := secretstest.CounterOf(src)
	assert.Equal(t, 0, cnt.TotalLookups())
	require.Len(t, cnt.Batches(), 1)
	assert.Len(t, cnt.Batches()[0], 4)
}

func TestPlanChainAsksOnlyMisses(t *testing.T) {
	first := secretstest.NewCounter(batchMap{secrets.Map{"a": "1", "b": "2"}})
	second := secretstest.NewCounter(batchMap{secrets.Map{"a": "x", "c": "3", "d": "4"}})
	third := secretstest.NewCounter(secrets.Map{"e": "5"})
	type cfg struct {
		A string `secret:"a"`
		B string `secret:"b"`
		C string `secret:"c"`
		D string `secret:"d"`
		E string `secret:"e"`
		F string `secret:"f,optional"`
	}
	var got cfg
	require.NoError(t, secrets.Load(context.Background(), &got, secrets.Chain(first, second), third))
	assert.Equal(t, cfg{A: "1", B: "2", C: "3", D: "4", E: "5"}, got)
	b1 := secretstest.CounterOf(first).Batches()
	b2 := secretstest.CounterOf(second).Batches()
	require.Len(t, b1, 1)
	require.Len(t, b2, 1)
	assert.Len(t, b1[0], 6, "first source asked for everything at once")
	assert.ElementsMatch(t, []secrets.Ref{{Key: "c"}, {Key: "d"}, {Key: "e"}, {Key: "f"}}, b2[0], "second only for the misses")
	c3 := secretstest.CounterOf(third)
	assert.Equal(t, 2, c3.TotalLookups())
	assert.Equal(t, 1, c3.Lookups(secrets.Ref{Key: "e"}))
	assert.Equal(t, 1, c3.Lookups(secrets.Ref{Key: "f"}))
}

// gate is a source whose lookups block until released, counting how many
// are in flight.
type gate struct {
	inFlight, peak atomic.Int32
	delay          time.Duration
	limit          int
}

func (g *gate) Lookup(ctx context.Context, ref secrets.Ref) (secrets.Value, error) {
	n := g.inFlight.Add(1)
	defer g.inFlight.Add(-1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	select {
	case <-time.After(g.delay):
		return secrets.Value{Data: []byte(ref.Key)}, nil
	case <-ctx.Done():
		return secrets.Value{}, ctx.Err()
	}
}

func (g *gate) MaxConcurrency() int { return g.limit }

func loadN(t *testing.T, l *secrets.Loader, n int) error {
	t.Helper()
	dst := newNFieldStruct(n)
	return l.Load(context.Background(), dst)
}

func TestPlanConcurrencyBound(t *testing.T) {
	tests := []struct {
		name        string
		loaderLimit int
		sourceLimit int
		want        int32
	}{
		{"default lets 50 run at once", 0, 0, 50},
		{"loader option", 4, 0, 4},
		{"source limit", 0, 8, 8},
		{"loader option wins over source", 3, 8, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := &gate{delay: 30 * time.Millisecond, limit: tc.sourceLimit}
			l := &secrets.Loader{Sources: []secrets.Source{g}, Concurrency: tc.loaderLimit}
			require.NoError(t, loadN(t, l, 50))
			assert.Equal(t, tc.want, g.peak.Load())
		})
	}
}

func TestPlanDeadlineCoversAllFetches(t *testing.T) {
	g := &gate{delay: time.Hour}
	l := &secrets.Loader{Sources: []secrets.Source{g}, Timeout: 50 * time.Millisecond, Concurrency: 2}
	err := loadN(t, l, 10)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var le *secrets.LoadError
	require.ErrorAs(t, err, &le)
	assert.Len(t, le.Fields, 10, "every field fails under the one deadline")
}

func TestLoadConcurrentUse(t *testing.T) {
	src := secrets.Map{"a": "1", "b": "2"}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			var c struct {
				A int `secret:"a"`
				B int `secret:"b"`
			}
			assert.NoError(t, secrets.Load(context.Background(), &c, src))
			assert.Equal(t, 1, c.A)
		})
	}
	wg.Wait()
}
