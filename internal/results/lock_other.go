//go:build !unix

package results

// Lock is a no-op where flock(2) is unavailable.
func Lock(dir string) (unlock func(), err error) { return func() {}, nil }
