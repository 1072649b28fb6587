package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"time"
)

// DefaultConcurrency is how many lookups a [Loader] keeps in flight at once
// on one source when neither the Loader nor the source says otherwise.
const DefaultConcurrency = 64

// ErrInvalidTarget is returned by [Load] when dst is not a non-nil pointer
// to a struct.
var ErrInvalidTarget = errors.New("secrets: Load needs a non-nil pointer to a struct")

// ErrKeyCollision is wrapped by a [FieldError] when two different keys of a
// struct map to the same native name of a source (see [Namer]).
var ErrKeyCollision = errors.New("keys collide")

// errNoSources is returned when every source given to Load is nil.
var errNoSources = errors.New("secrets: Load was given only nil sources")

// errNotJSONObject is wrapped when #field is used on a value that is not a
// JSON object.
var errNotJSONObject = errors.New("value is not a JSON object, so #field cannot be read")

// Loader loads tagged structs. Its zero value is ready to use and reads
// SECRETS_SOURCE like [Load]. A Loader is safe for concurrent use if its
// sources are.
type Loader struct {
	// Sources are asked in order, as by [Chain]. Empty means
	// Open(ctx, os.Getenv("SECRETS_SOURCE")), and "env" when that is empty;
	// a source opened that way is closed when the load ends.
	Sources []Source
	// Concurrency bounds the Lookup calls in flight at once on one source.
	// 0 means the source's own bound when it is a [ConcurrencyLimiter],
	// else [DefaultConcurrency].
	Concurrency int
	// Timeout, when positive, bounds the whole load: every fetch of every
	// source runs under one deadline.
	Timeout time.Duration
	// Logger, when set, receives one audit record per field loaded: field,
	// key, source and version, never the value.
	Logger *slog.Logger
}

// Origin tells where the value of one field came from.
type Origin struct {
	Field   string    // Go path of the field
	Key     string    // key as tagged, with prefix and #field
	Source  string    // source that served it; "default" or "" (unset optional)
	Version string    // version the source reported, if any
	Expires time.Time // lease end of a dynamic secret; zero when none
}

// Load fills the tagged fields of the struct dst points to, from sources,
// or from the spec in SECRETS_SOURCE (default "env") when none are given.
//
// Every distinct (key, version) is fetched once, whatever the number of
// fields reading it. Load reports every failing field at once: the error is
// a *[LoadError] whose Unwrap returns one *[FieldError] per field. On error
// dst is left unchanged.
func Load(ctx context.Context, dst any, sources ...Source) error {
	l := Loader{Sources: sources}
	return l.Load(ctx, dst)
}

// Load fills the tagged fields of the struct dst points to; see [Load].
func (l *Loader) Load(ctx context.Context, dst any) error {
	_, err := l.LoadOrigins(ctx, dst)
	return err
}

