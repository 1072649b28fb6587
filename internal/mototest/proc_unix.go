//go:build unix

package mototest

import (
	"os/exec"
	"syscall"
)

// setProcessGroup runs cmd in a process group of its own, so that the
// server and anything it starts are stopped together.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
