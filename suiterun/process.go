package suiterun

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is one run of the suite as its own process: the compiled suite,
// Ginkgo's CLI over it, or callcases-conformance.
type Process struct {
	Cmd *exec.Cmd
	// Stdout and Stderr hold what it wrote, unless Cmd came with writers of its own.
	Stdout, Stderr bytes.Buffer
	Started        time.Time
	Took           time.Duration
	// Err is what waiting for it gave: nil, an *exec.ExitError, or the
	// error of a process killed at its bound.
	Err error
	// TimedOut: it was still running at its bound and was killed.
	TimedOut bool
}

// waitDelay bounds the wait for the output of a process that ended while
// a child of its (a Ginkgo worker, say) still holds its output open.
const waitDelay = 10 * time.Second

// Start starts cmd, its output going to the Process's buffers unless cmd
// has writers of its own. Give cmd.Env from Env or CleanEnv.
func Start(cmd *exec.Cmd) (*Process, error) {
	p := &Process{Cmd: cmd}
	if cmd.Stdout == nil {
		cmd.Stdout = &p.Stdout
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &p.Stderr
	}
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = waitDelay
	}
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// Wait waits for the process, for at most bound (0: no bound): a process
// still running then is killed, TimedOut is set, and Err is what its end
// gave. It returns Err.
func (p *Process) Wait(bound time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- p.Cmd.Wait() }()
	var timeout <-chan time.Time
	if bound > 0 {
		timer := time.NewTimer(bound)
		defer timer.Stop()
		timeout = timer.C
	}
	select {
	case p.Err = <-done:
	case <-timeout:
		_ = p.Cmd.Process.Kill()
		p.Err = <-done
		p.TimedOut = true
	}
	p.Took = time.Since(p.Started)
	return p.Err
}

// Run starts cmd and waits for it, for at most bound.
func Run(cmd *exec.Cmd, bound time.Duration) (*Process, error) {
	p, err := Start(cmd)
	if err != nil {
		return nil, err
	}
	return p, p.Wait(bound)
}

// Output is what it wrote to its buffers, standard output first.
func (p *Process) Output() string { return p.Stdout.String() + p.Stderr.String() }

// ExitCode is its exit status: -1 when a signal ended it or it never ran.
func (p *Process) ExitCode() int {
	if p.Err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(p.Err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1
		}
		return ee.ExitCode()
	}
	return -1
}

// Tail is the last lines of s, for an error that shows how a run ended.
func Tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
