// Package conformance is the conformance suite: one spec per row of the
// condition catalogue (catalogue/conditions.yaml), per format, against the
// configured target or, when none is configured, the embedded reference.
package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/callcases/conformance/bundle"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/matchers"
	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
)

// Description names the suite in Ginkgo's reports.
const Description = "Call Cases API conformance"

// Run runs the suite's specs in this process, with Ginkgo's configuration
// from the command line (-ginkgo.* flags): go test calls it, and so does
// callcases-conformance in each of its parallel processes.
func Run(t GinkgoTestingT) bool {
	tuneGC()
	RegisterFailHandler(RedactedFail)
	suiteConfig, reporterConfig := Configuration()
	shareCores(suiteConfig.ParallelTotal)
	return RunSpecs(t, Description, suiteConfig, reporterConfig)
}

// shareCores gives each process of a parallel run its share of the
// machine's cores (at least one) as Go's GOMAXPROCS: every process taking
// all of them had their schedulers spin against one another (make bench
// on 2 cores, 2 processes: 0.92 s of suite time and 0.62 s of system CPU
// with 2 each, 0.74 s and 0.40 s with 1). GOMAXPROCS, when set, decides
// instead.
func shareCores(processes int) {
	if os.Getenv("GOMAXPROCS") != "" || processes <= 1 { // empty is unset, as the runtime reads it
		return
	}
	runtime.GOMAXPROCS(max(1, runtime.NumCPU()/processes))
}

// tuneGC lets the heap grow to five times what is live between collections
// instead of twice, up to a soft limit of 256 MiB: a suite process lives a
// second or two, keeps little (10-15 MiB) and allocates fast, so that at
// Go's default the collector took about an eighth of its CPU. GOGC and
// GOMEMLIMIT, when set and not empty, decide instead.
func tuneGC() {
	if os.Getenv("GOGC") == "" { // empty is unset, as the runtime reads it
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(256 << 20)
	}
}

var (
	// formats decides the tree, so it is read when the tree is built; a bad
	// configuration still stops the run in the BeforeSuite, before any request.
	formats = func() []string {
		if cfg, err := config.Load(os.LookupEnv); err == nil {
			return cfg.Formats
		}
		return config.Defaults().Formats
	}()

	// build decides, like formats, which specs are Serial (see labels): a
	// fault spec is, unless the hook has scopes; an operator spec is when
	// there is no hook (and so no lease); a window spec is, unless the target
	// writes lastModified finer than seconds. The run's first process asks
	// the target, the others read its answer: they must build the same tree.
	// It is asked when the tree is built, not at start-up: a process that
	// links the suite and runs none (callcases-conformance's own) never asks.
	build = sync.OnceValue(func() harness.Build {
		cfg, err := config.Load(os.LookupEnv)
		if err != nil {
			return harness.Build{}
		}
		return harness.AtBuild(cfg, os.Args)
	})

	env     *harness.Env     // this process's view of the target
	session *harness.Session // process 1 only
)

var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	// Ginkgo's flake attempts run a spec again after any failure, a wrong
	// answer too: the suite runs a spec again only after a lost answer.
	if suite, _ := GinkgoConfiguration(); suite.FlakeAttempts > 0 {
		RedactedFail(fmt.Sprintf("--flake-attempts would run a spec again after a wrong answer too, which is a verdict; the suite runs a spec again only when an answer was lost (%s, %d by default)", config.EnvRetries, config.DefaultRetries))
	}
	if cfg, err := config.Load(os.LookupEnv); err == nil {
		matchers.Redact(cfg.Secrets()...) // before the preflight, whose failures may quote the target
	}
	s, e, err := harness.Start(ctx, os.LookupEnv)
	if err != nil {
		RedactedFail(err.Error()) // outside any spec: the reports count it as an error of the run
	}
	session, env = s, e // process 1 keeps its Env: the contract is loaded once per process
	matchers.Redact(e.Secrets()...)
	fmt.Fprintf(GinkgoWriter, "run %s against %s\n", e.RunID, e.Config.Target)
	for _, line := range e.Config.Lines() {
		fmt.Fprintln(GinkgoWriter, "  "+line)
	}
	for _, note := range e.Notes {
		say(note)
	}
	reportRetried()
	return s.Marshal()
}, func(data []byte) {
	ready()
	if env == nil { // every process but 1, which built its Env in Start
		var err error
		env, err = harness.Attach(data)
		if err != nil {
			RedactedFail(err.Error())
		}
		matchers.Redact(env.Secrets()...)
	}
	env.Process = GinkgoParallelProcess()
	env.Notify = say
	reportSpeed() // the preflight's round trips, on process 1
	if build().HookScopes && !env.Scopes {
		RedactedFail("the fault hook said it supports scoped faults when the suite was built, and not in the preflight; the fault specs would run in parallel with global faults: run again")
	}
	if err := recorder().Begin(env.Config.Reports, env.RunID); err != nil {
		RedactedFail("recording the exchanges in " + env.Config.Reports + ": " + err.Error())
	}
})

