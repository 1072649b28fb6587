package secrets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

func init() {
	registerScheme("file", "file:///DIR", nil, func(_ context.Context, u *url.URL) (Source, error) {
		dir := u.Host + u.Path
		if dir == "" {
			return nil, fmt.Errorf("secrets: %w: file:// needs a directory, e.g. file:///run/secrets", ErrInvalidSpec)
		}
		return NewFiles(dir)
	})
}

// MaxFileSize is the largest secret file [Files] and the _FILE convention
// of [Env] will read: 1 MiB.
const MaxFileSize = 1 << 20

// ErrUnsafeKey is wrapped by [Files] for a key that would leave its
// directory: "..", an absolute path, or a symlink resolving outside.
var ErrUnsafeKey = errors.New("key leaves the secrets directory")

// Files is a [Source] reading one file per key from a directory, as Docker
// secrets (/run/secrets) and Kubernetes secret volumes lay them out. The key
// db_password is read from DIR/db_password; a '/' in a key is a
// subdirectory. One trailing newline ("\n" or "\r\n") is stripped.
//
// Keys that would leave the directory are refused with [ErrUnsafeKey];
// symlinks that stay inside it, such as Kubernetes' ..data links, work.
// A file over [MaxFileSize], a directory, a FIFO or a device is an error,
// never a hang. Files keeps no versions: it ignores [Ref.Version].
type Files struct {
	dir string
}

var (
	_ Source             = (*Files)(nil)
	_ ConcurrencyLimiter = (*Files)(nil)
)

// NewFiles returns a Files source for dir, which must be a directory.
func NewFiles(dir string) (*Files, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("secrets: file source: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("secrets: file source: %s is not a directory", dir)
	}
	return &Files{dir: dir}, nil
}

// Lookup reads the file for ref.Key.
func (f *Files) Lookup(ctx context.Context, ref Ref) (Value, error) {
	if err := ctx.Err(); err != nil {
		return Value{}, err
	}
	name := filepath.FromSlash(ref.Key)
	if ref.Key == "" || strings.ContainsRune(ref.Key, 0) || strings.ContainsRune(ref.Key, '\\') || !filepath.IsLocal(name) {
		return Value{}, fmt.Errorf("file %s: key %q: %w", f.dir, ref.Key, ErrUnsafeKey)
	}
	root, err := os.OpenRoot(f.dir)
	if err != nil {
		return Value{}, fmt.Errorf("file %s: %w", f.dir, err)
	}
	defer root.Close()
	fi, err := root.Stat(name)
	if err != nil {
		return Value{}, f.statError(ref.Key, err)
	}
	if err := checkRegular(fi); err != nil {
		return Value{}, fmt.Errorf("file %s: key %q: %w", f.dir, ref.Key, err)
	}
	file, err := root.Open(name)
	if err != nil {
		return Value{}, f.statError(ref.Key, err)
	}
	defer file.Close()
	data, err := readLimited(file)
	if err != nil {
		return Value{}, fmt.Errorf("file %s: key %q: %w", f.dir, ref.Key, err)
	}
	return Value{Data: data}, nil
}

// MaxConcurrency returns 1: a local file is read faster than a goroutine
// starts, so the [Loader] reads files one after the other.
func (f *Files) MaxConcurrency() int { return 1 }

func (f *Files) statError(key string, err error) error {
	var pe *fs.PathError
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return fmt.Errorf("file %s: no file for key %q: %w", f.dir, key, ErrNotFound)
	}
	if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
		return fmt.Errorf("file %s: key %q: %w", f.dir, key, ErrUnsafeKey)
	}
	return fmt.Errorf("file %s: key %q: %w", f.dir, key, err)
}

// String names the source as a spec would.
func (f *Files) String() string { return "file://" + filepath.ToSlash(f.dir) }

// readSecretFile reads a secret from path with the same rules as Files.
func readSecretFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(fi); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := readLimited(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

func checkRegular(fi fs.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsRegular():
		if fi.Size() > MaxFileSize {
			return fmt.Errorf("file is larger than %d bytes", MaxFileSize)
		}
		return nil
	case m.IsDir():
		return errors.New("is a directory, not a file")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("is a FIFO, not a regular file")
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return errors.New("is a device, not a regular file")
	default:
		return fmt.Errorf("is not a regular file (mode %s)", m.Type())
	}
}

// readLimited reads at most MaxFileSize bytes (a file may grow after its
// stat) and strips one trailing newline.
func readLimited(file *os.File) ([]byte, error) {
	fi, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkRegular(fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(file, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file is larger than %d bytes", MaxFileSize)
	}
	return trimNewline(data), nil
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}
