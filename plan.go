package secrets

import (
	"fmt"
	"reflect"
)

// fieldPlan is one tagged leaf field of the struct being loaded.
type fieldPlan struct {
	path   string        // Go path, e.g. "Config.DB.Password"
	target reflect.Value // settable field in the working copy
	tag    tag
	ref    Ref    // key with prefix applied, and version
	key    string // key as reported: prefixed key plus #field
}

// collect walks the struct v (settable) and returns a plan for every tagged
// field, plus a FieldError for every field whose tag or type is unusable.
// Untagged fields are ignored, except embedded structs, which are walked as
// if their fields were declared inline. Nil pointers to nested structs are
// allocated; non-nil ones are copied, so the caller's value is not modified
// before the whole load succeeds.
func collect(v reflect.Value, path, prefix string, out *[]fieldPlan, errs *[]*FieldError) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		fpath := sf.Name
		if path != "" {
			fpath = path + "." + sf.Name
		}
		raw, tagged := sf.Tag.Lookup(TagName)
		if raw == "-" {
			continue
		}
		if !tagged {
			if sf.Anonymous && sf.IsExported() {
				if fv, ok := nestedStruct(v.Field(i)); ok {
					collect(fv, fpath, prefix, out, errs)
				}
			}
			continue
		}
		tg, err := parseTag(raw)
		if err != nil {
			*errs = append(*errs, &FieldError{Field: fpath, Err: err})
			continue
		}
		if !sf.IsExported() {
			*errs = append(*errs, &FieldError{Field: fpath, Key: tg.key, Err: fmt.Errorf("%w: field is not exported", ErrInvalidTag)})
			continue
		}
		fv := v.Field(i)
		if tg.hasPrefix {
			nv, ok := nestedStruct(fv)
			if !ok {
				*errs = append(*errs, &FieldError{Field: fpath, Err: fmt.Errorf("%w: prefix= needs a struct or pointer-to-struct field, not %s", ErrInvalidTag, sf.Type)})
				continue
			}
			collect(nv, fpath, prefix+tg.prefix, out, errs)
			continue
		}
		key := prefix + tg.key
		shown := key
		if tg.hasField {
			shown += "#" + tg.field
		}
		if err := checkType(sf.Type); err != nil {
			*errs = append(*errs, &FieldError{Field: fpath, Key: shown, Err: fmt.Errorf("%w: %w", ErrInvalidTag, err)})
			continue
		}
		*out = append(*out, fieldPlan{
			path:   fpath,
			target: fv,
			tag:    tg,
			ref:    Ref{Key: key, Version: tg.version},
			key:    shown,
		})
	}
}

// nestedStruct returns the struct value to walk for a nested field: the
// field itself, or a fresh copy of what its pointer points to.
func nestedStruct(fv reflect.Value) (reflect.Value, bool) {
	switch {
	case fv.Kind() == reflect.Struct && !isLeafStruct(fv.Type()):
		return fv, true
	case fv.Kind() == reflect.Pointer && fv.Type().Elem().Kind() == reflect.Struct && !isLeafStruct(fv.Type().Elem()):
		n := reflect.New(fv.Type().Elem())
		if !fv.IsNil() {
			n.Elem().Set(fv.Elem())
		}
		fv.Set(n)
		return n.Elem(), true
	}
	return reflect.Value{}, false
}

// isLeafStruct reports whether a struct type is decoded as one value
// (time.Time, url.URL, String, TextUnmarshalers) rather than walked.
func isLeafStruct(t reflect.Type) bool {
	return t == typeString || t == typeBytes || t == typeTime || t == typeURL ||
		reflect.PointerTo(t).Implements(typeTextUnmarsh)
}
