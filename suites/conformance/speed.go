package conformance

import (
	"github.com/callcases/conformance/speed"
	. "github.com/onsi/ginkgo/v2"
)

// Every spec reports its round trips and its dependent chain (package
// speed), cleanup included, for make bench. Registered in a BeforeEach, the
// cleanup runs after the spec's own cleanup.
var _ = BeforeEach(func() {
	// What ran since the last spec's report, outside any spec (the cleanup
	// of an Ordered container's BeforeAll), is reported apart.
	if env != nil {
		if f := env.Speed.Flush(); f.Trips > 0 {
			AddReportEntry(speed.EntryName+"-between", f.String(), ReportEntryVisibilityNever)
		}
	}
	DeferCleanup(func() {
		if env != nil {
			reportSpeed()
		}
	})
})

// reportSpeed attaches the figures since the last report to the node under
// way: a spec, or the suite's setup and teardown (the preflight, the final
// sweep).
func reportSpeed() {
	if f := env.Speed.Flush(); f.Trips > 0 {
		AddReportEntry(speed.EntryName, f.String(), ReportEntryVisibilityNever)
	}
}
