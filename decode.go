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

// decode sets v, whose type passed checkType, from data. Its errors wrap
// ErrParse and never repeat data.
func decode(v reflect.Value, data []byte) error {
	t := v.Type()
	switch t {
	case typeString:
		v.Set(reflect.ValueOf(NewString(string(data))))
		return nil
	case typeBytes:
		v.Set(reflect.ValueOf(NewBytes(append([]byte(nil), data...))))
		return nil
	case typeByteSlice:
		v.SetBytes(append([]byte(nil), data...))
		return nil
	case typeDuration:
		d, err := time.ParseDuration(strings.TrimSpace(string(data)))
		if err != nil {
			return parseErr(t, "want a duration such as 5s or 1h30m")
		}
		v.SetInt(int64(d))
		return nil
	case typeTime:
		tm, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data)))
		if err != nil {
			return parseErr(t, "want an RFC 3339 time such as 2006-01-02T15:04:05Z")
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	case typeURL:
		u, err := url.Parse(strings.TrimSpace(string(data)))
		if err != nil {
			return parseErr(t, "malformed URL")
		}
		v.Set(reflect.ValueOf(*u))
		return nil
	}
	if v.Kind() != reflect.Pointer && v.CanAddr() && v.Addr().Type().Implements(typeTextUnmarsh) {
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(data); err != nil {
			// The error of an arbitrary UnmarshalText may repeat its input.
			return parseErr(t, "its UnmarshalText failed")
		}
		return nil
	}
	s := string(data)
	switch t.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return parseErr(t, "want true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, t.Bits())
		if err != nil {
			return numErr(t, err)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, bitSize(t))
		if err != nil {
			return numErr(t, err)
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), t.Bits())
		if err != nil {
			return numErr(t, err)
		}
		v.SetFloat(f)
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := decode(p.Elem(), data); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		return decodeSlice(v, s)
	case reflect.Map:
		return decodeMap(v, s)
	default:
		return fmt.Errorf("%w %s", errUnsupported, t)
	}
	return nil
}

func bitSize(t reflect.Type) int {
	if t.Kind() == reflect.Uintptr {
		return bits.UintSize
	}
	return t.Bits()
}

// decodeSlice decodes a comma-separated list; spaces around elements are
// trimmed and an empty value is an empty slice.
func decodeSlice(v reflect.Value, s string) error {
	if strings.TrimSpace(s) == "" {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return nil
	}
	parts := strings.Split(s, ",")
	out := reflect.MakeSlice(v.Type(), len(parts), len(parts))
	for i, p := range parts {
		if err := decode(out.Index(i), []byte(strings.TrimSpace(p))); err != nil {
			return fmt.Errorf("element %d: %w", i, err)
		}
	}
	v.Set(out)
	return nil
}

// decodeMap decodes "k:v,k:v"; the first ':' of an entry separates key and
// value, spaces around both are trimmed.
func decodeMap(v reflect.Value, s string) error {
	t := v.Type()
	out := reflect.MakeMap(t)
	if strings.TrimSpace(s) != "" {
		for i, entry := range strings.Split(s, ",") {
			k, val, ok := strings.Cut(entry, ":")
			if !ok {
				return fmt.Errorf("%w: entry %d: %w", ErrParse, i, errNoMapSep)
			}
			kv := reflect.New(t.Key()).Elem()
			if err := decode(kv, []byte(strings.TrimSpace(k))); err != nil {
				return fmt.Errorf("entry %d key: %w", i, err)
			}
			if out.MapIndex(kv).IsValid() {
				return fmt.Errorf("%w: entry %d: %w", ErrParse, i, errMapKeyRepeats)
			}
			vv := reflect.New(t.Elem()).Elem()
			if err := decode(vv, []byte(strings.TrimSpace(val))); err != nil {
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
