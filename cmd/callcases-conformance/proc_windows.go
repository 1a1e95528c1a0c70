//go:build windows

package main

import (
	"os"
	"os/exec"
	"time"
)

// stopSignals are what the front catches: Ctrl-C (and Ctrl-Break), which
// the console sends to every process attached to it.
var stopSignals = []os.Signal{os.Interrupt}

// isolate leaves Ginkgo in the console's process group: there the console
// delivers Ctrl-C to every process of the run itself.
func isolate(*exec.Cmd) {}

// signalProcess has nothing to do: the console already told every process.
func signalProcess(*exec.Cmd, int, os.Signal) {}

func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func reapGroup(*exec.Cmd, time.Duration) {}

func exitCodeOf(os.Signal) int { return 130 }
