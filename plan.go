package secrets

import (
	"fmt"
	"reflect"
	"sync"
)

// typePlan is what the Loader learns about a struct type the first time it
// loads one, and reuses for every later load of the same type: the walk to
// each tagged field, the parsed tags, the distinct refs, and the errors of
// unusable tags and types. None of it depends on the value being loaded.
type typePlan struct {
	nodes  []planNode
	leaves []leafPlan   // tagged leaf fields, in field order
	errs   []FieldError // tag and type errors, in field order
	refs   []Ref        // distinct refs of leaves, in first-use order
	// envVars holds, per ref, the variable an unprefixed [Env] reads it
	// from, with the _FILE suffix: EnvName("", key) + "_FILE".
	envVars []string
	// hasPtr reports whether a nested struct is reached through a pointer:
	// then loading must allocate it and walk nodes (see bind); otherwise a
	// leaf's field is found by its index.
	hasPtr bool
	// envCollide reports whether two distinct keys map to the same
	// environment variable name ([EnvName]); prepending a prefix changes
	// nothing to that, so it holds for [Env] and [Dotenv] of any prefix.
	envCollide bool
	// walking holds the struct types being walked, outermost first, while
	// the plan is built, to refuse a type that contains itself.
	walking []reflect.Type
}

// planNode is one field the walk visits: a tagged leaf, or a nested struct
// (prefix= or embedded) whose fields are walked in turn.
type planNode struct {
	index  int        // field index in its struct
	leaf   int        // index in typePlan.leaves; -1 for a nested struct
	ptr    bool       // nested through a pointer
	nested []planNode // fields of a nested struct
}

// leafPlan is one tagged leaf field of a struct type.
type leafPlan struct {
	path   string // Go path, e.g. "Config.DB.Password"
	index  []int  // field index path, when the plan has no pointer nesting
	tag    tag
	ref    Ref     // key with prefix applied, and version
	key    string  // key as reported: prefixed key plus #field
	refIdx int     // index of ref in typePlan.refs
	dec    decoder // decodes a value into a field of this type
}

// plans caches a *typePlan per struct type.
var plans sync.Map // reflect.Type -> *typePlan

// planFor returns the plan of struct type t, building it on first use.
func planFor(t reflect.Type) *typePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	p := &typePlan{}
	p.nodes = p.walk(t, t.Name(), "", nil)
	index := make(map[Ref]int, len(p.leaves))
	names := make(map[string]string, len(p.leaves)) // env name -> key
	for i := range p.leaves {
		l := &p.leaves[i]
		n, ok := index[l.ref]
		if !ok {
			n = len(p.refs)
			index[l.ref] = n
			p.refs = append(p.refs, l.ref)
			p.envVars = append(p.envVars, envName("", l.ref.Key, "_FILE"))
		}
		l.refIdx = n
		name := EnvName("", l.ref.Key)
		if k, ok := names[name]; ok && k != l.ref.Key {
			p.envCollide = true
		}
		names[name] = l.ref.Key
	}
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*typePlan)
}

