//go:build !unix

package hydra

// lockFile is a no-op where flock does not exist: parallel test binaries
// may then build Hydra concurrently; build it once by hand first
// (BuildCommand).
func lockFile(string) (unlock func(), err error) {
	return func() {}, nil
}
