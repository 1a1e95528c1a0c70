package report_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/callcases/conformance/coverage"
	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
)

// coverageReport is the fake run with coverage facts: S200-get asserted
// getCallCase 200 (json), and E404-get, which failed, asserted getCallCase 404.
func coverageReport() types.Report {
	r := fakeReport()
	for i, sr := range r.SpecReports {
		format := "json"
		if !strings.Contains(strings.Join(sr.Labels(), " "), "format:json") {
			continue
		}
		switch {
		case strings.HasPrefix(sr.LeafNodeText, "S200-get:"):
			r.SpecReports[i].ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: coverage.EntryName,
				Value: types.WrapEntryValue(coverage.Encode([]coverage.Fact{{Format: format, Operation: "getCallCase", Code: 200, Asserted: true}}))})
		case strings.HasPrefix(sr.LeafNodeText, "E404-get:"):
			r.SpecReports[i].State = types.SpecStateFailed
			r.SpecReports[i].Failure = types.Failure{Message: "expected result 404"}
			r.SpecReports[i].ReportEntries = append(sr.ReportEntries, types.ReportEntry{Name: coverage.EntryName,
				Value: types.WrapEntryValue(coverage.Encode([]coverage.Fact{{Format: format, Operation: "getCallCase", Code: 404, Asserted: true}}))})
		}
	}
	return r
}

func TestEveryReportShowsTheCoverageMatrix(t *testing.T) {
	dir := writeFake(t, coverageReport())
	_, res := readResult(t, dir)
	if len(res.Coverage) != 2 || res.Coverage[0].Format != "json" || res.Coverage[1].Format != "xml" {
		t.Fatalf("result.json coverage: %d tables", len(res.Coverage))
	}
	cells := map[int]string{}
	for _, r := range res.Coverage[0].Rows {
		if r.Operation == "getCallCase" {
			for _, c := range r.Cells {
				cells[c.Code] = c.Outcome
			}
		}
	}
	if cells[200] != coverage.Passed || cells[404] != coverage.Failed || cells[401] != coverage.NotCovered {
		t.Errorf("getCallCase cells in json: %v", cells)
	}
	summary, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Coverage of the contract, json", "## Coverage of the contract, xml", "| getCallCase | ✓ |", "- getCallCase 404: failed: failed in E404-get"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "conformance.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<table class="coverage" data-format="json">`, `<tr data-operation="getCallCase">`, `data-code="404" data-outcome="failed"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("conformance.html lacks %q", want)
		}
	}
}

func TestAFamilyIsOneRowWithItsFailedOperationsNamed(t *testing.T) {
	r := fakeReport()
	r.SpecReports = slices.DeleteFunc(r.SpecReports, func(sr types.SpecReport) bool {
		return strings.HasPrefix(sr.LeafNodeText, "E401-every-operation:") && slices.Contains(sr.Labels(), "format:json")
	})
	for _, op := range []string{"getProject", "listOperators"} {
		sr := spec("E401-every-operation", "json", types.SpecStatePassed, "")
		sr.LeafNodeLabels = append(sr.LeafNodeLabels, "op:"+op)
		if op == "listOperators" {
			sr.State, sr.Failure = types.SpecStateFailed, types.Failure{Message: "expected result 401"}
		}
		r.SpecReports = append(r.SpecReports, sr)
	}
	s := report.Summarise(r)
	n := 0
	for _, row := range s.Rows {
		if row.Condition.ID == "E401-every-operation" && row.Format == "json" {
			n++
			if row.Outcome != report.Failed || !strings.Contains(row.Reason, "1 of 2 operations failed: listOperators: expected result 401") {
				t.Errorf("family row: %s %q", row.Outcome, row.Reason)
			}
		}
	}
	if n != 1 {
		t.Errorf("the family has %d rows in json, want 1", n)
	}
}
