package conformance

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/explore"
	"github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
)

// An exploration run for a spec (explore.go): the target it works against,
// its budget from the settings, its account and figures in the report, and
// the replay script of a divergence.

// ExplorationEntry is the report entry that holds an exploration's account:
// its seed, what it sent, and what it found.
const ExplorationEntry = "exploration"

// runExploration runs one kind of exploration in a's format and ends the
// spec by what it found: a divergence fails it, a run that could not
// explore is an error of the run.
func runExploration(ctx SpecContext, a api, kind string) {
	GinkgoHelper()
	tgt := explorationTarget(a)
	if tgt.Operator == "" {
		AddReportEntry(ExplorationEntry+" note", fmt.Sprintf("steps that name an operator were left out: %s is not set", config.Operator.Setting()))
	}
	budget := explore.DefaultBudget(env.Config.ExploreRequests, env.Config.ExploreTime)
	if env.Config.ExploreShrink != nil {
		budget.Shrink = *env.Config.ExploreShrink
	}
	r := explore.Explore(ctx, tgt, kind, a.format, env.Config.ExploreSeed, budget)
	text := client.Redact(explore.Report(r), matchers.Secrets()...)
	AddReportEntry(ExplorationEntry, text)
	reportExploration(r)
	switch {
	case r.Finding != nil:
		script := filepath.Join(env.Config.Reports, fmt.Sprintf("explore-%s-%s.sh", kind, a.format))
		body := client.Redact(explore.ReplayScript(r, matchers.Curl), matchers.Secrets()...)
		where := "replay it with " + script
		if err := os.MkdirAll(env.Config.Reports, 0o755); err == nil {
			err = os.WriteFile(script, []byte(body), 0o755)
			if err != nil {
				where = "the replay script could not be written: " + err.Error()
			}
		}
		Fail(fmt.Sprintf("the target diverged from the reference (CONFORMANCE_EXPLORE_SEED=%d repeats it); %s\n%s\nreplay:\n%s", env.Config.ExploreSeed, where, text, body))
	case r.RunError != nil:
		runError("exploration %s (%s), seed %d: %v", kind, a.format, env.Config.ExploreSeed, r.RunError)
	case r.Steps == 0 && ctx.Err() == nil:
		runError("exploration %s (%s) ran no step within its budget (%s, %s)", kind, a.format, config.EnvExploreRequests, config.EnvExploreTime)
	}
}

// explorationTarget is what an exploration works against: the target
// under test as the full-rights user, the run's marks on what it makes, and
// the process's cleanup of the cases it made.
func explorationTarget(a api) explore.Target {
	operator := ""
	if env.Config.Missing(config.Operator) == "" {
		operator = env.Config.Operator
	}
	return explore.Target{
		Client:   env.API,
		User:     client.Credentials{Username: env.Config.Username, Password: env.Config.Password},
		Contract: env.Contract,
		Project:  env.Config.Project,
		Operator: operator,
		Marks:    explore.Marks{UUID: newUUID, ExternalID: newExternalID, Title: newTitle("")},
		Own:      func(uuid string) { deleteLater(a, uuid) },
		Gone:     forgetDelete,
		Redact:   func(s string) string { return client.Redact(s, matchers.Secrets()...) },
	}
}

// reportExploration attaches what an exploration did, for make bench.
func reportExploration(r explore.Result) {
	AddReportEntry(explore.FiguresEntry, explore.FiguresOf(r), ReportEntryVisibilityNever)
}
