package conformance

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/matchers"
	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// A flaky network must not cost the verdict (docs/shared-staging.md, "A flaky network"). A request
// that can be judged when sent again (a GET, a PUT that sets values) is,
// by the client. Any other whose answer never came (a POST, a DELETE, a
// set-state, a calllist command, a batch, an assign) leaves the spec with
// nothing to judge: the spec is run again from the start, with new data
// and new ids, up to CONFORMANCE_RETRIES more times, and its outcome says
// so. An answer is never a reason to run again: a failure with no lost
// answer behind it is the verdict, at the attempt that gave it.
//
// Why the suite's own loop and not Ginkgo's FlakeAttempts: Ginkgo retries
// a spec on any failure, a wrong answer too, and records the failure
// before anyone can tell which it is. Here the fail handler tells them
// apart when the failure happens: a failure while an answer of the attempt
// was lost ends the attempt (lostAttempt) without reaching Ginkgo, and
// anything else is given to Ginkgo as it was.

// attemptRun is the spec under way's attempts.
type attemptRun struct {
	n        int      // the attempt under way, from 1
	losses   []string // what each lost attempt lost, in order
	cleanups []func(SpecContext)
	cleaning bool // the lost attempt's cleanups run: their failures are the run's
}

// current is the spec under way's attempts; nil outside a spec body (a
// process runs one spec at a time).
var current atomic.Pointer[attemptRun]

// lostAttempt ends an attempt that failed after an answer was lost.
type lostAttempt struct{ cause string }

// attempts runs body until an attempt ends without a lost answer behind a
// failure, at most 1+CONFORMANCE_RETRIES times. The last attempt's failures
// go to Ginkgo as they are (a lost answer then is a run error, as always).
func attempts(ctx SpecContext, body func(SpecContext)) {
	run := &attemptRun{}
	current.Store(run)
	defer current.Store(nil)
	// Registered first, so that it runs after the attempt's own cleanups:
	// the outcome is known by then.
	DeferCleanup(func() { run.tell() })
	DeferCleanup(func(ctx SpecContext) { run.cleanUp(ctx) })
	for run.n = 1; ; run.n++ {
		tagAttempt(run.n)
		cause, lost := run.try(ctx, body)
		if !lost {
			return
		}
		run.losses = append(run.losses, cause)
		fmt.Fprintf(GinkgoWriter, "attempt %d lost an answer and proves nothing; the spec runs again from the start: %s\n", run.n, cause)
		run.cleanUp(ctx)
		env.Log.Take() // in the HAR, marked with their attempt; not this attempt's to judge
		clear(timeoutVerdicts)
	}
}

// try runs one attempt: lost when it ended on a failure behind which an
// answer was lost.
func (r *attemptRun) try(ctx SpecContext, body func(SpecContext)) (cause string, lost bool) {
	defer func() {
		if e := recover(); e != nil {
			l, ok := e.(lostAttempt)
			if !ok {
				panic(e) // Ginkgo's own (a failure, a skip), or a bug: as it was
			}
			cause, lost = l.cause, true
		}
	}()
	body(ctx)
	return "", false
}

// cleanUp runs the attempt's cleanups, last registered first.
func (r *attemptRun) cleanUp(ctx SpecContext) {
	r.cleaning = true
	defer func() { r.cleaning = false }()
	for len(r.cleanups) > 0 {
		f := r.cleanups[len(r.cleanups)-1]
		r.cleanups = r.cleanups[:len(r.cleanups)-1]
		f(ctx)
	}
}

// tell puts what happened to the attempts into the spec's report, when
// there was more than one: "passed on attempt 2; attempt 1: no answer to ...".
func (r *attemptRun) tell() {
	if len(r.losses) == 0 {
		return
	}
	sr := CurrentSpecReport()
	outcome := "failed"
	switch {
	case sr.State.Is(types.SpecStatePassed):
		outcome = "passed"
	case sr.State.Is(types.SpecStateSkipped):
		outcome = "was skipped"
	}
	parts := []string{fmt.Sprintf("%s on attempt %d", outcome, r.n)}
	for i, cause := range r.losses {
		parts = append(parts, fmt.Sprintf("attempt %d: %s", i+1, cause))
	}
	story := client.Redact(strings.Join(parts, "; "), matchers.Secrets()...)
	AddReportEntry(report.AttemptsEntry, story, ReportEntryVisibilityNever)
	fmt.Fprintln(GinkgoWriter, story)
}

// later runs f when the attempt under way ends: at once when it lost an
// answer (before the spec runs again, so that the next attempt finds the
// state it needs: a membership put back, a fault reset), else when the
// spec ends. Outside a spec body it is DeferCleanup.
func later(f func(SpecContext)) {
	if r := current.Load(); r != nil && !r.cleaning {
		r.cleanups = append(r.cleanups, f)
		return
	}
	DeferCleanup(f)
}

// interceptLoss ends the attempt under way, instead of failing the spec,
// when an answer of the attempt was lost and another attempt may follow.
// Every way the suite fails a spec calls it first (RedactedFail, runError).
func interceptLoss() {
	r := current.Load()
	if r == nil || r.cleaning || r.n > env.Config.Retries || !env.API.Retrying() {
		return // the last attempt, or a target that loses every answer: as ever, a run error
	}
	if cause := lostAnswer(env.Log.Peek()); cause != "" {
		panic(lostAttempt{cause})
	}
}

// lostAnswer describes the first exchange whose answer never came and was
// not sent again (the client's retry answered for a GET), or "".
func lostAnswer(exchanges []*client.Exchange) string {
	for _, x := range exchanges {
		if !x.Lost || x.Retried { // a lost answer is never a timeout, whose verdict a spec may give
			continue
		}
		return client.Redact(fmt.Sprintf("no answer to %s: %v", requestLine(x), x.Err), matchers.Secrets()...)
	}
	return ""
}

// requestLine is an exchange's method and path, query included.
func requestLine(x *client.Exchange) string {
	if x.HTTPRequest != nil {
		return x.HTTPRequest.Method + " " + x.HTTPRequest.URL.RequestURI()
	}
	return x.Request.Method + " " + x.Request.Path
}

// tagAttempt marks the spec's exchanges from here on with their attempt (HAR).
func tagAttempt(n int) {
	if t := specTags.Load(); t != nil && t.SpecAttempt != n {
		tags := *t
		tags.SpecAttempt = n
		specTags.Store(&tags)
	}
}

// Retried counts, once per spec and per suite node, the requests this
// process sent again: each count is a report entry of the node that sent
// them, so that the summary can add every process's up.
var retriedSeen atomic.Int64

func reportRetried() {
	now := client.Retried()
	if n := now - retriedSeen.Swap(now); n > 0 {
		AddReportEntry(report.RetriedEntry, int(n), ReportEntryVisibilityNever)
	}
}
