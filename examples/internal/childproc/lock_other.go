//go:build !unix

package childproc

// Lock is a no-op where flock does not exist: parallel test binaries
// may then install concurrently; install once by hand first.
func Lock(string) (unlock func(), err error) {
	return func() {}, nil
}
