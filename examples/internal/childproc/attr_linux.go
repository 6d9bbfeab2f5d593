//go:build linux

package childproc

import "syscall"

// Attr makes the kernel kill a child when the test binary dies (a
// panic or a -timeout), so no child outlives the test.
func Attr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
