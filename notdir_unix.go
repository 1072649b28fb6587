//go:build unix

package secrets

import (
	"errors"
	"syscall"
)

// isNotDir reports whether err says a path element is not a directory, as
// when key "a/b" is asked and "a" is a file: that key does not exist.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
