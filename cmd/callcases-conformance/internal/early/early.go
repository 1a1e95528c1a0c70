// Package early catches the stop signals in callcases-conformance's front
// before the suite's packages load: their initialisation reads the
// configuration and asks the fault hook, which takes as long as the target
// takes, and a signal then would end the front at once, by the signal's
// default action, with no report. Go initialises this package before them
// (it needs only the standard library, and among the packages ready to
// initialise, the one first by import path goes first).
package early

import (
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Signals receives the stop signals (Ctrl-C, SIGTERM) the front got from
// its start; nil in the other commands and in the processes of the run
// (Ginkgo's CLI and the spec processes), where Ginkgo's own handler takes
// them.
var Signals chan os.Signal

func init() {
	if args := os.Args[1:]; len(args) > 0 && args[0] != "run" && !strings.HasPrefix(args[0], "-") {
		return // another command (verify, clean, ...) or Ginkgo's CLI: not the front
	}
	for _, a := range os.Args[1:] {
		if a = strings.TrimLeft(a, "-"); strings.HasPrefix(a, "test.") || strings.HasPrefix(a, "ginkgo.") {
			return
		}
	}
	Signals = make(chan os.Signal, 4)
	signal.Notify(Signals, os.Interrupt, syscall.SIGTERM)
}
