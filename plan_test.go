//go:build !secrets_nodotenv

package secrets_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

func TestPlanCacheServesLaterLoadsOfTheSameType(t *testing.T) {
	type Config struct {
		A   string `secret:"a"`
		N   int    `secret:"n,default=7"`
		Bad string `secret:"b,bogus"`
	}
	for _, want := range []string{"first", "second"} {
		var c Config
		err := secrets.Load(context.Background(), &c, secrets.Map{"a": want, "n": "x"})
		var le *secrets.LoadError
		require.ErrorAs(t, err, &le)
		require.Len(t, le.Fields, 2, "the tag error and the parse error, on every load")
		assert.Equal(t, "Config.Bad", le.Fields[0].Field)
		assert.Equal(t, "Config.N", le.Fields[1].Field)
		// The errors are the caller's: changing them changes nothing in
		// the next load.
		le.Fields[0].Field = "changed"
	}
	type Good struct {
		A string `secret:"a"`
		N int    `secret:"n,default=7"`
	}
	for _, want := range []string{"first", "second"} {
		var c Good
		require.NoError(t, secrets.Load(context.Background(), &c, secrets.Map{"a": want}))
		assert.Equal(t, Good{A: want, N: 7}, c)
	}
}

// peakLookupEnv returns a LookupEnv that serves every variable but the
// _FILE ones, taking a millisecond, and records how many calls overlap.
func peakLookupEnv(peak *atomic.Int32) func(string) (string, bool) {
	var in atomic.Int32
	return func(name string) (string, bool) {
		n := in.Add(1)
		defer in.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(time.Millisecond)
		return "v-" + name, !strings.HasSuffix(name, "_FILE")
	}
}

func TestLocalSourcesAreReadOneAfterTheOther(t *testing.T) {
	for _, src := range []secrets.Source{&secrets.Env{}, secrets.Map{}, &secrets.Dotenv{}} {
		cl, ok := src.(secrets.ConcurrencyLimiter)
		require.True(t, ok, "%T", src)
		assert.Equal(t, 1, cl.MaxConcurrency(), "%T", src)
	}
	files, err := secrets.NewFiles(t.TempDir())
	require.NoError(t, err)
	assert.Equal(t, 1, files.MaxConcurrency())

	var peak atomic.Int32
	env := &secrets.Env{LookupEnv: peakLookupEnv(&peak)}
	dst := newNFieldStruct(20)
	require.NoError(t, secrets.Load(context.Background(), dst, env))
	assert.Equal(t, int32(1), peak.Load(), "Env is read sequentially by default")

	peak.Store(0)
	l := secrets.Loader{Sources: []secrets.Source{env}, Concurrency: 8}
	require.NoError(t, l.Load(context.Background(), newNFieldStruct(20)))
	assert.Greater(t, peak.Load(), int32(1), "an explicit Loader.Concurrency still applies")
}

// shoutingEnv embeds Env and overrides Lookup: the Loader must ask it
// through its own Lookup, not through Env's shortcuts.
type shoutingEnv struct{ *secrets.Env }

func (s shoutingEnv) Lookup(ctx context.Context, ref secrets.Ref) (secrets.Value, error) {
	v, err := s.Env.Lookup(ctx, ref)
	v.Data = []byte(strings.ToUpper(string(v.Data)))
	return v, err
}

func TestWrappedEnvIsAskedThroughItsLookup(t *testing.T) {
	t.Setenv("GREETING", "hello")
	var c struct {
		G string `secret:"greeting"`
	}
	require.NoError(t, secrets.Load(context.Background(), &c, shoutingEnv{&secrets.Env{}}))
	assert.Equal(t, "HELLO", c.G)
}

func TestKeyCollisionWithPrefixedEnvAndDotenv(t *testing.T) {
	var c struct {
		A string `secret:"db.password"`
		B string `secret:"db_password"`
	}
	env := &secrets.Env{Prefix: "APP_", LookupEnv: func(n string) (string, bool) { return "v", !strings.HasSuffix(n, "_FILE") }}
	dotenv, err := secrets.ParseDotenv("test", strings.NewReader("APP_DB_PASSWORD=x\n"), "APP_")
	require.NoError(t, err)
	for _, src := range []secrets.Source{env, dotenv} {
		err := secrets.Load(context.Background(), &c, src)
		require.ErrorIs(t, err, secrets.ErrKeyCollision, "%v", src)
		assert.Contains(t, err.Error(), "APP_DB_PASSWORD")
	}
}
