// Package early catches the stop signals in callcases-conformance's front
// before the suite's packages load: their initialisation reads the
// configuration and asks the fault hook, which takes as long as the target
// takes, and a signal then would end the front at once, by the signal's
// default action, with no report. Go initialises this package before them
// (it needs only the standard library, and among the packages ready to
// initialise, the one first by import path goes first).
package early

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
)

// Signals receives the stop signals (Ctrl-C, SIGTERM) the front got from
// its start, in a run and in the explore and clean commands, which write
// to the target and must clean up; nil in the other commands and in the
// processes of the run (Ginkgo's CLI and the spec processes), where
// Ginkgo's own handler takes them.
var Signals chan os.Signal

func init() {
	if args := os.Args[1:]; len(args) > 0 && args[0] != "run" && args[0] != "explore" && args[0] != "clean" && !strings.HasPrefix(args[0], "-") {
		return // a command that changes nothing on the target (verify, list, ...) or Ginkgo's CLI: not a front
	}
	for _, a := range os.Args[1:] {
		if a = strings.TrimLeft(a, "-"); strings.HasPrefix(a, "test.") || strings.HasPrefix(a, "ginkgo.") {
			return
		}
	}
	Signals = make(chan os.Signal, 4)
	signal.Notify(Signals, os.Interrupt, syscall.SIGTERM)
}

// Context is canceled by the first stop signal, including one that came
// before it was called; stop ends that, and a signal after stop has its
// default action (a second Ctrl-C during a cleanup ends the command).
func Context(extra ...os.Signal) (ctx context.Context, stop func()) {
	signals := Signals
	if signals == nil {
		signals = make(chan os.Signal, 4)
	}
	signal.Notify(signals, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		select {
		case <-signals:
			cancel()
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(signals)
			close(done)
			cancel()
		})
	}
}
