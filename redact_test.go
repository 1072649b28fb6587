package secrets_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

func TestRedactionEverywhere(t *testing.T) {
	const plain = "hunter2-s3cret"
	type inner struct {
		S secrets.String
		B secrets.Bytes
		s secrets.String // unexported: fmt cannot call its methods
		b secrets.Bytes
	}
	v := inner{
		S: secrets.NewString(plain), B: secrets.NewBytes([]byte(plain)),
		s: secrets.NewString(plain), b: secrets.NewBytes([]byte(plain)),
	}
	values := []any{v.S, v.B, &v.S, &v.B, v, &v, []secrets.String{v.S}, map[string]secrets.Bytes{"k": v.B}}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10s", "%-10v"}
	for _, val := range values {
		for _, verb := range verbs {
			out := fmt.Sprintf(verb, val)
			assert.NotContains(t, out, plain, "%s of %T", verb, val)
			assert.NotContains(t, out, fmt.Sprintf("%x", plain), "%s of %T", verb, val)
		}
		j, err := json.Marshal(val)
		require.NoError(t, err)
		assert.NotContains(t, string(j), plain)
	}

	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("m", "s", v.S, "b", v.B, "struct", v)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "s", v.S, "b", v.B)
	assert.NotContains(t, buf.String(), plain)
	assert.Contains(t, buf.String(), secrets.Redacted)

	txt, err := v.S.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, secrets.Redacted, string(txt))
	txt, err = v.B.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, secrets.Redacted, string(txt))

	assert.Equal(t, plain, v.S.Reveal())
	assert.Equal(t, []byte(plain), v.B.Reveal())
	assert.Equal(t, "", secrets.String{}.Reveal())
	assert.Nil(t, secrets.Bytes{}.Reveal())
	assert.True(t, secrets.String{}.IsZero())
}
