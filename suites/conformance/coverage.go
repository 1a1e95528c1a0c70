package conformance

import (
	"github.com/callcases/conformance/coverage"
	. "github.com/onsi/ginkgo/v2"
)

// reportCoverage, at the end of every spec (see beforeEachSpec), reports the
// coverage facts of its exchanges (which operation answered which code,
// asserted or not) to process 1, where the reports compute the matrix.
func reportCoverage() {
	if env == nil {
		return
	}
	if facts := env.Coverage.Flush(); len(facts) > 0 {
		AddReportEntry(coverage.EntryName, coverage.Encode(facts), ReportEntryVisibilityNever)
	}
}
