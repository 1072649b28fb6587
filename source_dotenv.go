//go:build !secrets_nodotenv

package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"

	"github.com/joho/godotenv"
)

func init() {
	extraStringLookups = append(extraStringLookups, func(s Source) func(context.Context, Ref) (string, error) {
		if d, ok := s.(*Dotenv); ok {
			return d.lookupString
		}
		return nil
	})
	extraEnvNamed = append(extraEnvNamed, func(s Source) bool {
		_, ok := s.(*Dotenv)
		return ok
	})
	registerScheme("dotenv", "dotenv://PATH", []string{"prefix"}, func(_ context.Context, u *url.URL) (Source, error) {
		path := u.Host + u.Path
		if path == "" {
			path = ".env"
		}
		return ReadDotenv(path, u.Query().Get("prefix"))
	})
}

// Dotenv is a [Source] holding the variables of a .env file, for local
// development. Keys map to names as in [Env] ([EnvName]). The file is read
// once, by [ReadDotenv]; Dotenv keeps no versions and ignores [Ref.Version].
type Dotenv struct {
	path   string
	prefix string
	vars   map[string]string
}

var (
	_ Source             = (*Dotenv)(nil)
	_ ConcurrencyLimiter = (*Dotenv)(nil)
)

// ReadDotenv parses the .env file at path with github.com/joho/godotenv.
// Errors name the file, never a value in it.
func ReadDotenv(path, prefix string) (*Dotenv, error) {
	vars, err := godotenv.Read(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("secrets: dotenv: %w", err)
		}
		// godotenv's parse errors quote the offending line, which may
		// hold a value: do not repeat them.
		return nil, fmt.Errorf("secrets: dotenv %s: malformed .env file", path)
	}
	return &Dotenv{path: path, prefix: prefix, vars: vars}, nil
}

// ParseDotenv parses .env content from r, for defaults embedded in a
// binary with go:embed. name identifies the content in errors and reports.
func ParseDotenv(name string, r io.Reader, prefix string) (*Dotenv, error) {
	vars, err := godotenv.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("secrets: dotenv %s: malformed .env content", name)
	}
	return &Dotenv{path: name, prefix: prefix, vars: vars}, nil
}

// NativeName returns the variable name key is read from.
func (d *Dotenv) NativeName(key string) string { return EnvName(d.prefix, key) }

// Lookup returns the variable for ref.Key.
func (d *Dotenv) Lookup(ctx context.Context, ref Ref) (Value, error) {
	v, err := d.lookupString(ctx, ref)
	if err != nil {
		return Value{}, err
	}
	return Value{Data: []byte(v)}, nil
}

// lookupString is Lookup returning the value as a string, which spares
// the Loader a copy.
func (d *Dotenv) lookupString(ctx context.Context, ref Ref) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	name := EnvName(d.prefix, ref.Key)
	v, ok := d.vars[name]
	if !ok {
		return "", fmt.Errorf("dotenv %s: variable %s is not set: %w", d.path, name, ErrNotFound)
	}
	return v, nil
}

// MaxConcurrency returns 1: the file is in memory already, so the [Loader]
// reads its variables one after the other.
func (d *Dotenv) MaxConcurrency() int { return 1 }

// String names the source as a spec would.
func (d *Dotenv) String() string { return "dotenv://" + d.path }
