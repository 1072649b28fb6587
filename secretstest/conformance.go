// Package secretstest holds public test helpers for secrets sources: a
// conformance suite every [secrets.Source] passes, like go-cloud's drivertest
// or testing/fstest, and a counting wrapper for tests of fetch planning.
package secretstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

// Harness tells [Run] how to make sources of one kind.
type Harness struct {
	// New returns a Source holding exactly data (key -> value). Keys are
	// lower-case letters, digits and '_'. It is called once per subtest and
	// must register its own cleanup with t.
	New func(t *testing.T, data map[string][]byte) secrets.Source

	// Versions, when set, returns a Source in which key holds values as
	// successive versions, the last one current, and the version ids the
	// backend gave them, in the same order. Leave it nil for sources that
	// keep no versions.
	Versions func(t *testing.T, key string, values [][]byte) (secrets.Source, []string)

	// MissingVersion is a version id, in the backend's format, that no
	// secret has. When set with Versions, the suite checks that asking for
	// it is ErrNotFound.
	MissingVersion string

	// NoBinary is true when the source cannot hold arbitrary bytes
	// (environment variables cannot hold NUL; JSON-based stores hold text).
	NoBinary bool

	// NoEmpty is true when the source cannot hold an empty value.
	NoEmpty bool
}

// Conformance keys and values. Values are distinct, so a value showing up in
// an error message is caught.
const (
	keyAlpha     = "conformance_alpha"
	keyBeta      = "conformance_beta"
	keyEmpty     = "conformance_empty"
	keyMultiline = "conformance_multiline"
	keyBinary    = "conformance_binary"
	keyMissing   = "conformance_missing"
	keyVersioned = "conformance_versioned"
)

var (
	valAlpha     = []byte("alpha-s3cr3t-value")
	valBeta      = []byte("beta-s3cr3t-value")
	valMultiline = []byte("first line s3cr3t\nsecond line\r\n\tindented päss ✓")
)

