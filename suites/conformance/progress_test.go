package conformance_test

import (
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
)

// A line per finished spec, so that a run against a slow target shows where
// it is and how each condition went, in the summary's words:
//
//	[12/56] passed       S200-get (json)
//
// Only in a serial run (go test, ginkgo without -p). In a parallel run Ginkgo
// captures whatever a process prints and shows every spec that printed as a
// full block, which would bury the run under 56 blocks; there Ginkgo's own
// progress (a dot per spec, or a line per spec with -v) already does the job,
// and the summary table still ends the run.
var progress struct {
	sync.Mutex
	total, done int
}

var _ = ReportBeforeSuite(func(r Report) {
	progress.Lock()
	defer progress.Unlock()
	progress.total = r.PreRunStats.SpecsThatWillRun
})

var _ = ReportAfterEach(func(sr SpecReport) {
	if suite, _ := GinkgoConfiguration(); suite.ParallelTotal > 1 {
		return
	}
	row := report.RowOf(sr)
	if row.Outcome == report.NotSelected {
		return // filtered out, or never started because the suite's setup failed
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
	fmt.Fprintf(os.Stdout, "\n[%*d/%d] %-12s %s (%s)%s", width, progress.done, progress.total, row.Outcome, row.Condition.ID, row.Format, end)
})
