package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
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
	// Logger, when set, receives one audit record per tagged field: "secret
	// loaded", "secret default used" or "optional secret not set" at Info
	// level with field, key, source and version; "secret not loaded" at
	// Warn level with the error. Never a value.
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
	_, err := l.load(ctx, dst, false)
	return err
}

// LoadOrigins is [Loader.Load] that also reports where each field's value
// came from, in field order. It never reports values.
func (l *Loader) LoadOrigins(ctx context.Context, dst any) ([]Origin, error) {
	return l.load(ctx, dst, true)
}

// load is LoadOrigins; it builds the origins only when wantOrigins.
func (l *Loader) load(ctx context.Context, dst any, wantOrigins bool) ([]Origin, error) {
	rv := reflect.ValueOf(dst)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w, got %T", ErrInvalidTarget, dst)
	}
	if l.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.Timeout)
		defer cancel()
	}
	var flat []Source
	switch {
	case len(l.Sources) > 0:
		for _, s := range l.Sources {
			if s != nil {
				flat = append(flat, flatten(s)...)
			}
		}
	case isEnvSpec(os.Getenv(EnvSpec)):
		flat = defaultEnv // what Open returns for it, without parsing
	default:
		src, err := defaultSource(ctx)
		if err != nil {
			return nil, err
		}
		if c, ok := src.(io.Closer); ok {
			defer c.Close()
		}
		flat = flatten(src)
	}

	if len(flat) == 0 {
		return nil, errNoSources
	}
	// Work on a copy, so that dst is untouched unless everything loads.
	t := rv.Elem().Type()
	plan := planFor(t)
	work := reflect.New(t)
	work.Elem().Set(rv.Elem())
	targets := plan.targets(work.Elem())
	errs := plan.fieldErrors()

	skip, refErrs := refuseCollisions(plan, flat)
	errs = append(errs, refErrs...)
	results := fetchAll(ctx, flat, plan, skip, l.Concurrency)

	var origins []Origin
	if wantOrigins {
		origins = make([]Origin, 0, len(plan.leaves))
	}
	var objects map[int]map[string]json.RawMessage // parsed JSON secrets, by ref index
	var objErrs map[int]error
	for i := range plan.leaves {
		p := &plan.leaves[i]
		r := &results.f[p.refIdx]
		if !r.done {
			continue // refused before fetching; already reported
		}
		var target reflect.Value
		if targets != nil {
			target = targets[i]
		} else {
			target = work.Elem().FieldByIndex(p.index)
		}
		err := r.err
		var data string
		if err == nil {
			if p.tag.hasField {
				if objects == nil {
					objects, objErrs = map[int]map[string]json.RawMessage{}, map[int]error{}
				}
				data, err = jsonField(objects, objErrs, p.refIdx, r, p.tag.field)
			} else {
				data = r.text()
			}
		}
		o := Origin{Field: p.path, Key: p.key}
		switch {
		case err == nil:
			if derr := p.dec(target, data); derr != nil {
				errs = append(errs, &FieldError{Field: p.path, Key: p.key, Source: results.names[r.src], Err: derr})
				continue
			}
			o.Source = results.names[r.src]
			o.Version, o.Expires = r.value()
		case p.tag.hasDef && errors.Is(err, ErrNotFound):
			if derr := p.dec(target, p.tag.def); derr != nil {
				errs = append(errs, &FieldError{Field: p.path, Key: p.key, Source: "default", Err: fmt.Errorf("default value: %w", derr)})
				continue
			}
			o.Source = "default"
		case p.tag.optional && errors.Is(err, ErrNotFound):
			// Leave the field as it was.
		default:
			fe := &FieldError{Field: p.path, Key: p.key, Source: results.names[r.src], Err: err}
			errs = append(errs, fe)
			if l.Logger != nil {
				l.Logger.LogAttrs(ctx, slog.LevelWarn, "secret not loaded",
					slog.String("field", fe.Field), slog.String("key", fe.Key),
					slog.String("source", fe.Source), slog.String("error", err.Error()))
			}
			continue
		}
		if wantOrigins {
			origins = append(origins, o)
		}
		if l.Logger != nil {
			msg := "secret loaded"
			switch o.Source {
			case "":
				msg = "optional secret not set"
			case "default":
				msg = "secret default used"
			}
			l.Logger.LogAttrs(ctx, slog.LevelInfo, msg,
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

// defaultEnv is the source of a Load without sources when SECRETS_SOURCE
// is unset or "env". An Env without prefix holds no state: one serves all.
var defaultEnv = []Source{&Env{}}

// isEnvSpec reports whether [Open] reads spec as a plain "env".
func isEnvSpec(spec string) bool {
	spec = strings.TrimSpace(spec)
	return spec == "" || spec == "env"
}

// refuseCollisions refuses the refs of fields whose keys collide in a Namer
// source: it returns which refs of plan.refs not to fetch (nil when none)
// and one error per field refused.
func refuseCollisions(plan *typePlan, sources []Source) ([]bool, []*FieldError) {
	fields := plan.leaves
	var errs []*FieldError
	var refused []bool // by field index
	for _, src := range sources {
		n, ok := src.(Namer)
		if !ok {
			continue
		}
		if !plan.envCollide {
			if isEnvNamed(src) {
				continue // their names collide exactly when EnvName's do
			}
		}
		owner := map[string]int{} // native name -> first field using it
		for i := range fields {
			p := &fields[i]
			native := n.NativeName(p.ref.Key)
			f, ok := owner[native]
			if !ok {
				owner[native] = i
				continue
			}
			first := &fields[f]
			if first.ref.Key == p.ref.Key {
				continue
			}
			err := fmt.Errorf("%w: keys %q (%s) and %q (%s) both map to %q in %s",
				ErrKeyCollision, first.ref.Key, first.path, p.ref.Key, p.path, native, sourceName(src))
			if refused == nil {
				refused = make([]bool, len(fields))
			}
			for _, q := range []int{f, i} {
				if !refused[q] {
					refused[q] = true
					errs = append(errs, &FieldError{Field: fields[q].path, Key: fields[q].key, Source: sourceName(src), Err: err})
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil, nil
	}
	skip := make([]bool, len(plan.refs))
	for i := range fields {
		if refused[i] {
			skip[fields[i].refIdx] = true
		}
	}
	return skip, errs
}

// jsonField extracts field from the JSON object in r, parsing each ref's
// object once. A JSON string yields its contents; any other JSON value its
// JSON text. A missing or null field is ErrNotFound.
func jsonField(objects map[int]map[string]json.RawMessage, objErrs map[int]error, refIdx int, r *fetched, field string) (string, error) {
	if err, ok := objErrs[refIdx]; ok {
		return "", err
	}
	obj, ok := objects[refIdx]
	if !ok {
		if err := json.Unmarshal(r.bytes(), &obj); err != nil || obj == nil {
			// json's errors may quote the input: report only the kind.
			objErrs[refIdx] = errNotJSONObject
			return "", errNotJSONObject
		}
		objects[refIdx] = obj
	}
	raw, ok := obj[field]
	if !ok || string(raw) == "null" {
		return "", fmt.Errorf("JSON secret has no field %q: %w", field, ErrNotFound)
	}
	if strings.HasPrefix(string(raw), `"`) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("field %q: %w", field, errNotJSONObject)
		}
		return s, nil
	}
	return string(raw), nil
}

// isEnvNamed reports whether src is one of this package's sources that name
// keys with [EnvName] (Env, Dotenv), matching concrete types only.
func isEnvNamed(src Source) bool {
	if _, ok := src.(*Env); ok {
		return true
	}
	for _, f := range extraEnvNamed {
		if f(src) {
			return true
		}
	}
	return false
}

// extraEnvNamed lets sources compiled in by their own file (dotenv) join
// isEnvNamed.
var extraEnvNamed []func(Source) bool