func binaryValue() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// Run runs the conformance suite against sources made by h. Every Source of
// this module passes it; third-party sources should too.
func Run(t *testing.T, h Harness) {
	t.Helper()
	require.NotNil(t, h.New, "Harness.New is required")

	data := func() map[string][]byte {
		d := map[string][]byte{
			keyAlpha:     valAlpha,
			keyBeta:      valBeta,
			keyMultiline: valMultiline,
		}
		if !h.NoEmpty {
			d[keyEmpty] = []byte{}
		}
		if !h.NoBinary {
			d[keyBinary] = binaryValue()
		}
		return d
	}
	ctx := context.Background()

	t.Run("Found", func(t *testing.T) {
		src := h.New(t, data())
		v, err := src.Lookup(ctx, secrets.Ref{Key: keyAlpha})
		require.NoError(t, err)
		assert.Equal(t, valAlpha, v.Data)
		v, err = src.Lookup(ctx, secrets.Ref{Key: keyBeta})
		require.NoError(t, err)
		assert.Equal(t, valBeta, v.Data)
	})

	t.Run("Missing", func(t *testing.T) {
		d := data()
		src := h.New(t, d)
		_, err := src.Lookup(ctx, secrets.Ref{Key: keyMissing})
		require.Error(t, err)
		assert.ErrorIs(t, err, secrets.ErrNotFound)
		assertNoValue(t, err, d)
	})

	t.Run("EmptyIsNotMissing", func(t *testing.T) {
		if h.NoEmpty {
			t.Skip("source cannot hold an empty value")
		}
		src := h.New(t, data())
		v, err := src.Lookup(ctx, secrets.Ref{Key: keyEmpty})
		require.NoError(t, err, "an empty value is a value, not a missing key")
		assert.Empty(t, v.Data)
	})

	t.Run("MultiLine", func(t *testing.T) {
		src := h.New(t, data())
		v, err := src.Lookup(ctx, secrets.Ref{Key: keyMultiline})
		require.NoError(t, err)
		assert.Equal(t, valMultiline, v.Data)
	})

	t.Run("Binary", func(t *testing.T) {
		if h.NoBinary {
			t.Skip("source holds text only")
		}
		src := h.New(t, data())
		v, err := src.Lookup(ctx, secrets.Ref{Key: keyBinary})
		require.NoError(t, err)
		assert.True(t, bytes.Equal(binaryValue(), v.Data), "binary value changed in transit")
	})

	t.Run("Versions", func(t *testing.T) {
		if h.Versions == nil {
			t.Skip("source keeps no versions")
		}
		values := [][]byte{[]byte("version-one-s3cr3t"), []byte("version-two-s3cr3t")}
		src, ids := h.Versions(t, keyVersioned, values)
		require.Len(t, ids, len(values))
		for i, id := range ids {
			v, err := src.Lookup(ctx, secrets.Ref{Key: keyVersioned, Version: id})
			require.NoError(t, err, "version %s", id)
			assert.Equal(t, values[i], v.Data, "version %s", id)
			if v.Version != "" {
				assert.Equal(t, id, v.Version, "Value.Version must be the version served")
			}
		}
		v, err := src.Lookup(ctx, secrets.Ref{Key: keyVersioned})
		require.NoError(t, err)
		assert.Equal(t, values[len(values)-1], v.Data, "no version means the current one")
		if v.Version != "" {
			assert.Equal(t, ids[len(ids)-1], v.Version)
		}
		if h.MissingVersion != "" {
			_, err := src.Lookup(ctx, secrets.Ref{Key: keyVersioned, Version: h.MissingVersion})
			require.Error(t, err)
			assert.ErrorIs(t, err, secrets.ErrNotFound)
			for _, val := range values {
				assert.NotContains(t, err.Error(), string(val))
			}
		}
	})

	t.Run("CanceledContext", func(t *testing.T) {
		src := h.New(t, data())
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := src.Lookup(cctx, secrets.Ref{Key: keyAlpha})
		require.Error(t, err, "a cancelled context must fail the lookup")
		assert.ErrorIs(t, err, context.Canceled)
		assert.NotErrorIs(t, err, secrets.ErrNotFound)
	})

	t.Run("Concurrent", func(t *testing.T) {
		d := data()
		src := h.New(t, d)
		keys := []string{keyAlpha, keyBeta, keyMultiline, keyMissing}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 8 {
					key := keys[(g+i)%len(keys)]
					v, err := src.Lookup(ctx, secrets.Ref{Key: key})
					want, ok := d[key]
					switch {
					case !ok && !errors.Is(err, secrets.ErrNotFound):
						errs <- fmt.Errorf("key %s: want ErrNotFound, got %v", key, err)
						return
					case ok && err != nil:
						errs <- fmt.Errorf("key %s: %w", key, err)
						return
					case ok && !bytes.Equal(want, v.Data):
						errs <- fmt.Errorf("key %s: wrong value", key)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("Batch", func(t *testing.T) {
		d := data()
		src := h.New(t, d)
		b, ok := src.(secrets.Batcher)
		if !ok {
			t.Skip("source has no batch ability")
		}
		refs := []secrets.Ref{{Key: keyAlpha}, {Key: keyMissing}, {Key: keyBeta}}
		res := b.LookupBatch(ctx, refs)
		require.Len(t, res, len(refs))
		require.NoError(t, res[0].Err)
		assert.Equal(t, valAlpha, res[0].Value.Data)
		assert.ErrorIs(t, res[1].Err, secrets.ErrNotFound)
		assertNoValue(t, res[1].Err, d)
		require.NoError(t, res[2].Err)
		assert.Equal(t, valBeta, res[2].Value.Data)
	})
}

func assertNoValue(t *testing.T, err error, data map[string][]byte) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for k, v := range data {
		if len(v) >= 8 {
			assert.NotContains(t, msg, string(v), "error for %s leaks a value", k)
		}
	}
}