// say shows a message while the run goes on (a spec waits for the fault
// hook's lease, the preflight found what earlier runs left): in the spec's
// output, and on the console, through the progress file when
// callcases-conformance shows the run (one line: "note", tab, the message).
func say(msg string) {
	msg = client.Redact(msg, matchers.Secrets()...)
	fmt.Fprintln(GinkgoWriter, msg)
	if progressFile != "" {
		appendProgress("note", strings.Join(strings.Fields(msg), " "))
		return
	}
	if suite, _ := GinkgoConfiguration(); suite.ParallelTotal > 1 {
		return // Ginkgo shows a process's output only with its spec's
	}
	fmt.Fprintln(os.Stdout, "\n"+msg)
}

// SynchronizedAfterSuite runs, also after a failure or a first interrupt
// (SIGINT), first on every process, which deletes the cases its specs made
// (deleteLater), then on process 1 once every process is done: it puts the
// fault hook back and sweeps up what those deletes missed.
var _ = SynchronizedAfterSuite(func(spec SpecContext) {
	if env != nil {
		deleteTheProcessCases(cleanupContext(spec))
		reportSpeed()
		reportRetried()
	}
}, func(spec SpecContext) {
	defer session.Close()
	defer build().Forget() // every process has built its tree by now
	if env == nil {
		return // the run never reached the target
	}
	ctx := cleanupContext(spec)
	// Last, whatever fails before: a hold on the lease a process could not
	// give back is given back (else it expires after its ttl), and the run's
	// folder for its processes is removed.
	defer giveLeaseBack(spec)
	// Faults first: an integration fault left on would fail the sweep's requests.
	if err := resetFaults(spec); err != nil {
		RedactedFail(err.Error())
	}
	removed, left, err := env.Sweep(ctx)
	for _, uuid := range removed {
		AddReportEntry(harness.SweptEntry, uuid, ReportEntryVisibilityNever)
	}
	if len(removed) > 0 {
		fmt.Fprintf(GinkgoWriter, "the final sweep removed %d case(s) of this run that the specs' cleanup missed: %s\n", len(removed), strings.Join(removed, ", "))
	}
	for _, l := range left {
		recordLeftover(l)
	}
	if err != nil {
		recordLeftover(harness.Leftover{Kind: "final sweep", ID: "of the fixture projects", Reason: "incomplete, so cases of this run may remain: " + err.Error()})
	}
	reportSpeed()
	reportRetried()
})

// What other runs and users of the staging depend on, the run's faults on
// the hook and its lease, is put back even after a second signal, which
// skips the cleanup (the specs' deletes and the final sweep): Ginkgo then
// skips SynchronizedAfterSuite, or cancels it under way, and runs only the
// reporting nodes, so ReportAfterSuite puts back whatever the cleanup did
// not (putBackShared). Each is done once, with its own bound: a few
// requests, never the cleanup's wait.
var faultsBack, leaseBack putBack

// sharedPutBack bounds putting back the faults, and giving back the lease.
const sharedPutBack = 5 * time.Second

// putBack is one of those, done once: by the cleanup, or else by
// ReportAfterSuite, whichever comes first (the other waits for it).
type putBack struct {
	sync.Mutex
	done bool
}

func (p *putBack) do(spec context.Context, f func(context.Context) error) error {
	p.Lock()
	defer p.Unlock()
	if p.done {
		return nil
	}
	p.done = true
	ctx, cancel := context.WithTimeout(context.WithoutCancel(spec), sharedPutBack)
	defer cancel()
	return f(ctx)
}

func resetFaults(spec context.Context) error {
	if err := faultsBack.do(spec, env.ResetFaults); err != nil {
		return fmt.Errorf("could not put the fault hook back to none: %w", err)
	}
	return nil
}

func giveLeaseBack(spec context.Context) {
	if err := leaseBack.do(spec, env.EndLease); err != nil {
		say(fmt.Sprintf("run %s: could not give the fault hook's lease back; it expires after its ttl: %v", env.RunID, err))
	}
}

