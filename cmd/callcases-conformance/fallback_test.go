package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/report"
)

// The front's own reports of a run whose processes wrote none: INTERRUPTED,
// the finished specs as they finished, the rest of the selection not run.
func TestFallbackReportsSayInterrupted(t *testing.T) {
	t.Setenv("CONFORMANCE_TARGET", "")
	dir := t.TempDir()
	all := catalogue.All()
	done := []finished{
		{outcome: report.Passed, id: all[0].ID, format: "json"},
		{outcome: report.Failed, id: all[1].ID, format: "json", reason: "answered 500, want 404"},
		// Two rows of one family: one condition.
		{outcome: report.Passed, id: "E401-every-operation", format: "json"},
		{outcome: report.Passed, id: "E401-every-operation", format: "json"},
	}
	if err := writeFallback(dir, "http://target.example/fx/api/v1", "", done); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res report.Result
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict != report.Interrupted || res.Counts.Passed != 2 || res.Counts.Failed != 1 {
		t.Errorf("result.json: verdict %s, counts %+v; want INTERRUPTED, 2 passed (a family's rows once), 1 failed", res.Verdict, res.Counts)
	}
	summary, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Conformance summary: INTERRUPTED", "did not run", "ended before they could write the reports", "answered 500, want 404"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary.md does not say %q:\n%s", want, summary)
		}
	}
}
