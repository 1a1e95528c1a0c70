package report_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
)

// An interrupted run certifies nothing, whatever passed before the signal,
// and names what it kept from running, not what the label filter left out.
func TestAnInterruptedRunSaysSoAndWhatDidNotRun(t *testing.T) {
	r := types.Report{SuiteDescription: "Call Cases API conformance", SpecialSuiteFailureReasons: []string{"Interrupted by User"}}
	r.SuiteConfig.LabelFilter = "!area:faults"
	r.SpecReports = []types.SpecReport{
		spec("S200-get", "json", types.SpecStatePassed, ""),
		spec("E404-get", "json", types.SpecStateInterrupted, "interrupted by user"),
		spec("E404-put", "json", types.SpecStateSkipped, ""),              // dealt out after the signal
		spec("E503-integration-down", "json", types.SpecStateSkipped, ""), // filtered out
	}
	s := report.Summarise(r)
	if s.Verdict() != report.Interrupted {
		t.Errorf("verdict %s, want %s", s.Verdict(), report.Interrupted)
	}
	if !slices.Contains(s.NotRun, "E404-put (json)") || !slices.Contains(s.NotRun, "S201-create (json)") {
		t.Errorf("not run: %v; want the skipped spec and the conditions never dealt out", s.NotRun)
	}
	for _, c := range catalogue.All() {
		if c.Area == "faults" && slices.Contains(s.NotRun, c.ID+" (json)") {
			t.Errorf("%s was left out by the label filter, not by the interrupt", c.ID)
		}
	}
	if slices.Contains(s.NotRun, "S200-get (json)") || slices.Contains(s.NotRun, "E404-get (json)") {
		t.Errorf("conditions that ran are listed as not run: %v", s.NotRun)
	}
	if s.Counts[report.NotRun] != len(s.NotRun) || s.ByFormat["json"][report.NotRun] != len(s.NotRun) {
		t.Errorf("counts %v (json %v), want %d not run", s.Counts, s.ByFormat["json"], len(s.NotRun))
	}
	md := report.Markdown(s, r, report.Run{})
	if !strings.HasPrefix(md, "# Conformance summary: INTERRUPTED") || !strings.Contains(md, "did not run: S200-update (json), ") ||
		!strings.Contains(md, "| E404-put | 404 | json | not run | "+report.NotRunReason+" |") {
		t.Errorf("summary.md:\n%s", md)
	}

	r.SpecialSuiteFailureReasons = nil
	if v := report.Summarise(r).Verdict(); v == report.Interrupted {
		t.Errorf("a run without an interrupt is %s", v)
	}
}