// putBackShared, in ReportAfterSuite, does what a second signal kept the
// cleanup from doing; what it could not is told among the run's errors.
func putBackShared(ctx context.Context, r *Report) {
	if env == nil {
		return
	}
	if err := resetFaults(ctx); err != nil {
		r.SpecReports = append(r.SpecReports, SpecReport{
			LeafNodeType: types.NodeTypeAfterSuite, LeafNodeText: "cleanup", State: types.SpecStateFailed,
			Failure: types.Failure{Message: client.Redact(err.Error(), matchers.Secrets()...)},
		})
	}
	giveLeaseBack(ctx)
}

// ReportAfterSuite runs on process 1 with every process's specs, after a
// second signal too: it first puts back what that signal kept the cleanup
// from putting back (putBackShared). Taking a context also makes Ginkgo
// count it interruptible: an interrupt that lands while it writes then
// waits for it (Ginkgo's grace period) instead of leaving it half way, with
// no result.json.
var _ = ReportAfterSuite("conformance reports", func(spec SpecContext, r Report) {
	putBackShared(spec, &r)
	run := report.Run{Dir: config.Resolve(os.LookupEnv, config.Defaults().Reports), Secrets: matchers.Secrets()}
	if cfg, err := config.Load(os.LookupEnv); err == nil {
		run.Dir = cfg.Reports
	} else if dir, ok := os.LookupEnv(config.EnvReports); ok && dir != "" {
		run.Dir = config.Resolve(os.LookupEnv, dir) // a configuration error is reported where the user asked for reports
	}
	if session != nil {
		cfg := session.Shared.Config
		run.Target, run.RunID, run.Config = cfg.Target, session.Shared.RunID, cfg.Lines()
	}
	left := leftovers(r)
	// Each thing left behind is a run error of its own in the reports.
	for _, l := range left {
		r.SpecReports = append(r.SpecReports, SpecReport{
			LeafNodeType: types.NodeTypeAfterSuite, LeafNodeText: "cleanup", State: types.SpecStateFailed,
			Failure: types.Failure{Message: report.LeftOnTarget + client.Redact(l.String(), matchers.Secrets()...)},
		})
	}
	// Under callcases-conformance, which prints the summary itself once the
	// run is over, the summary is not printed here: in a parallel run Ginkgo
	// would show it inside process 1's captured output.
	var console io.Writer = os.Stdout
	if progressFile != "" {
		console = io.Discard
	}
	if err := report.Write(run, r, console); err != nil {
		RedactedFail("writing reports: " + err.Error())
	}
	if err := mergeExchanges(run.Dir, run.RunID, run.Target); err != nil {
		RedactedFail("writing " + bundle.HARFile + ": " + err.Error())
	}
	if len(left) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nLEFT ON THE TARGET by run %s: the suite could not remove these; remove them by hand:\n", run.RunID)
	for _, l := range left {
		fmt.Fprintf(&b, "  - %s\n", l)
	}
	fmt.Fprint(os.Stdout, client.Redact(b.String(), matchers.Secrets()...))
	// A run whose specs failed exits non-zero already; one that passed must not
	// exit 0 when it left data behind.
	if !slices.ContainsFunc(r.SpecReports, func(sr SpecReport) bool {
		return sr.LeafNodeType == types.NodeTypeIt && sr.State.Is(types.SpecStateFailureStates)
	}) {
		RedactedFail(fmt.Sprintf("the run left %d thing(s) on the target; see the list above and summary.md", len(left)))
	}
})

// leftovers collects what every process recorded as left behind, once each,
// without the cases the final sweep removed after all.
func leftovers(r Report) []harness.Leftover {
	var order []string
	byKey := map[string]harness.Leftover{}
	swept := map[string]bool{}
	for _, sr := range r.SpecReports {
		for _, e := range sr.ReportEntries {
			switch e.Name {
			case harness.SweptEntry:
				swept["case "+e.Value.String()] = true
			case harness.LeftoverEntry:
				l, ok := e.Value.GetRawValue().(harness.Leftover)
				if !ok && json.Unmarshal([]byte(e.Value.AsJSON), &l) != nil {
					l = harness.Leftover{Kind: "unrecognised leftover entry", Reason: e.Value.String()}
				}
				if _, seen := byKey[l.Key()]; !seen {
					order = append(order, l.Key())
				}
				byKey[l.Key()] = l // the later judgement (the sweep's) wins
			}
		}
	}
	var out []harness.Leftover
	for _, k := range order {
		if !swept[k] {
			out = append(out, byKey[k])
		}
	}
	return out
}
