package secrets

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"unicode/utf8"
)

func init() {
	registerScheme("env", "env://?prefix=APP_", []string{"prefix"}, func(_ context.Context, u *url.URL) (Source, error) {
		if u.Host != "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("secrets: %w: env:// takes no host or path, only ?prefix=", ErrInvalidSpec)
		}
		return &Env{Prefix: u.Query().Get("prefix")}, nil
	})
}

// Env is a [Source] reading environment variables. The key db_password is
// read from DB_PASSWORD (see [EnvName]), with Prefix prepended.
//
// It follows the _FILE convention of the official Docker images: when
// DB_PASSWORD is unset and DB_PASSWORD_FILE is set, the value is read from
// the file it names (one trailing newline stripped, at most 1 MiB). Both set
// is an error. Env keeps no versions: it ignores [Ref.Version].
type Env struct {
	// Prefix is prepended to every variable name, e.g. "APP_".
	Prefix string
	// LookupEnv reads a variable; nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)
}

var (
	_ Source             = (*Env)(nil)
	_ ConcurrencyLimiter = (*Env)(nil)
)

// EnvName maps a canonical key to an environment variable name: upper case,
// every character outside [A-Z0-9] replaced by '_', prefix prepended as is.
// EnvName("APP_", "db.password") is "APP_DB_PASSWORD".
func EnvName(prefix, key string) string { return envName(prefix, key, "") }

// envName is EnvName(prefix, key) + suffix, built in one allocation.
func envName(prefix, key, suffix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(key) + len(suffix))
	b.WriteString(prefix)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= utf8.RuneSelf:
			// One '_' per character, not per byte of its UTF-8 form.
			_, size := utf8.DecodeRuneInString(key[i:])
			i += size - 1
			b.WriteByte('_')
		default:
			b.WriteByte('_')
		}
	}
	b.WriteString(suffix)
	return b.String()
}

// NativeName returns the variable name key is read from.
func (e *Env) NativeName(key string) string { return EnvName(e.Prefix, key) }

// Lookup reads the variable for ref.Key, or the file its _FILE twin names.
func (e *Env) Lookup(ctx context.Context, ref Ref) (Value, error) {
	v, data, fromFile, err := e.lookup(ctx, envName(e.Prefix, ref.Key, "_FILE"))
	switch {
	case err != nil:
		return Value{}, err
	case fromFile:
		return Value{Data: data}, nil
	}
	return Value{Data: []byte(v)}, nil
}

// lookupString is Lookup returning the value as a string, which spares
// the Loader a copy of the variable's value.
func (e *Env) lookupString(ctx context.Context, ref Ref) (string, error) {
	return e.lookupVar(ctx, envName(e.Prefix, ref.Key, "_FILE"))
}

// lookupVar is lookupString given the _FILE twin of the variable to read,
// "NAME_FILE": the Loader keeps those names for an Env without prefix.
func (e *Env) lookupVar(ctx context.Context, fileVar string) (string, error) {
	v, data, fromFile, err := e.lookup(ctx, fileVar)
	if fromFile {
		return string(data), err
	}
	return v, err
}

// lookup reads the variable NAME, given fileVar "NAME_FILE", or the file
// fileVar names (then fromFile is true and the value is in data).
func (e *Env) lookup(ctx context.Context, fileVar string) (v string, data []byte, fromFile bool, err error) {
	if err := ctx.Err(); err != nil {
		return "", nil, false, err
	}
	lookup := e.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	name := fileVar[:len(fileVar)-len("_FILE")]
	v, ok := lookup(name)
	fileName, fileOK := lookup(fileVar)
	switch {
	case ok && fileOK:
		return "", nil, false, fmt.Errorf("env: both %s and %s_FILE are set; set only one", name, name)
	case ok:
		return v, nil, false, nil
	case fileOK:
		data, err := readSecretFile(fileName)
		if err != nil {
			return "", nil, false, fmt.Errorf("env: %s_FILE: %w", name, err)
		}
		return "", data, true, nil
	}
	return "", nil, false, fmt.Errorf("env: variable %s is not set: %w", name, ErrNotFound)
}

// MaxConcurrency returns 1: reading a variable is cheaper than starting a
// goroutine, so the [Loader] reads them one after the other.
func (e *Env) MaxConcurrency() int { return 1 }

// String names the source as a spec would.
func (e *Env) String() string {
	if e.Prefix == "" {
		return "env"
	}
	return "env://?prefix=" + url.QueryEscape(e.Prefix)
}
