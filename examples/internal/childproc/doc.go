// Package childproc holds what the test kits that run other programs
// (interop's npm parts, Ory Hydra) need alike: an exclusive file lock for a
// once-per-machine installation shared by parallel test binaries, process
// attributes that make the kernel kill a child with its test binary, and a
// bounded buffer for a child's output.
package childproc
