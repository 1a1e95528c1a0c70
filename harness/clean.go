package harness

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
)

// CleanCommand is the whole of `callcases-conformance clean` (which make
// conformance-clean runs), and of any front end that offers the same: it
// reads the suite's settings through lookup, lists the cases earlier runs
// left, and unless dryRun
// removes those changed at least minAge ago, saying what it did on out
// (credentials redacted). It returns the exit status: 0 when nothing is
// left that it meant to remove, 1 when something is, 2 on a configuration error.
func CleanCommand(ctx context.Context, lookup func(string) (string, bool), minAge time.Duration, dryRun bool, out io.Writer) int {
	cfg, err := config.Load(lookup)
	if err != nil {
		fmt.Fprintln(out, "callcases-conformance clean:", err)
		return 2
	}
	if cfg.Embedded() {
		fmt.Fprintf(out, "callcases-conformance clean: %s is not set: the embedded reference starts empty every run, there is nothing to clean\n", config.EnvTarget)
		return 0
	}
	env, err := NewEnv(Shared{Config: cfg, RunID: NewRunID(), Started: time.Now()})
	if err != nil {
		fmt.Fprintln(out, "callcases-conformance clean:", err)
		return 2
	}
	say := func(format string, args ...any) {
		fmt.Fprint(out, client.Redact(fmt.Sprintf(format, args...), cfg.Secrets()...))
	}
	if dryRun {
		runs, err := env.EarlierRuns(ctx)
		for _, r := range runs {
			say("run %s: %d marked case(s), last changed %s ago\n", r.RunID, len(r.Cases), r.Age(time.Now()))
			for _, c := range r.Cases {
				say("  %s (project %s, external id %q)\n", c.UUID, c.Project, c.ID)
			}
		}
		if err != nil {
			say("callcases-conformance clean: %v\n", err)
			return 1
		}
		say("%d earlier run(s); nothing removed (-dry-run)\n", len(runs))
		return 0
	}
	res, err := env.Clean(ctx, minAge)
	for _, c := range res.Removed {
		say("removed %s (run %s, project %s)\n", c.UUID, c.RunID, c.Project)
	}
	for _, c := range res.Kept {
		say("kept %s (run %s): changed less than %s ago, its run may still be going (-min-age)\n", c.UUID, c.RunID, minAge)
	}
	for _, l := range res.Left {
		say("LEFT %s\n", l)
	}
	say("%d removed, %d kept as recent, %d could not be removed\n", len(res.Removed), len(res.Kept), len(res.Left))
	if err != nil {
		say("callcases-conformance clean: %v\n", err)
		return 1
	}
	if len(res.Left) > 0 {
		return 1
	}
	return 0
}
