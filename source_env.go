package secrets

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
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

var _ Source = (*Env)(nil)

// EnvName maps a canonical key to an environment variable name: upper case,
// every character outside [A-Z0-9] replaced by '_', prefix prepended as is.
// EnvName("APP_", "db.password") is "APP_DB_PASSWORD".
func EnvName(prefix, key string) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(key))
	b.WriteString(prefix)
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// NativeName returns the variable name key is read from.
func (e *Env) NativeName(key string) string { return EnvName(e.Prefix, key) }

// Lookup reads the variable for ref.Key, or the file its _FILE twin names.
func (e *Env) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, err
	}
	lookup := e.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	name := EnvName(e.Prefix, ref.Key)
	v, ok := lookup(name)
	fileName, fileOK := lookup(name + "_FILE")
	switch {
	case ok && fileOK:
		return Value{}, fmt.Errorf("env: both %s and %s_FILE are set; set only one", name, name)
	case ok:
		return Value{Data: []byte(v)}, nil
	case fileOK:
		data, err := readSecretFile(fileName)
		if err != nil {
			return Value{}, fmt.Errorf("env: %s_FILE: %w", name, err)
		}
		return Value{Data: data}, nil
	}
	return Value{}, fmt.Errorf("env: variable %s is not set: %w", name, ErrNotFound)
}

// String names the source as a spec would.
func (e *Env) String() string {
	if e.Prefix == "" {
		return "env"
	}
	return "env://?prefix=" + url.QueryEscape(e.Prefix)
}
