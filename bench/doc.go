// Package bench holds the benchmarks of github.com/fathom-dev/secrets
// against the libraries users would otherwise pick. It is a separate module
// so that those libraries never enter the library's go.mod. See
// BENCHMARKS.md at the repository root and run.sh.
package bench
