package conformance

import (
	"github.com/callcases/conformance/speed"
	. "github.com/onsi/ginkgo/v2"
)

// Every spec reports its round trips and its dependent chain (package
// speed), cleanup included, for make bench (see beforeEachSpec).

// reportSpeedBetween, as a spec starts, reports apart what ran since the
// last spec's report, outside any spec (the cleanup of an Ordered
// container's BeforeAll).
func reportSpeedBetween() {
	if env == nil {
		return
	}
	if f := env.Speed.Flush(); f.Trips > 0 {
		AddReportEntry(speed.EntryName+"-between", f.String(), ReportEntryVisibilityNever)
	}
}

// reportSpeed attaches the figures since the last report to the node under
// way: a spec, or the suite's setup and teardown (the preflight, the final
// sweep).
func reportSpeed() {
	if f := env.Speed.Flush(); f.Trips > 0 {
		AddReportEntry(speed.EntryName, f.String(), ReportEntryVisibilityNever)
	}
}
