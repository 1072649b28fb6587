package secrets

import (
	"fmt"
	"strings"
)

// TagName is the struct tag the Loader reads.
const TagName = "secret"

// tag is a parsed `secret:"KEY[#FIELD][,optional][,version=V][,default=VALUE]"`
// or `secret:",prefix=P"` struct tag.
type tag struct {
	key       string // canonical key, without #field
	field     string // JSON field to extract, when hasField
	hasField  bool
	optional  bool
	version   string
	def       string
	hasDef    bool
	prefix    string
	hasPrefix bool
}

// parseTag parses the value of a `secret` tag. default= is the last option
// and takes the rest of the tag, commas included.
func parseTag(s string) (tag, error) {
	var t tag
	keyPart, rest, more := strings.Cut(s, ",")
	if k, f, ok := strings.Cut(keyPart, "#"); ok {
		if f == "" {
			return t, fmt.Errorf("%w: empty field name after '#'", ErrInvalidTag)
		}
		if strings.Contains(f, "#") {
			return t, fmt.Errorf("%w: more than one '#' in key", ErrInvalidTag)
		}
		t.key, t.field, t.hasField = k, f, true
		if k == "" {
			return t, fmt.Errorf("%w: empty key before '#'", ErrInvalidTag)
		}
	} else {
		t.key = keyPart
	}
	if strings.TrimSpace(t.key) != t.key {
		return t, fmt.Errorf("%w: key %q has leading or trailing spaces", ErrInvalidTag, t.key)
	}
	for more {
		var opt string
		if strings.HasPrefix(rest, "default=") {
			t.def, t.hasDef = strings.TrimPrefix(rest, "default="), true
			break
		}
		opt, rest, more = strings.Cut(rest, ",")
		name, val, hasVal := strings.Cut(opt, "=")
		switch {
		case opt == "":
			return t, fmt.Errorf("%w: empty option", ErrInvalidTag)
		case name == "optional" && !hasVal:
			if t.optional {
				return t, fmt.Errorf("%w: option optional repeated", ErrInvalidTag)
			}
			t.optional = true
		case name == "version" && hasVal:
			if val == "" {
				return t, fmt.Errorf("%w: empty version=", ErrInvalidTag)
			}
			if t.version != "" {
				return t, fmt.Errorf("%w: option version repeated", ErrInvalidTag)
			}
			t.version = val
		case name == "prefix" && hasVal:
			if t.hasPrefix {
				return t, fmt.Errorf("%w: option prefix repeated", ErrInvalidTag)
			}
			t.prefix, t.hasPrefix = val, true
		default:
			return t, fmt.Errorf("%w: unknown option %q (accepted: optional, version=V, default=VALUE, prefix=P)", ErrInvalidTag, name)
		}
	}
	if t.hasPrefix && (t.key != "" || t.hasField || t.optional || t.version != "" || t.hasDef) {
		return t, fmt.Errorf("%w: prefix= is only for nested structs and takes no key or other options", ErrInvalidTag)
	}
	if !t.hasPrefix && t.key == "" {
		return t, fmt.Errorf("%w: empty key", ErrInvalidTag)
	}
	return t, nil
}
