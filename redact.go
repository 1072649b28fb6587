package secrets

import (
	"encoding"
	"encoding/json"
	"fmt"
	"log/slog"
)

// Redacted is what [String] and [Bytes] print instead of their value.
const Redacted = "[REDACTED]"

// String is a string that never prints its value: every fmt verb, JSON,
// text marshalling and slog show [Redacted]. The value comes out only
// through [String.Reveal].
//
// The value is held behind a pointer, so that even reflection-based
// printing of an unexported field shows an address, not the secret.
// The zero String holds "".
type String struct {
	p *string
}

// NewString returns a String holding s.
func NewString(s string) String { return String{p: &s} }

// Reveal returns the secret value. Call it only where the value is used,
// never to log it.
func (s String) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether s holds the empty string.
func (s String) IsZero() bool { return s.Reveal() == "" }

// String returns [Redacted].
func (s String) String() string { return Redacted }

// GoString returns [Redacted], for the %#v verb.
func (s String) GoString() string { return Redacted }

// Format prints [Redacted] under every verb.
func (s String) Format(f fmt.State, verb rune) { redactFormat(f, verb) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (s String) MarshalJSON() ([]byte, error) { return redactedJSON, nil }

// MarshalText returns [Redacted].
func (s String) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue makes slog print [Redacted].
func (s String) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Bytes is a byte slice that never prints its value: every fmt verb, JSON,
// text marshalling and slog show [Redacted]. The value comes out only
// through [Bytes.Reveal]. The zero Bytes holds nil.
type Bytes struct {
	p *[]byte
}

// NewBytes returns a Bytes holding b (not a copy).
func NewBytes(b []byte) Bytes { return Bytes{p: &b} }

// Reveal returns the secret value. The caller must not modify it.
func (b Bytes) Reveal() []byte {
	if b.p == nil {
		return nil
	}
	return *b.p
}

// Len returns the length of the value.
func (b Bytes) Len() int { return len(b.Reveal()) }

// String returns [Redacted].
func (b Bytes) String() string { return Redacted }

// GoString returns [Redacted], for the %#v verb.
func (b Bytes) GoString() string { return Redacted }

// Format prints [Redacted] under every verb.
func (b Bytes) Format(f fmt.State, verb rune) { redactFormat(f, verb) }

// MarshalJSON returns the JSON string "[REDACTED]".
func (b Bytes) MarshalJSON() ([]byte, error) { return redactedJSON, nil }

// MarshalText returns [Redacted].
func (b Bytes) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue makes slog print [Redacted].
func (b Bytes) LogValue() slog.Value { return slog.StringValue(Redacted) }

var redactedJSON = []byte(`"` + Redacted + `"`)

func redactFormat(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = fmt.Fprintf(f, "%q", Redacted)
		return
	}
	_, _ = f.Write([]byte(Redacted))
}

var (
	_ fmt.Formatter          = String{}
	_ fmt.Stringer           = String{}
	_ fmt.GoStringer         = String{}
	_ json.Marshaler         = String{}
	_ encoding.TextMarshaler = String{}
	_ slog.LogValuer         = String{}
	_ fmt.Formatter          = Bytes{}
	_ json.Marshaler         = Bytes{}
	_ encoding.TextMarshaler = Bytes{}
	_ slog.LogValuer         = Bytes{}
)
