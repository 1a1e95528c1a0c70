package suiterun

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
)

func writeReport(t *testing.T, reports ...types.Report) string {
	t.Helper()
	b, err := json.Marshal(reports)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func spec(c catalogue.Condition, format string, state types.SpecState, message string) types.SpecReport {
	return types.SpecReport{
		LeafNodeType:             types.NodeTypeIt,
		LeafNodeText:             "a title that says nothing the labels do not",
		ContainerHierarchyLabels: [][]string{{catalogue.FormatLabel(format)}},
		LeafNodeLabels:           c.Labels("", ""),
		State:                    state,
		Failure:                  types.Failure{Message: message},
	}
}

func TestOutcomesComeFromEachSpecsLabels(t *testing.T) {
	a, b := catalogue.All()[0], catalogue.All()[1]
	path := writeReport(t, types.Report{SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed},
		spec(a, "json", types.SpecStatePassed, ""),
		spec(a, "xml", types.SpecStateFailed, "the answer was 500\nthe exchange"),
		spec(b, "json", types.SpecStateTimedout, "the spec's timeout"),
		spec(b, "xml", types.SpecStateSkipped, ""),
		{LeafNodeType: types.NodeTypeAfterSuite, LeafNodeText: "cleanup", State: types.SpecStateFailed, Failure: types.Failure{Message: report.LeftOnTarget + "case c1: DELETE answered 200, but the case is still there"}},
		{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "cleanup: 2 cases left\nE404"}},
		{LeafNodeType: types.NodeTypeAfterSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "a later one"}},
	}})
	r, err := ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(Specs(r)); n != 4 {
		t.Errorf("%d specs, want the 4 It nodes", n)
	}
	o := OutcomesOf(r)
	type got struct{ id, format, outcome string }
	var rows []got
	for _, row := range o.Rows {
		rows = append(rows, got{row.Condition.ID, row.Format, row.Outcome})
	}
	want := []got{
		{a.ID, "json", report.Passed}, {a.ID, "xml", report.Failed},
		{b.ID, "json", report.Error}, {b.ID, "xml", report.NotSelected},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %v, want %v", rows, want)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d is %v, want %v", i, rows[i], want[i])
		}
	}
	if o.SuiteFailure != "cleanup: 2 cases left" {
		t.Errorf("suite failure %q, want the first line of the first failure outside a spec that is not a leftover", o.SuiteFailure)
	}
	if len(o.Leftovers) != 1 || o.Leftovers[0] != "case c1: DELETE answered 200, but the case is still there" {
		t.Errorf("leftovers %q, want the one the run left, without %q", o.Leftovers, report.LeftOnTarget)
	}
	var notPassed []string
	for _, row := range o.Rows {
		if NotPassed(row) {
			notPassed = append(notPassed, row.Condition.ID+" "+row.Format)
		}
	}
	if strings.Join(notPassed, ",") != a.ID+" xml,"+b.ID+" json" {
		t.Errorf("not passed: %v", notPassed)
	}
}

func TestAReportThatIsNotThereOrNotOneIsAnError(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`[{"SuitePath": `), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{filepath.Join(dir, "missing.json"), "no Ginkgo report: open "},
		{corrupt, "corrupt.json is not a Ginkgo JSON report"},
		{writeReport(t), "holds 0 suites' reports, not one"},
		{writeReport(t, types.Report{}, types.Report{}), "holds 2 suites' reports, not one"},
	} {
		if _, err := ReadReport(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", filepath.Base(tc.path), err, tc.want)
		}
	}
}
