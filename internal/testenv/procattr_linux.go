package testenv

import "syscall"

// sysProcAttr makes the kernel kill a started server when the test binary
// dies, so a test that times out leaves no broker or Redis behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
