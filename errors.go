package secrets

import (
	"errors"
	"strconv"
	"strings"
)

// ErrInvalidTag is wrapped by a [FieldError] for a malformed `secret` tag,
// an unknown tag option or an unsupported field type.
var ErrInvalidTag = errors.New("invalid secret tag")

// ErrParse is wrapped by a [FieldError] when a value does not parse as the
// field's type. The message never repeats the value.
var ErrParse = errors.New("cannot parse value")

// FieldError reports why one field could not be loaded. It names the field,
// the key and the source, never the value.
type FieldError struct {
	Field  string // Go path of the field, e.g. "Config.DB.Password"
	Key    string // key from the tag, with its #field part, e.g. "myapp/db#password"
	Source string // source that failed or was last asked; "" before any fetch
	Err    error
}

// Error describes the failure without the secret value.
func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("secrets: ")
	b.WriteString(e.Field)
	if e.Key != "" {
		b.WriteString(" (key ")
		b.WriteString(strconv.Quote(e.Key))
		if e.Source != "" {
			b.WriteString(" from ")
			b.WriteString(e.Source)
		}
		b.WriteString(")")
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// LoadError is returned by [Load] when one or more fields failed. It holds
// every failing field, not only the first; each is reachable with errors.As
// and errors.Is through Unwrap.
type LoadError struct {
	Fields []*FieldError
}

// Error lists every failing field, one per line.
func (e *LoadError) Error() string {
	if len(e.Fields) == 1 {
		return e.Fields[0].Error()
	}
	var b strings.Builder
	b.WriteString("secrets: ")
	b.WriteString(strconv.Itoa(len(e.Fields)))
	b.WriteString(" fields failed to load:")
	for _, f := range e.Fields {
		b.WriteString("\n\t")
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap returns every *FieldError, for errors.Is and errors.As.
func (e *LoadError) Unwrap() []error {
	errs := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		errs[i] = f
	}
	return errs
}
