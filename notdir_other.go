//go:build !unix

package secrets

// isNotDir reports whether err says a path element is not a directory.
func isNotDir(error) bool { return false }
