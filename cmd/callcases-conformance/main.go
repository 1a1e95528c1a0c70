// Command callcases-conformance certifies a Call Cases API implementation:
// one binary that carries the whole suite (specs, contract, code table and
// the reference server) and runs it in parallel processes, with no Go
// toolchain and no source tree. `callcases-conformance verify DIR` checks a
// bundle of reports someone else produced, offline; `callcases-conformance
// clean` removes what earlier runs left on a shared staging.
//
// How it runs the suite: the binary plays three parts. Started by a user, it
// is the front: it starts itself again as Ginkgo's own CLI (the run command
// of github.com/onsi/ginkgo/v2/ginkgo, used as a library), pointing it at a
// link to itself named callcases-conformance.test, which Ginkgo takes for a
// precompiled suite. Ginkgo then starts that "suite" once per parallel
// process with its worker flags (-test.timeout=0 -ginkgo.parallel.process=N
// ...), and the binary, seeing them, runs the specs (package
// suites/conformance) in that process. So Ginkgo's parallel protocol (its
// server, the spec queue, Serial specs, the aggregated report) is Ginkgo's
// own, unchanged; the front only shows progress, forwards signals and prints
// the summary once the reports are written.
package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	args := os.Args[1:]
	switch {
	case isWorker(args):
		os.Exit(worker())
	case len(args) > 0 && args[0] == ginkgoPart:
		coordinate(args[1:]) // exits
	}
	os.Exit(cli(args))
}

// isWorker tells Ginkgo's start of a parallel process (or of a serial run)
// from a user's: Ginkgo always passes -test.* and -ginkgo.* flags, which the
// front's own command line never has.
func isWorker(args []string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if strings.HasPrefix(a, "test.") || strings.HasPrefix(a, "ginkgo.") {
			return true
		}
	}
	return false
}

func cli(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return verify(args[1:], os.Stdout, os.Stderr)
		case "clean":
			return clean(args[1:], os.LookupEnv, os.Stdout, os.Stderr)
		case "explore":
			return exploreCmd(args[1:], os.LookupEnv, os.Stdout, os.Stderr)
		case "list":
			return list(args[1:], os.Stdout, os.Stderr)
		case "version", "-version", "--version":
			printVersion(os.Stdout)
			return 0
		case "help", "-h", "-help", "--help":
			usage(os.Stdout)
			return 0
		case "run":
			args = args[1:]
		default:
			if !strings.HasPrefix(args[0], "-") {
				fmt.Fprintf(os.Stderr, "callcases-conformance: unknown command %q\n\n", args[0])
				usage(os.Stderr)
				return 2
			}
		}
	}
	return runFront(args)
}
