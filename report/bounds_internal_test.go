package report

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/onsi/ginkgo/v2/types"
)

func itSpec(id string, state types.SpecState, msg string) types.SpecReport {
	c := catalogue.Get(id)
	return types.SpecReport{
		ContainerHierarchyTexts: []string{c.Area, "json"}, ContainerHierarchyLabels: [][]string{{}, {"format:json"}},
		LeafNodeType: types.NodeTypeIt, LeafNodeText: id, LeafNodeLabels: []string{id, "area:" + c.Area},
		State: state, Failure: types.Failure{Message: msg},
	}
}

// Every spec failing with megabytes of text still gives reports of a few MB.
func TestReportsStaySmallWhateverTheSpecsSay(t *testing.T) {
	huge := "expected something; the exchange:\n" + strings.Repeat("x", 1<<20)
	r := types.Report{SuiteDescription: "s", StartTime: time.Now(), EndTime: time.Now()}
	for _, c := range catalogue.All() {
		sr := itSpec(c.ID, types.SpecStateFailed, huge)
		sr.CapturedGinkgoWriterOutput = huge
		sr.AdditionalFailures = []types.AdditionalFailure{{State: types.SpecStateFailed, Failure: types.Failure{Message: huge}}}
		r.SpecReports = append(r.SpecReports, sr)
	}
	dir := t.TempDir()
	if err := Write(Run{Dir: dir}, r, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	var total int64
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		info, err := os.Stat(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		total += info.Size()
	}
	// 64 KiB a failed spec across all five files: every condition failing in
	// both formats with megabytes of text stays under 10 MB.
	if limit := int64(len(r.SpecReports)) * 64 << 10; total > limit {
		t.Errorf("the reports take %d KiB for %d failed specs; want under %d KiB", total>>10, len(r.SpecReports), limit>>10)
	}
	if len(r.SpecReports[0].Failure.Message) != len(huge) {
		t.Error("Write changed the caller's report")
	}
}

func TestRunErrorsAreCleanAndOnce(t *testing.T) {
	r := types.Report{}
	bs := func(msg string) types.SpecReport {
		return types.SpecReport{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: msg}}
	}
	r.SpecReports = []types.SpecReport{
		bs("run error: preflight: CONFORMANCE_TARGET: nothing answers"),
		bs("\x1b[1m\x1b[38;5;9mSynchronizedBeforeSuite failed on Ginkgo parallel process #1\x1b[0m"),
		bs("\x1b[1m\x1b[38;5;9mSynchronizedBeforeSuite failed on Ginkgo parallel process #1\x1b[0m"),
		bs("run error: preflight: CONFORMANCE_TARGET: nothing answers"),
	}
	got := Summarise(r).SuiteErrors
	want := []string{"SynchronizedBeforeSuite: run error: preflight: CONFORMANCE_TARGET: nothing answers"}
	if !slices.Equal(got, want) {
		t.Errorf("run errors %q, want %q", got, want)
	}
}

// Specs the deadline kept from starting are run errors, not "not selected";
// the run says the deadline passed.
func TestDeadlineIsARunError(t *testing.T) {
	r := types.Report{SpecialSuiteFailureReasons: []string{"Suite Timeout Elapsed"}, RunTime: 5 * time.Second}
	r.SpecReports = []types.SpecReport{
		itSpec("S200-get", types.SpecStatePassed, ""),
		itSpec("S201-create", types.SpecStateTimedout, "A suite timeout occurred"),
		itSpec("E409-uuid-taken", types.SpecStateSkipped, ""),
	}
	s := Summarise(r)
	outcomes := map[string]Row{}
	for _, row := range s.Rows {
		if row.Format == "json" { // the format the specs ran in
			outcomes[row.Condition.ID] = row
		}
	}
	if o := outcomes["S201-create"]; o.Outcome != Error || !strings.Contains(o.Reason, "CONFORMANCE_DEADLINE") {
		t.Errorf("the spec under way: %+v", o)
	}
	if o := outcomes["E409-uuid-taken"]; o.Outcome != Error || !strings.Contains(o.Reason, "not run") {
		t.Errorf("the spec not started: %+v", o)
	}
	if o := outcomes["S200-get"]; o.Outcome != Passed {
		t.Errorf("the passed spec: %+v", o)
	}
	if len(s.SuiteErrors) != 1 || !strings.Contains(s.SuiteErrors[0], "CONFORMANCE_DEADLINE") || s.Verdict() != "ERROR" {
		t.Errorf("run errors %q, verdict %s", s.SuiteErrors, s.Verdict())
	}
}
