package suiterun

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
)

// ReadReport reads the Ginkgo JSON report of one run of the suite (the
// suite's report.json, or a -ginkgo.json-report file): one suite's report.
func ReadReport(path string) (types.Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return types.Report{}, fmt.Errorf("no Ginkgo report: %w", err)
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		return types.Report{}, fmt.Errorf("%s is not a Ginkgo JSON report: %w", path, err)
	}
	if len(reports) != 1 {
		return types.Report{}, fmt.Errorf("%s holds %d suites' reports, not one", path, len(reports))
	}
	return reports[0], nil
}

// Specs are the report's specs (its It nodes), in the report's order.
func Specs(r types.Report) []types.SpecReport {
	var out []types.SpecReport
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt {
			out = append(out, sr)
		}
	}
	return out
}

// Outcomes are what a run's report says, condition by condition.
type Outcomes struct {
	// Rows are the specs' rows (report.RowOf: the condition and format from
	// the spec's labels, the outcome and its reason), in the report's order.
	Rows []report.Row
	// SuiteFailure is the first line of the first failure outside any spec
	// (the preflight, say); "" when there was none. What the run left on
	// the target is not one: it is in Leftovers.
	SuiteFailure string
	// Leftovers are the things the run could not remove from the target
	// (report.LeftOnTarget), each a line.
	Leftovers []string
}

// OutcomesOf reads r's outcomes.
func OutcomesOf(r types.Report) Outcomes {
	var o Outcomes
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType == types.NodeTypeIt {
			o.Rows = append(o.Rows, report.RowOf(sr))
			continue
		}
		if !sr.State.Is(types.SpecStateFailureStates) {
			continue
		}
		first, _, _ := strings.Cut(sr.Failure.Message, "\n")
		if left, ok := strings.CutPrefix(first, report.LeftOnTarget); ok {
			o.Leftovers = append(o.Leftovers, left)
		} else if o.SuiteFailure == "" {
			o.SuiteFailure = first
		}
	}
	return o
}

// NotPassed tells a row whose spec failed in any way: a verdict on the
// API (report.Failed) or an error of the run (report.Error).
func NotPassed(row report.Row) bool {
	return row.Outcome == report.Failed || row.Outcome == report.Error
}
