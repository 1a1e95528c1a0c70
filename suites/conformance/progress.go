package conformance

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
)

// A line per finished spec, so that a run against a slow target shows where
// it is and how each condition went, in the summary's words:
//
//	[12/56] passed       S200-get (json)
//
// A serial run (go test, ginkgo without -p) prints it. In a parallel run
// Ginkgo captures whatever a process prints and shows every spec that printed
// as a full block, so there the processes append the line's facts to the
// file CONFORMANCE_PROGRESS names (outcome, condition, format, reason, and
// a family row's " [operation]"; tab-separated), and callcases-conformance
// prints them as they come.
var progress struct {
	sync.Mutex
	total, done int
}

// progressFile is where parallel processes report; "" when nobody listens.
var progressFile = os.Getenv("CONFORMANCE_PROGRESS")

func appendProgress(fields ...string) {
	f, err := os.OpenFile(progressFile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return // progress is a courtesy: never a reason to fail the run
	}
	defer f.Close()
	_, _ = f.WriteString(strings.Join(fields, "\t") + "\n") // one short write: lines of processes do not mix
}

// ready tells callcases-conformance that this process can take a stop
// signal: it is inside RunSpecs, so Ginkgo's interrupt handler catches
// SIGINT and SIGTERM and runs the cleanup and the reports. Before that, the
// signal's default action would end the process at once, and with it the
// run's reports (process 1 writes them only once every process reported);
// so callcases-conformance signals a process only once it said "ready".
// Process 1 says it first thing (ReportBeforeSuite runs on it alone), the
// others once process 1's preflight is done, before their first spec.
func ready() {
	if progressFile != "" {
		appendProgress("ready", strconv.Itoa(os.Getpid()))
	}
}

var _ = ReportBeforeSuite(func(r Report) {
	ready()
	progress.Lock()
	defer progress.Unlock()
	progress.total = r.PreRunStats.SpecsThatWillRun
	if progressFile != "" {
		appendProgress("total", strconv.Itoa(progress.total))
	}
})

var _ = ReportAfterEach(func(sr SpecReport) {
	row := report.RowOf(sr)
	if row.Outcome == report.NotSelected {
		return // filtered out, or never started because the suite's setup failed
	}
	variant := familyVariant(sr.LeafNodeText)
	if progressFile != "" { // someone shows the lines: callcases-conformance
		appendProgress(row.Outcome, row.Condition.ID, row.Format, strings.Join(strings.Fields(row.Reason), " "), variant)
		return
	}
	if suite, _ := GinkgoConfiguration(); suite.ParallelTotal > 1 {
		return
	}
	progress.Lock()
	defer progress.Unlock()
	progress.done++
	width := len(strconv.Itoa(progress.total))
	// Ginkgo marks a passed or skipped spec with a character right after this
	// report: leave the line open for it. Before a failure's block it prints
	// nothing on the line, so close it.
	end := " "
	if row.Outcome == report.Failed || row.Outcome == report.Error {
		end = "\n"
	}
	fmt.Fprintf(os.Stdout, "\n[%*d/%d] %-12s %s (%s)%s%s", width, progress.done, progress.total, row.Outcome, row.Condition.ID, row.Format, variant, end)
})

// familyVariant is the " [operation variant]" a family row's spec text ends
// with (see familyRow), so that the lines of one condition's specs differ.
func familyVariant(text string) string {
	if i := strings.LastIndex(text, " ["); i >= 0 && strings.HasSuffix(text, "]") {
		return text[i:]
	}
	return ""
}
