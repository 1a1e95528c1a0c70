package report

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// What the reports keep of the texts one spec gives them: its failure
// message (which shows the exchange, already cut to a few KiB by
// client.Format), its captured output, each further failure. The reports of
// a run whose every spec failed on a target that sends megabytes stay a
// few MB.
const (
	MaxFailureText = 8 << 10
	MaxOutputText  = 4 << 10
	MaxFurtherText = 2 << 10
	MaxReasonText  = 512 // the one-line reason of a row (summary, result.json)
)

// bounded returns r with every spec's texts cut to MaxSpecText; r itself is
// not changed.
func bounded(r types.Report) types.Report {
	r.SpecReports = slices.Clone(r.SpecReports)
	for i := range r.SpecReports {
		sr := &r.SpecReports[i]
		sr.Failure.Message = clipText(sr.Failure.Message, MaxFailureText)
		sr.Failure.ProgressReport.CapturedGinkgoWriterOutput = clipText(sr.Failure.ProgressReport.CapturedGinkgoWriterOutput, MaxOutputText)
		sr.CapturedGinkgoWriterOutput = clipText(sr.CapturedGinkgoWriterOutput, MaxOutputText)
		sr.CapturedStdOutErr = clipText(sr.CapturedStdOutErr, MaxOutputText)
		sr.AdditionalFailures = slices.Clone(sr.AdditionalFailures)
		for j := range sr.AdditionalFailures {
			f := &sr.AdditionalFailures[j].Failure
			f.Message = clipText(f.Message, MaxFurtherText)
			f.ProgressReport.CapturedGinkgoWriterOutput = ""
		}
	}
	return r
}

func clipText(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut-- // not inside a UTF-8 character
	}
	return fmt.Sprintf("%s\n… (%d more bytes not kept in the reports)", s[:cut], len(s)-cut)
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// cleanRunErrors drops terminal colour codes, repeats, and the echo every
// other parallel process gives of a failure on process 1 when that failure
// is listed itself.
func cleanRunErrors(errs []string) []string {
	var out []string
	for _, e := range errs {
		e = strings.TrimSpace(ansi.ReplaceAllString(e, ""))
		if e != "" && !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if len(out) > 1 {
		out = slices.DeleteFunc(out, func(e string) bool { return strings.Contains(e, "failed on Ginkgo parallel process #1") })
	}
	return out
}

// deadlinePassed: Ginkgo stopped the run at its timeout, the run's overall
// deadline (CONFORMANCE_DEADLINE).
func deadlinePassed(r types.Report) bool {
	return slices.ContainsFunc(r.SpecialSuiteFailureReasons, func(s string) bool { return strings.Contains(s, "Timeout Elapsed") })
}

// notStarted: a spec the run selected was skipped without a word, which is
// how Ginkgo leaves the specs it did not start before its deadline.
func notStarted(r types.Report, sr types.SpecReport) bool {
	if sr.State != types.SpecStateSkipped || sr.Failure.Message != "" {
		return false
	}
	if f := r.SuiteConfig.LabelFilter; f != "" {
		match, err := types.ParseLabelFilter(f)
		if err != nil || !match(sr.Labels()) {
			return false
		}
	}
	return len(r.SuiteConfig.FocusStrings) == 0 && len(r.SuiteConfig.SkipStrings) == 0 &&
		len(r.SuiteConfig.FocusFiles) == 0 && len(r.SuiteConfig.SkipFiles) == 0
}

// deadlineReason is what a report says of the run and of each spec that the
// run's overall deadline stopped.
const deadlineReason = "the run's overall deadline (CONFORMANCE_DEADLINE) passed"