// LoadOrigins is [Loader.Load] that also reports where each field's value
// came from, in field order. It never reports values.
func (l *Loader) LoadOrigins(ctx context.Context, dst any) ([]Origin, error) {
	rv := reflect.ValueOf(dst)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w, got %T", ErrInvalidTarget, dst)
	}
	if l.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.Timeout)
		defer cancel()
	}
	sources := l.Sources
	if len(sources) == 0 {
		src, err := defaultSource(ctx)
		if err != nil {
			return nil, err
		}
		if c, ok := src.(io.Closer); ok {
			defer c.Close()
		}
		sources = []Source{src}
	}
	var flat []Source
	for _, s := range sources {
		if s != nil {
			flat = append(flat, flatten(s)...)
		}
	}

	if len(flat) == 0 {
		return nil, errNoSources
	}
	// Work on a copy, so that dst is untouched unless everything loads.
	work := reflect.New(rv.Elem().Type())
	work.Elem().Set(rv.Elem())
	var plans []fieldPlan
	var errs []*FieldError
	collect(work.Elem(), rv.Elem().Type().Name(), "", &plans, &errs)

	refs, refErrs := distinctRefs(plans, flat)
	errs = append(errs, refErrs...)
	results := fetchAll(ctx, flat, refs, l.Concurrency)

	origins := make([]Origin, 0, len(plans))
	objects := map[Ref]map[string]json.RawMessage{}
	objErrs := map[Ref]error{}
	for _, p := range plans {
		r, ok := results[p.ref]
		if !ok {
			continue // refused before fetching; already reported
		}
		o := Origin{Field: p.path, Key: p.key}
		data, err := r.value.Data, r.err
		if err == nil && p.tag.hasField {
			data, err = jsonField(objects, objErrs, p.ref, r.value.Data, p.tag.field)
		}
		switch {
		case err == nil:
			if derr := decode(p.target, data); derr != nil {
				errs = append(errs, &FieldError{Field: p.path, Key: p.key, Source: r.source, Err: derr})
				continue
			}
			o.Source, o.Version, o.Expires = r.source, r.value.Version, r.value.Expires
		case errors.Is(err, ErrNotFound) && p.tag.hasDef:
			if derr := decode(p.target, []byte(p.tag.def)); derr != nil {
				errs = append(errs, &FieldError{Field: p.path, Key: p.key, Source: "default", Err: fmt.Errorf("default value: %w", derr)})
				continue
			}
			o.Source = "default"
		case errors.Is(err, ErrNotFound) && p.tag.optional:
			// Leave the field as it was.
		default:
			errs = append(errs, &FieldError{Field: p.path, Key: p.key, Source: r.source, Err: err})
			continue
		}
		origins = append(origins, o)
		if l.Logger != nil {
			l.Logger.LogAttrs(ctx, slog.LevelInfo, "secret loaded",
				slog.String("field", o.Field), slog.String("key", o.Key),
				slog.String("source", o.Source), slog.String("version", o.Version))
		}
	}
	if len(errs) > 0 {
		return nil, &LoadError{Fields: errs}
	}
	rv.Elem().Set(work.Elem())
	return origins, nil
}

// distinctRefs returns every distinct ref of plans, in first-use order, and
// refuses refs whose keys collide in a Namer source.
func distinctRefs(plans []fieldPlan, sources []Source) ([]Ref, []*FieldError) {
	seen := make(map[Ref]bool, len(plans))
	var refs []Ref
	for _, p := range plans {
		if !seen[p.ref] {
			seen[p.ref] = true
			refs = append(refs, p.ref)
		}
	}
	var errs []*FieldError
	refused := map[string]bool{}
	for _, src := range sources {
		n, ok := src.(Namer)
		if !ok {
			continue
		}
		owner := map[string]fieldPlan{} // native name -> first plan using it
		for _, p := range plans {
			native := n.NativeName(p.ref.Key)
			first, ok := owner[native]
			if !ok {
				owner[native] = p
				continue
			}
			if first.ref.Key == p.ref.Key {
				continue
			}
			err := fmt.Errorf("%w: keys %q (%s) and %q (%s) both map to %q in %s",
				ErrKeyCollision, first.ref.Key, first.path, p.ref.Key, p.path, native, sourceName(src))
			for _, q := range []fieldPlan{first, p} {
				if !refused[q.path] {
					refused[q.path] = true
					errs = append(errs, &FieldError{Field: q.path, Key: q.key, Source: sourceName(src), Err: err})
				}
			}
		}
	}
	if len(errs) == 0 {
		return refs, nil
	}
	bad := map[Ref]bool{}
	for _, p := range plans {
		if refused[p.path] {
			bad[p.ref] = true
		}
	}
	kept := refs[:0]
	for _, r := range refs {
		if !bad[r] {
			kept = append(kept, r)
		}
	}
	return kept, errs
}

// jsonField extracts field from the JSON object in data, parsing each ref's
// object once. A JSON string yields its contents; any other JSON value its
// JSON text. A missing or null field is ErrNotFound.
func jsonField(objects map[Ref]map[string]json.RawMessage, objErrs map[Ref]error, ref Ref, data []byte, field string) ([]byte, error) {
	if err, ok := objErrs[ref]; ok {
		return nil, err
	}
	obj, ok := objects[ref]
	if !ok {
		if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
			// json's errors may quote the input: report only the kind.
			objErrs[ref] = errNotJSONObject
			return nil, errNotJSONObject
		}
		objects[ref] = obj
	}
	raw, ok := obj[field]
	if !ok || string(raw) == "null" {
		return nil, fmt.Errorf("JSON secret has no field %q: %w", field, ErrNotFound)
	}
	if strings.HasPrefix(string(raw), `"`) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("field %q: %w", field, errNotJSONObject)
		}
		return []byte(s), nil
	}
	return raw, nil
}
