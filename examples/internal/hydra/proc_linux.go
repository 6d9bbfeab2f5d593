//go:build linux

package hydra

import "syscall"

// childAttr makes the kernel kill Hydra when the test binary dies (a panic
// or a -timeout), so no server outlives the test.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
