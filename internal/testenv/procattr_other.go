//go:build !linux

package testenv

import "syscall"

// sysProcAttr is the default elsewhere: cleanups stop the servers.
func sysProcAttr() *syscall.SysProcAttr { return nil }
