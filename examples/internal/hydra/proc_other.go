//go:build !linux

package hydra

import "syscall"

// childAttr returns nil: only Linux can tie a child's life to its parent;
// elsewhere t.Cleanup is the only guard.
func childAttr() *syscall.SysProcAttr { return nil }
