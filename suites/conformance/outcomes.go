package conformance

import (
	"context"
	"errors"
	"fmt"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/matchers"
	. "github.com/callcases/conformance/matchers"
	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// How a spec ends besides a verdict: an error of the run, a condition not
// provoked, a lost answer; and the contract check of every exchange.

// runError fails the spec as an error of the run (a fixture that could not
// be made, a fault that could not be set), not a verdict on the API: the
// report entry, not the text, is what the reports read.
func runError(format string, args ...any) {
	GinkgoHelper()
	msg := client.Redact(fmt.Sprintf(format, args...), matchers.Secrets()...)
	interceptLoss()
	if !CurrentSpecReport().Failed() {
		// A verdict already given (the body failed, then its cleanup) stands.
		AddReportEntry(report.RunErrorEntry, msg, ReportEntryVisibilityNever)
	}
	Fail("run error: " + msg)
}

// notProvoked skips the spec, reported "not provoked" with the reason: the
// target lacks what the condition needs.
func notProvoked(format string, args ...any) {
	GinkgoHelper()
	msg := fmt.Sprintf(format, args...)
	AddReportEntry(report.NotProvokedEntry, msg, ReportEntryVisibilityNever)
	Skip(msg)
}

// timeoutVerdicts are exchanges whose timeout is the behaviour under test
// (a target that hangs instead of answering 504), not an error of the run.
var timeoutVerdicts = map[*client.Exchange]bool{}

// timeoutIsVerdict marks x: if it timed out, that is the API's failure.
func timeoutIsVerdict(x *client.Exchange) { timeoutVerdicts[x] = true }

// forgetExchanges, before every spec, drops what the log holds from before
// it, so that the AfterEach below checks the spec's own exchanges.
func forgetExchanges() {
	env.Log.Take()
	clear(timeoutVerdicts)
}

// After every spec: a spec that failed while an exchange got no answer (the
// target went away, a connection broke, a timeout) failed because of the
// run, in every condition, however the spec asserted; and every exchange of
// a spec must keep the contract, even one the spec did not assert on
// (setup, follow-up reads).
var _ = AfterEach(func() {
	exchanges := env.Log.Take()
	if CurrentSpecReport().Failed() {
		if cause := transportFailure(exchanges); cause != "" {
			AddReportEntry(report.RunErrorEntry, cause, ReportEntryVisibilityNever)
		}
	}
	for _, x := range exchanges {
		if !x.Asserted && x.Err == nil && len(x.Violations) > 0 {
			Expect(x).To(KeepContract(), "an exchange of the spec at %s that no assertion checked", CurrentSpecReport().LeafNodeLocation)
		}
	}
})

// transportFailure is the first exchange that got no answer, as its request
// and real cause, or "" when every exchange was answered (or the only ones
// that were not are the verdict itself).
func transportFailure(exchanges []*client.Exchange) string {
	for _, x := range exchanges {
		if x.Err == nil || x.Retried || (timeoutVerdicts[x] && isTimeout(x.Err)) {
			continue
		}
		what := x.Request.Method + " " + x.Request.Path
		if x.HTTPRequest != nil {
			what = x.HTTPRequest.Method + " " + x.HTTPRequest.URL.Path
		}
		return client.Redact(fmt.Sprintf("no answer to %s: %v", what, x.Err), matchers.Secrets()...)
	}
	return ""
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

// noError fails the spec, saying what it was doing, when a helper of the
// harness could not do it; the error's own words, not Gomega's dump of it.
func noError(err error, doing string, args ...any) {
	GinkgoHelper()
	if err != nil {
		interceptLoss()
		Fail(fmt.Sprintf(doing, args...) + ": " + client.Redact(err.Error(), matchers.Secrets()...))
	}
}
