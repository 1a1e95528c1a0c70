package report

import (
	"strings"

	"github.com/callcases/conformance/catalogue"
	"github.com/onsi/ginkgo/v2/types"
)

// Interrupted is the verdict of a run stopped by a signal (Ctrl-C, SIGTERM)
// or by another process's abort: whatever passed before, it certifies nothing.
const Interrupted = "INTERRUPTED"

// NotRunReason is the reason of a condition the interrupt kept from running.
const NotRunReason = "did not run: the run was interrupted"

// wasInterrupted reads Ginkgo's own account of the run.
func wasInterrupted(r types.Report) bool {
	for _, reason := range r.SpecialSuiteFailureReasons {
		if strings.HasPrefix(reason, "Interrupted") {
			return true
		}
	}
	return false
}

// selected says whether the run's label filter picks these labels, so that
// in an interrupted run a condition left out by the filter is not counted
// among those the interrupt kept from running.
func selected(r types.Report, labels []string) bool {
	if r.SuiteConfig.LabelFilter == "" {
		return true
	}
	filter, err := types.ParseLabelFilter(r.SuiteConfig.LabelFilter)
	return err != nil || filter(labels)
}

// catalogueLabels are the labels the specs of a condition carry (a
// family's rows add their op: label each; a filter on one is weighed
// against the row's operations).
func catalogueLabels(c catalogue.Condition, format string) []string {
	return c.Labels(format, "")
}

// markNotRun names, in an interrupted run, the rows that did not run
// although the run had selected them.
func (s *Summary) markNotRun(r types.Report, specLabels map[string][]string) {
	if !s.Interrupted {
		return
	}
	for i, row := range s.Rows {
		if row.Outcome != NotSelected || row.Reason == formatNotSelected {
			continue // a format the run never selected was not cut short
		}
		labels, ok := specLabels[row.Condition.ID+" "+row.Format]
		if !ok {
			labels = catalogueLabels(row.Condition, row.Format)
		}
		if selected(r, labels) {
			s.Rows[i].Outcome, s.Rows[i].Reason = NotRun, NotRunReason
			s.NotRun = append(s.NotRun, row.Condition.ID+" ("+row.Format+")")
		}
	}
}