// walk plans the fields of struct type t and returns the nodes to visit.
// Untagged fields are ignored, except embedded structs, which are walked as
// if their fields were declared inline.
func (p *typePlan) walk(t reflect.Type, path, prefix string, index []int) []planNode {
	p.walking = append(p.walking, t)
	defer func() { p.walking = p.walking[:len(p.walking)-1] }()
	var nodes []planNode
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
				if nt, ok := nestedType(sf.Type); ok {
					if p.recursive(nt, fpath) {
						continue
					}
					p.hasPtr = p.hasPtr || nt != sf.Type
					nodes = append(nodes, planNode{index: i, leaf: -1, ptr: nt != sf.Type, nested: p.walk(nt, fpath, prefix, appendIndex(index, i))})
				}
			}
			continue
		}
		tg, err := parseTag(raw)
		if err != nil {
			p.errs = append(p.errs, FieldError{Field: fpath, Err: err})
			continue
		}
		if !sf.IsExported() {
			p.errs = append(p.errs, FieldError{Field: fpath, Key: tg.key, Err: fmt.Errorf("%w: field is not exported", ErrInvalidTag)})
			continue
		}
		if tg.hasPrefix {
			nt, ok := nestedType(sf.Type)
			if !ok {
				p.errs = append(p.errs, FieldError{Field: fpath, Err: fmt.Errorf("%w: prefix= needs a struct or pointer-to-struct field, not %s", ErrInvalidTag, sf.Type)})
				continue
			}
			if p.recursive(nt, fpath) {
				continue
			}
			p.hasPtr = p.hasPtr || nt != sf.Type
			nodes = append(nodes, planNode{index: i, leaf: -1, ptr: nt != sf.Type, nested: p.walk(nt, fpath, prefix+tg.prefix, appendIndex(index, i))})
			continue
		}
		key := prefix + tg.key
		shown := key
		if tg.hasField {
			shown += "#" + tg.field
		}
		if err := checkType(sf.Type); err != nil {
			hint := ""
			if _, ok := nestedType(sf.Type); ok {
				hint = `; a nested struct is tagged secret:",prefix=P"`
			}
			p.errs = append(p.errs, FieldError{Field: fpath, Key: shown, Err: fmt.Errorf("%w: unsupported field type %s%s", ErrInvalidTag, sf.Type, hint)})
			continue
		}
		dec := decoderFor(sf.Type)
		if tg.hasDef {
			// A default that does not parse is a bug in the tag: report it
			// whether or not the key happens to be set here.
			if err := dec(reflect.New(sf.Type).Elem(), tg.def); err != nil {
				p.errs = append(p.errs, FieldError{Field: fpath, Key: shown, Err: fmt.Errorf("%w: default value: %w", ErrInvalidTag, err)})
				continue
			}
		}
		p.leaves = append(p.leaves, leafPlan{
			path:  fpath,
			index: appendIndex(index, i),
			tag:   tg,
			ref:   Ref{Key: key, Version: tg.version},
			key:   shown,
			dec:   dec,
		})
		nodes = append(nodes, planNode{index: i, leaf: len(p.leaves) - 1})
	}
	return nodes
}

// recursive reports, as an error of field path, a nested struct type that
// contains itself: its prefix= nesting would never end.
func (p *typePlan) recursive(t reflect.Type, path string) bool {
	for _, w := range p.walking {
		if w == t {
			p.errs = append(p.errs, FieldError{Field: path, Err: fmt.Errorf("%w: struct type %s contains itself; nesting it would never end", ErrInvalidTag, t)})
			return true
		}
	}
	return false
}

// appendIndex returns index + i in a new slice.
func appendIndex(index []int, i int) []int {
	return append(index[:len(index):len(index)], i)
}

// targets returns the fields of the struct v (settable) that the plan's
// leaves are loaded into, in leaf order, or nil when each is simply
// v.FieldByIndex(leaf.index). Nil pointers to nested structs are
// allocated; non-nil ones are copied, so the caller's value is not
// modified before the whole load succeeds.
func (p *typePlan) targets(v reflect.Value) []reflect.Value {
	if !p.hasPtr {
		return nil
	}
	out := make([]reflect.Value, len(p.leaves))
	bindNodes(v, p.nodes, out)
	return out
}

func bindNodes(v reflect.Value, nodes []planNode, out []reflect.Value) {
	for _, n := range nodes {
		fv := v.Field(n.index)
		if n.leaf >= 0 {
			out[n.leaf] = fv
			continue
		}
		if n.ptr {
			nv := reflect.New(fv.Type().Elem())
			if !fv.IsNil() {
				nv.Elem().Set(fv.Elem())
			}
			fv.Set(nv)
			fv = nv.Elem()
		}
		bindNodes(fv, n.nested, out)
	}
}

// fieldErrors returns fresh copies of the plan's tag and type errors.
func (p *typePlan) fieldErrors() []*FieldError {
	if len(p.errs) == 0 {
		return nil
	}
	errs := make([]*FieldError, len(p.errs))
	for i := range p.errs {
		e := p.errs[i]
		errs[i] = &e
	}
	return errs
}

// nestedType returns the struct type to walk for a nested field of type t:
// t itself, or what it points to.
func nestedType(t reflect.Type) (reflect.Type, bool) {
	switch {
	case t.Kind() == reflect.Struct && !isLeafStruct(t):
		return t, true
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct && !isLeafStruct(t.Elem()):
		return t.Elem(), true
	}
	return nil, false
}

// isLeafStruct reports whether a struct type is decoded as one value
// (time.Time, url.URL, String, TextUnmarshalers) rather than walked.
func isLeafStruct(t reflect.Type) bool {
	return t == typeString || t == typeBytes || t == typeTime || t == typeURL ||
		reflect.PointerTo(t).Implements(typeTextUnmarsh)
}
