package conformance

import (
	"github.com/callcases/conformance/coverage"
	. "github.com/onsi/ginkgo/v2"
)

// Every spec reports the coverage facts of its exchanges (which operation
// answered which code, asserted or not) to process 1, where the reports
// compute the matrix. The cleanup is registered first so that it runs last,
// after the AfterEach contract check and the spec's own cleanup.
var _ = BeforeEach(func() {
	DeferCleanup(func() {
		if env == nil {
			return
		}
		if facts := env.Coverage.Flush(); len(facts) > 0 {
			AddReportEntry(coverage.EntryName, coverage.Encode(facts), ReportEntryVisibilityNever)
		}
	})
})
