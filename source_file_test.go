package secrets_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fathom-dev/secrets"
)

func TestFilesLookup(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "crlf", "value\r\n")
	writeFile(t, dir, "two_newlines", "value\n\n")
	writeFile(t, dir, "myapp/db_password", "nested\n")
	writeFile(t, dir, "big", string(make([]byte, secrets.MaxFileSize+1)))
	writeFile(t, dir, "exact", string(make([]byte, secrets.MaxFileSize)))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "adir"), 0o755))
	outside := t.TempDir()
	writeFile(t, outside, "stolen", "outside-s3cret")
	require.NoError(t, os.Symlink(filepath.Join(outside, "stolen"), filepath.Join(dir, "escape")))
	require.NoError(t, os.Symlink("../../etc/passwd", filepath.Join(dir, "relescape")))

	src, err := secrets.NewFiles(dir)
	require.NoError(t, err)
	ctx := context.Background()

	tests := []struct {
		key      string
		want     string
		notFound bool
		errLike  string
	}{
		{key: "crlf", want: "value"},
		{key: "two_newlines", want: "value\n"},
		{key: "myapp/db_password", want: "nested"},
		{key: "exact", want: string(make([]byte, secrets.MaxFileSize))},
		{key: "missing", notFound: true},
		{key: "crlf/under_a_file", notFound: true},
		{key: "big", errLike: "larger than"},
		{key: "adir", errLike: "directory"},
		{key: "../etc/passwd", errLike: "leaves the secrets directory"},
		{key: "a/../../x", errLike: "leaves the secrets directory"},
		{key: "/etc/passwd", errLike: "leaves the secrets directory"},
		{key: "escape", errLike: "leaves the secrets directory"},
		{key: "relescape", errLike: "leaves the secrets directory"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			v, err := src.Lookup(ctx, secrets.Ref{Key: tc.key})
			switch {
			case tc.notFound:
				assert.ErrorIs(t, err, secrets.ErrNotFound)
			case tc.errLike != "":
				require.Error(t, err)
				assert.NotErrorIs(t, err, secrets.ErrNotFound)
				assert.Contains(t, err.Error(), tc.errLike)
				assert.NotContains(t, err.Error(), "outside-s3cret")
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.want, string(v.Data))
			}
		})
	}
	var ue = secrets.ErrUnsafeKey
	_, err = src.Lookup(ctx, secrets.Ref{Key: "escape"})
	assert.ErrorIs(t, err, ue)
}

// TestFilesKubernetesLayout builds the layout a Kubernetes secret volume
// has: KEY -> ..data/KEY, ..data -> ..2026_11_26_timestamp.
func TestFilesKubernetesLayout(t *testing.T) {
	dir := t.TempDir()
	ts := "..2026_11_26_10_00_00.000000001"
	writeFile(t, dir, ts+"/db_password", "k8s-value\n")
	require.NoError(t, os.Symlink(ts, filepath.Join(dir, "..data")))
	require.NoError(t, os.Symlink("..data/db_password", filepath.Join(dir, "db_password")))

	var c struct {
		Pass secrets.String `secret:"db_password"`
	}
	src, err := secrets.Open(context.Background(), "file://"+dir)
	require.NoError(t, err)
	require.NoError(t, secrets.Load(context.Background(), &c, src))
	assert.Equal(t, "k8s-value", c.Pass.Reveal())
}

func TestFilesFIFOAndDeviceDoNotHang(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	dir := t.TempDir()
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero")))
	src, err := secrets.NewFiles(dir)
	require.NoError(t, err)

	_, err = src.Lookup(context.Background(), secrets.Ref{Key: "fifo"})
	require.ErrorContains(t, err, "FIFO")
	_, err = src.Lookup(context.Background(), secrets.Ref{Key: "zero"})
	require.Error(t, err, "a symlink to a device outside is refused")
}

func TestFilesDeviceInside(t *testing.T) {
	if _, err := os.Stat("/dev/null"); err != nil {
		t.Skip("no /dev/null")
	}
	src, err := secrets.NewFiles("/dev")
	require.NoError(t, err)
	_, err = src.Lookup(context.Background(), secrets.Ref{Key: "null"})
	require.ErrorContains(t, err, "device")
}

func TestFilesOpenErrors(t *testing.T) {
	_, err := secrets.Open(context.Background(), "file:///does/not/exist")
	require.Error(t, err)
	f := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(f, nil, 0o600))
	_, err = secrets.Open(context.Background(), "file://"+f)
	require.ErrorContains(t, err, "not a directory")
	_, err = secrets.Open(context.Background(), "file://")
	require.ErrorIs(t, err, secrets.ErrInvalidSpec)
}
