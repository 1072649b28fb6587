package secrets

import (
	"encoding"
	"errors"
	"fmt"
	"math/bits"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

var (
	typeString       = reflect.TypeFor[String]()
	typeBytes        = reflect.TypeFor[Bytes]()
	typeDuration     = reflect.TypeFor[time.Duration]()
	typeTime         = reflect.TypeFor[time.Time]()
	typeURL          = reflect.TypeFor[url.URL]()
	typeTextUnmarsh  = reflect.TypeFor[encoding.TextUnmarshaler]()
	typeByteSlice    = reflect.TypeFor[[]byte]()
	errUnsupported   = errors.New("unsupported field type")
	errNoMapSep      = errors.New("map entry has no ':'")
	errMapKeyRepeats = errors.New("map key repeated")
)

// checkType reports whether the Loader can decode into a field of type t.
func checkType(t reflect.Type) error {
	return checkTypeDepth(t, 0)
}

func checkTypeDepth(t reflect.Type, depth int) error {
	switch {
	case t == typeString, t == typeBytes, t == typeDuration, t == typeTime, t == typeURL, t == typeByteSlice:
		return nil
	case reflect.PointerTo(t).Implements(typeTextUnmarsh):
		return nil
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return nil
	case reflect.Pointer:
		if depth > 0 && t.Elem().Kind() == reflect.Pointer {
			break
		}
		return checkTypeDepth(t.Elem(), depth+1)
	case reflect.Slice:
		if depth > 1 {
			break
		}
		return checkTypeDepth(t.Elem(), depth+2)
	case reflect.Map:
		if depth > 1 {
			break
		}
		if err := checkTypeDepth(t.Key(), depth+2); err != nil {
			return err
		}
		return checkTypeDepth(t.Elem(), depth+2)
	}
	return fmt.Errorf("%w %s", errUnsupported, t)
}

// decoder sets v, a settable value of the type it was made for by
// [decoderFor], from s. Its errors wrap ErrParse and never repeat s.
type decoder func(v reflect.Value, s string) error

// decoderFor returns the decoder of type t, which passed checkType. The
// Loader makes it once per field of a struct type, so that loading does
// not inspect types again.
func decoderFor(t reflect.Type) decoder {
	switch t {
	case typeString:
		return func(v reflect.Value, s string) error {
			v.Set(reflect.ValueOf(NewString(s)))
			return nil
		}
	case typeBytes:
		return func(v reflect.Value, s string) error {
			v.Set(reflect.ValueOf(NewBytes(copyBytes(s))))
			return nil
		}
	case typeByteSlice:
		return func(v reflect.Value, s string) error {
			v.SetBytes(copyBytes(s))
			return nil
		}
	case typeDuration:
		return func(v reflect.Value, s string) error {
			d, err := time.ParseDuration(strings.TrimSpace(s))
			if err != nil {
				return parseErr(t, "want a duration such as 5s or 1h30m")
			}
			v.SetInt(int64(d))
			return nil
		}
	case typeTime:
		return func(v reflect.Value, s string) error {
			tm, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
			if err != nil {
				return parseErr(t, "want an RFC 3339 time such as 2006-01-02T15:04:05Z")
			}
			*v.Addr().Interface().(*time.Time) = tm
			return nil
		}
	case typeURL:
		return func(v reflect.Value, s string) error {
			u, err := url.Parse(strings.TrimSpace(s))
			if err != nil {
				return parseErr(t, "malformed URL")
			}
			*v.Addr().Interface().(*url.URL) = *u
			return nil
		}
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(typeTextUnmarsh) {
		return func(v reflect.Value, s string) error {
			if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
				// The error of an arbitrary UnmarshalText may repeat its input.
				return parseErr(t, "its UnmarshalText failed")
			}
			return nil
		}
	}
	switch t.Kind() {
	case reflect.String:
		return func(v reflect.Value, s string) error {
			v.SetString(s)
			return nil
		}
	case reflect.Bool:
		return func(v reflect.Value, s string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(s))
			if err != nil {
				return parseErr(t, "want true or false")
			}
			v.SetBool(b)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(s), 10, t.Bits())
			if err != nil {
				return numErr(t, err)
			}
			v.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(v reflect.Value, s string) error {
			n, err := strconv.ParseUint(strings.TrimSpace(s), 10, bitSize(t))
			if err != nil {
				return numErr(t, err)
			}
			v.SetUint(n)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		return func(v reflect.Value, s string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), t.Bits())
			if err != nil {
				return numErr(t, err)
			}
			v.SetFloat(f)
			return nil
		}
	case reflect.Pointer:
		elem := decoderFor(t.Elem())
		return func(v reflect.Value, s string) error {
			p := reflect.New(t.Elem())
			if err := elem(p.Elem(), s); err != nil {
				return err
			}
			v.Set(p)
			return nil
		}
	case reflect.Slice:
		elem := decoderFor(t.Elem())
		return func(v reflect.Value, s string) error { return decodeSlice(v, s, elem) }
	case reflect.Map:
		key, elem := decoderFor(t.Key()), decoderFor(t.Elem())
		return func(v reflect.Value, s string) error { return decodeMap(v, s, key, elem) }
	}
	return func(reflect.Value, string) error { return fmt.Errorf("%w %s", errUnsupported, t) }
}

