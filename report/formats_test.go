package report_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
)

// Each format is counted apart, and a format the run did not select is a
// column of "not selected" rows, never absent and never passed.

func TestCountsPerFormat(t *testing.T) {
	r := fakeReport()
	s := report.Summarise(r)
	res := report.NewResult(report.NewFacts(s, r, fakeRun(t.TempDir())))
	n := len(catalogue.All())
	want := report.ResultCounts{Passed: n - 4, Failed: 1, Error: 1, NotProvoked: 1, NotSelected: 1, Total: n}
	for _, f := range []string{"json", "xml"} {
		if got := res.FormatCounts[f]; got != want {
			t.Errorf("%s counts %+v, want %+v", f, got, want)
		}
	}
	md := report.Markdown(s, r, fakeRun(t.TempDir()))
	for _, f := range []string{"json", "xml"} {
		if line := "- " + f + ": " + itoa(n-4) + " passed, 1 failed, 1 errors, 1 not provoked, 1 not selected"; !strings.Contains(md, line) {
			t.Errorf("the summary lacks %q:\n%s", line, md)
		}
	}
}

func TestAFormatNotSelectedIsReportedSo(t *testing.T) {
	start := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	r := types.Report{StartTime: start, EndTime: start.Add(time.Second), RunTime: time.Second}
	for _, c := range catalogue.All() {
		r.SpecReports = append(r.SpecReports, spec(c.ID, "json", types.SpecStatePassed, ""))
	}
	s := report.Summarise(r)
	if s.Verdict() != "PASS" {
		t.Errorf("verdict %s, want PASS for json alone", s.Verdict())
	}
	res := report.NewResult(report.NewFacts(s, r, fakeRun(t.TempDir())))
	n := len(catalogue.All())
	if got := res.FormatCounts["xml"]; got != (report.ResultCounts{NotSelected: n, Total: n}) {
		t.Errorf("xml counts %+v, want every row not selected", got)
	}
	if got := res.FormatCounts["json"]; got != (report.ResultCounts{Passed: n, Total: n}) {
		t.Errorf("json counts %+v", got)
	}
	for _, e := range res.Results {
		if e.Format == "xml" && (e.Outcome != report.NotSelected || !strings.Contains(e.Reason, "CONFORMANCE_FORMATS")) {
			t.Errorf("xml row %+v, want not selected naming CONFORMANCE_FORMATS", e)
		}
	}
	b, err := report.ResultJSON(report.NewFacts(s, r, fakeRun(t.TempDir())))
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil || raw["formatCounts"] == nil {
		t.Errorf("result.json has no formatCounts: %v\n%s", err, b)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
