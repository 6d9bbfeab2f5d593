//go:build !unix

package interop

// lockFile is a no-op where flock does not exist: parallel test binaries
// may then run npm ci concurrently; run it once by hand first.
func lockFile(string) (unlock func(), err error) {
	return func() {}, nil
}
