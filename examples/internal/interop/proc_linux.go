//go:build linux

package interop

import "syscall"

// childAttr makes the kernel kill a child when the test binary dies (a
// panic or a -timeout), so no node process outlives the test.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
