//go:build !linux

package childproc

import "syscall"

// Attr returns nil: only Linux can tie a child's life to its parent;
// elsewhere t.Cleanup is the only guard.
func Attr() *syscall.SysProcAttr { return nil }
