//go:build unix

package main

import (
	"os"
	"os/exec"
	"syscall"
	"time"
)

// stopSignals are what the front catches: Ctrl-C and what CI systems send.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

// isolate puts Ginkgo and its processes in a process group of their own:
// a Ctrl-C at the terminal reaches only the front, which passes on exactly
// one signal per signal it gets to each process of the run that is ready for
// it, and a SIGTERM sent to the front alone (what CI and make do) reaches
// every one of them.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// signalProcess sends sig to one process of the run (one that said it is
// ready), if it is still one of the run's: a pid is checked against the
// run's process group before it is signalled.
func signalProcess(cmd *exec.Cmd, pid int, sig os.Signal) {
	s, ok := sig.(syscall.Signal)
	if !ok {
		s = syscall.SIGINT
	}
	if pgid, err := syscall.Getpgid(pid); err == nil && pgid == cmd.Process.Pid {
		_ = syscall.Kill(pid, s)
	}
}

// killGroup ends every process of the run at once.
func killGroup(cmd *exec.Cmd) {
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// reapGroup makes sure no process of the run outlives it: once Ginkgo has
// exited its processes have too, unless it died; those get an interrupt,
// time to clean up, then are killed.
func reapGroup(cmd *exec.Cmd, grace time.Duration) {
	alive := func() bool { return syscall.Kill(-cmd.Process.Pid, 0) == nil }
	if !alive() {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	deadline := time.Now().Add(grace)
	for alive() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // polling a process group: there is no wait for one
	}
	killGroup(cmd)
}

// exitCodeOf is the conventional status of a command stopped by sig.
func exitCodeOf(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}
