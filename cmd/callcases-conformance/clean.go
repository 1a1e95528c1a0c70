package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/callcases/conformance/cmd/callcases-conformance/internal/early"
	"github.com/callcases/conformance/harness"
)

// clean is `callcases-conformance clean` (and make conformance-clean): it
// removes the cases that earlier runs left on the target (a run killed
// before its cleanup), and nothing else: only cases that carry a run's
// marks in their uuid, title or external id, in the fixture projects,
// changed at least -min-age ago. Same settings as a run; the logic is
// harness.CleanCommand. Ctrl-C or SIGTERM stops it between requests.
func clean(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("clean", flag.ContinueOnError)
	fs.SetOutput(stderr)
	minAge := fs.Duration("min-age", 15*time.Minute, "keep cases changed more recently than this: they may belong to a run still going")
	dryRun := fs.Bool("dry-run", false, "list what would be removed, remove nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: callcases-conformance clean [-dry-run] [-min-age 15m]\n\nRemoves from CONFORMANCE_TARGET the cases earlier runs left (a run killed\nbefore its cleanup; a run lists them before it starts), and nothing else:\nonly cases with a conformance run's marks, in the fixture projects. Same\nsettings as a run.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "callcases-conformance clean: unexpected argument %q\n\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	ctx, stop := early.Context(stopSignals...) // caught from the start (see package early)
	defer stop()
	return harness.CleanCommand(ctx, lookup, *minAge, *dryRun, stdout)
}
