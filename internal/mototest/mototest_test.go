package mototest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder stands in for *testing.T to observe how Start ends a test.
// Skip and Fatal stop the calling goroutine like the real ones, by
// panicking with the recorder, which run recovers.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, args[0].(string)
	panic(r)
}
func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, args[0].(string)
	panic(r)
}

func run(r *recorder, f func()) {
	defer func() {
		if v := recover(); v != nil && v != r {
			panic(v)
		}
	}()
	f()
}

func TestStartWithoutServer(t *testing.T) {
	t.Setenv("PATH", t.TempDir())

	t.Run("Skips", func(t *testing.T) {
		t.Setenv("CI", "")
		r := &recorder{TB: t}
		run(r, func() { Start(r) })
		assert.True(t, r.skipped)
		assert.False(t, r.failed)
		assert.Contains(t, r.msg, "moto_server not found")
	})

	t.Run("FailsUnderCI", func(t *testing.T) {
		t.Setenv("CI", "true")
		r := &recorder{TB: t}
		run(r, func() { Start(r) })
		assert.True(t, r.failed, "CI turns the skip into a failure")
		assert.False(t, r.skipped)
	})
}

func TestStartStop(t *testing.T) {
	var url string
	t.Run("Running", func(t *testing.T) {
		s := Start(t)
		url = s.URL
		assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, s.URL)
		resp, err := http.Get(s.URL + "/moto-api/")
		require.NoError(t, err)
		resp.Body.Close()
		s.Reset(t)
	})
	if url == "" {
		return // skipped: no moto_server
	}
	_, err := http.Get(url + "/moto-api/")
	assert.Error(t, err, "the server is stopped when its test ends")
}
