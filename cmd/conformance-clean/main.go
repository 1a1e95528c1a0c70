// Command conformance-clean removes the cases that earlier conformance runs
// left on the target (a run killed before its cleanup), and nothing else:
// only cases that carry a run's marks in their uuid, title or external id,
// in the fixture projects, changed at least -min-age ago. It reads the same
// settings as the suite (CONFORMANCE_* variables, CONFORMANCE_CONFIG). The
// logic is harness.CleanCommand.
//
//	make conformance-clean
//	go run ./cmd/conformance-clean -min-age 0 -dry-run
package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/callcases/conformance/harness"
)

func main() {
	minAge := flag.Duration("min-age", 15*time.Minute, "keep cases changed more recently than this: they may belong to a run still going")
	dryRun := flag.Bool("dry-run", false, "list what would be removed, remove nothing")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(harness.CleanCommand(ctx, os.LookupEnv, *minAge, *dryRun, os.Stdout))
}
