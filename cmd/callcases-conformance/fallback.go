package main

import (
	"os"
	"strings"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/suites/conformance"
	"github.com/onsi/ginkgo/v2/types"
)

// finished is one spec a process reported as done in the progress file.
type finished struct {
	outcome, id, format, reason string
}

// fallbackReason is the run error of reports the front writes itself.
const fallbackReason = "the suite's processes ended before they could write the reports; callcases-conformance wrote these from the progress the processes reported: the specs that finished with their outcomes (without their exchanges), the others as not run"

// writeFallback writes the reports of a run stopped by a signal whose
// processes wrote none (one died before it could report to Ginkgo, or the
// signal came before the run started): INTERRUPTED, the specs that finished
// as they finished, every other selected condition as not run. Never
// nothing: CI must see that the run certified nothing.
func writeFallback(dir, target, labelFilter string, done []finished) error {
	r := types.Report{
		SuiteDescription:           conformance.Description,
		SuiteConfig:                types.SuiteConfig{LabelFilter: labelFilter},
		SpecialSuiteFailureReasons: []string{"Interrupted by User"},
		SpecReports: types.SpecReports{{
			LeafNodeType: types.NodeTypeReportAfterSuite, LeafNodeText: "conformance reports", State: types.SpecStateFailed,
			Failure: types.Failure{Message: fallbackReason},
		}},
	}
	for _, f := range done {
		sr := types.SpecReport{
			LeafNodeType: types.NodeTypeIt, LeafNodeText: f.id,
			LeafNodeLabels: catalogue.Get(f.id).Labels(f.format, ""),
		}
		switch f.outcome {
		case report.Passed:
			sr.State = types.SpecStatePassed
		case report.NotProvoked:
			sr.State = types.SpecStateSkipped
			sr.ReportEntries = types.ReportEntries{{Name: report.NotProvokedEntry, Value: types.WrapEntryValue(f.reason)}}
		case report.Failed:
			sr.State, sr.Failure = types.SpecStateFailed, types.Failure{Message: f.reason}
		case report.Error:
			sr.State, sr.Failure = types.SpecStateFailed, types.Failure{Message: f.reason}
			sr.ReportEntries = types.ReportEntries{{Name: report.RunErrorEntry, Value: types.WrapEntryValue(f.reason)}}
		default:
			continue // not selected: the run did not choose it
		}
		r.SpecReports = append(r.SpecReports, sr)
	}
	run := report.Run{Dir: dir, Target: target}
	if cfg, err := config.Load(os.LookupEnv); err == nil {
		run.Config, run.Secrets = cfg.Lines(), cfg.Secrets()
	}
	return report.Write(run, r, &strings.Builder{}) // the front prints the summary itself
}