// copyBytes returns a copy of s as bytes; nil when s is empty.
func copyBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

func bitSize(t reflect.Type) int {
	if t.Kind() == reflect.Uintptr {
		return bits.UintSize
	}
	return t.Bits()
}

// decodeSlice decodes a comma-separated list; spaces around elements are
// trimmed and an empty value is an empty slice.
func decodeSlice(v reflect.Value, s string, elem decoder) error {
	if strings.TrimSpace(s) == "" {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return nil
	}
	n := strings.Count(s, ",") + 1
	out := reflect.MakeSlice(v.Type(), n, n)
	for i := range n {
		var part string
		part, s, _ = strings.Cut(s, ",")
		if err := elem(out.Index(i), strings.TrimSpace(part)); err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
	}
	v.Set(out)
	return nil
}

// decodeMap decodes "k:v,k:v"; the first ':' of an entry separates key and
// value, spaces around both are trimmed.
func decodeMap(v reflect.Value, s string, key, elem decoder) error {
	t := v.Type()
	out := reflect.MakeMap(t)
	if strings.TrimSpace(s) != "" {
		kv := reflect.New(t.Key()).Elem()
		vv := reflect.New(t.Elem()).Elem()
		more := true
		for i := 0; more; i++ {
			var entry string
			entry, s, more = strings.Cut(s, ",")
			k, val, ok := strings.Cut(entry, ":")
			if !ok {
				return fmt.Errorf("%w: entry %d: %w", ErrParse, i, errNoMapSep)
			}
			kv.SetZero()
			if err := key(kv, strings.TrimSpace(k)); err != nil {
				return fmt.Errorf("entry %d key: %w", i, err)
			}
			if out.MapIndex(kv).IsValid() {
				return fmt.Errorf("%w: entry %d: %w", ErrParse, i, errMapKeyRepeats)
			}
			vv.SetZero()
			if err := elem(vv, strings.TrimSpace(val)); err != nil {
				return fmt.Errorf("entry %d value: %w", i, err)
			}
			out.SetMapIndex(kv, vv)
		}
	}
	v.Set(out)
	return nil
}

func parseErr(t reflect.Type, why string) error {
	return fmt.Errorf("%w as %s: %s", ErrParse, t, why)
}

// numErr keeps strconv's reason (ErrRange, ErrSyntax) but drops the
// NumError, whose message repeats the input.
func numErr(t reflect.Type, err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return fmt.Errorf("%w as %s: %w", ErrParse, t, ne.Err)
	}
	return parseErr(t, "invalid syntax")
}
