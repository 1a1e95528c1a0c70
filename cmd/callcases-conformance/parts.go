package main

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/suites/conformance"
	"github.com/onsi/ginkgo/v2/ginkgo/command"
	"github.com/onsi/ginkgo/v2/ginkgo/run"
)

// ginkgoPart is the hidden first argument that makes the binary Ginkgo's CLI.
const ginkgoPart = "__ginkgo"

// coordinate is Ginkgo's own CLI, `ginkgo run`, over the linked suite: it
// starts the parallel processes and serves their protocol.
func coordinate(args []string) {
	program := command.Program{Name: "callcases-conformance", DefaultCommand: run.BuildRunCommand()}
	program.RunAndExit(append([]string{"ginkgo"}, args...))
}

// worker runs the specs in this process, as a compiled Ginkgo suite would.
func worker() int {
	// Ginkgo starts the processes in the folder of the suite it runs (a
	// temporary one here); they move back to where the user ran the command,
	// which the configuration also takes relative paths from.
	if dir := os.Getenv(config.EnvWorkDir); dir != "" {
		if err := os.Chdir(dir); err != nil {
			fmt.Fprintln(os.Stderr, "callcases-conformance:", err)
			return 2
		}
	}
	testing.Init() // the -test.* flags Ginkgo passes
	flag.Parse()
	var t specT
	conformance.Run(&t)
	if t.failed {
		return 1
	}
	return 0
}

// specT is what Ginkgo's RunSpecs reports the run's outcome to.
type specT struct{ failed bool }

func (t *specT) Fail() { t.failed = true }
