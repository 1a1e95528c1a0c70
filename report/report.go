// Package report turns Ginkgo's report into what people and CI read:
// junit.xml, Ginkgo's report.json, summary.md, conformance.html (the code
// table as a matrix, one self-contained page) and result.json (its facts for
// machines): a row per condition and format that says passed, failed, error
// (of the run, not the API) or not provoked, and why. Secrets are scrubbed from every file written.
package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/coverage"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// A spec says how it ended, beyond passed or failed, with a report entry
// of one of these names (its value the reason); Summarise reads them, never
// the failure's text.
const (
	// RunErrorEntry: the spec failed because of the run itself (the target
	// unreachable, a timeout, setup that could not make its data), not
	// because of the API.
	RunErrorEntry = "conformance: run error"
	// NotProvokedEntry: the spec was skipped because the target lacks what
	// the condition needs (a fixture setting).
	NotProvokedEntry = "conformance: not provoked"
	// AttemptsEntry: the spec lost an answer it could not judge and was run
	// again; the value says which attempt gave the outcome and what
	// happened to the others.
	AttemptsEntry = "conformance: attempts"
	// RetriedEntry: how many requests got no answer and were sent again
	// while the node ran (a whole number).
	RetriedEntry = "conformance: retried requests"
)

// formatNotSelected is the reason of the rows of a format the run did not select.
const formatNotSelected = "format not selected (" + config.EnvFormats + ")"

// LeftOnTarget begins the failure of each report entry the suite adds, one
// for each thing a run could not remove from the target (an error of the
// run in every report; a reader such as the kill matrix, whose target is
// thrown away, can tell them from the run's other failures).
const LeftOnTarget = "left on the target: "

// Outcomes of a condition.
const (
	Passed      = "passed"
	Failed      = "failed"
	Error       = "error"
	NotProvoked = "not provoked"
	NotSelected = "not selected"
	// NotRun: the run selected the condition, but an interrupt stopped it first.
	NotRun = "not run"
)

// Row is one condition in one format.
type Row struct {
	Condition catalogue.Condition
	Format    string
	Outcome   string
	Reason    string // the failure or skip message's first line
	Detail    string // the whole failure message: the rules broken and the exchanges
	// Operation is the contract operation a family's spec is about ("" for
	// other specs); Summarise merges a family's specs into one row.
	Operation string
	// Attempts, when the spec was run more than once because an answer
	// was lost: "passed on attempt 2; attempt 1: no answer to ...".
	Attempts string
}

// Summary is a run's rows and counts.
type Summary struct {
	Rows        []Row
	Counts      map[string]int            // by outcome
	ByFormat    map[string]map[string]int // by format, then outcome
	SuiteErrors []string                  // failures outside any spec (preflight, setup, teardown)
	// Coverage is the contract's coverage matrix, one table per format.
	Coverage    []coverage.Table
	Interrupted bool     // a signal or an abort stopped the run
	NotRun      []string // in an interrupted run, "id (format)" of what it kept from running
	// Retried counts the requests that got no answer and were sent again;
	// Reruns are the specs that lost an answer and were run again, each
	// "id (format): what happened to its attempts". Both say a flaky network.
	Retried int
	Reruns  []string
}

// Verdict is one word for the whole run.
func (s Summary) Verdict() string {
	switch {
	case s.Interrupted:
		return Interrupted
	case len(s.SuiteErrors) > 0 || s.Counts[Error] > 0:
		return "ERROR"
	case s.Counts[Failed] > 0:
		return "FAIL"
	case s.Counts[Passed] == 0:
		return "NOTHING RUN"
	}
	return "PASS"
}

// Summarise classifies every spec of the report by its condition label. Every
// catalogue condition gets a row in every format the run reported, so that a
// condition no spec ran for shows as not selected instead of vanishing.
func Summarise(r types.Report) Summary {
	s := Summary{Counts: map[string]int{}, ByFormat: map[string]map[string]int{}, Interrupted: wasInterrupted(r)}
	var specs []coverage.Spec
	late := deadlinePassed(r)
	notRun := 0
	specLabels := map[string][]string{}
	for _, sr := range r.SpecReports {
		s.Retried += retriedIn(sr)
		if sr.LeafNodeType != types.NodeTypeIt {
			if sr.State.Is(types.SpecStateFailureStates) {
				s.SuiteErrors = append(s.SuiteErrors, fmt.Sprintf("%s: %s", sr.LeafNodeType, reason(sr.Failure.Message)))
			}
			continue
		}
		row := RowOf(sr)
		switch {
		case late && notStarted(r, sr):
			row.Outcome, row.Reason = Error, "not run: "+deadlineReason+" before it started"
			notRun++
		case late && sr.State == types.SpecStateTimedout:
			row.Reason = "stopped: " + deadlineReason + " while it ran"
		}
		row.Reason, row.Detail = ansi.ReplaceAllString(row.Reason, ""), ansi.ReplaceAllString(row.Detail, "")
		specLabels[row.Condition.ID+" "+row.Format] = sr.Labels()
		if row.Attempts != "" {
			name := row.Condition.ID + " (" + row.Format
			if row.Operation != "" {
				name += ", " + row.Operation
			}
			s.Reruns = append(s.Reruns, name+"): "+row.Attempts)
		}
		s.Rows = append(s.Rows, row)
		specs = append(specs, specOf(sr, row))
	}
	if late {
		s.SuiteErrors = append(s.SuiteErrors, fmt.Sprintf("%s after %s: %d spec(s) did not start, the ones under way were stopped; the run errors above say what slowed it", deadlineReason, r.RunTime.Round(1e9), notRun))
	}
	s.SuiteErrors = cleanRunErrors(s.SuiteErrors)
	s.Rows = mergeFamilies(s.Rows)
	// Every format of the API has its rows: one the run did not select is a
	// column of not-selected rows, never absent and never passed.
	formats := slices.Clone(config.KnownFormats)
	ran := map[string]bool{}
	have := map[string]bool{}
	for _, row := range s.Rows {
		have[row.Condition.ID+" "+row.Format] = true
		ran[row.Format] = true
		if !slices.Contains(formats, row.Format) {
			formats = append(formats, row.Format)
		}
	}
	if len(ran) == 0 { // no spec reported at all: the default formats were meant to run
		for _, f := range config.Defaults().Formats {
			ran[f] = true
		}
	}
	for _, c := range catalogue.All() {
		for _, f := range formats {
			switch {
			case have[c.ID+" "+f]:
			case ran[f]:
				s.Rows = append(s.Rows, Row{Condition: c, Format: f, Outcome: NotSelected, Reason: "no spec ran for it"})
			default:
				s.Rows = append(s.Rows, Row{Condition: c, Format: f, Outcome: NotSelected, Reason: formatNotSelected})
			}
		}
	}
	order := map[string]int{}
	for i, c := range catalogue.All() {
		order[c.ID] = i
	}
	rank := func(id string) int {
		if i, ok := order[id]; ok {
			return i
		}
		return len(order) // specs without a catalogue row come last
	}
	slices.SortStableFunc(s.Rows, func(a, b Row) int {
		return cmp.Or(cmp.Compare(rank(a.Condition.ID), rank(b.Condition.ID)),
			strings.Compare(a.Condition.ID, b.Condition.ID), strings.Compare(a.Format, b.Format))
	})
	var sorted []string // the formats run, in row order, as the reports show them
	for _, row := range s.Rows {
		if ran[row.Format] && !slices.Contains(sorted, row.Format) {
			sorted = append(sorted, row.Format)
		}
	}
	s.Coverage = matrix(sorted, specs)
	s.markNotRun(r, specLabels)
	// Counted last, once every row has its final outcome.
	for _, row := range s.Rows {
		s.Counts[row.Outcome]++
		if s.ByFormat[row.Format] == nil {
			s.ByFormat[row.Format] = map[string]int{}
		}
		s.ByFormat[row.Format][row.Outcome]++
	}
	return s
}

// RowOf classifies one finished spec: its condition (from its labels), its
// format and its outcome. A spec without a catalogue label is named by its text.
func RowOf(sr types.SpecReport) Row {
	row := Row{Format: "?"}
	labels := catalogue.ParseLabels(sr.Labels())
	if c, ok := conditionByID(labels.ID); ok {
		row.Condition = c
	}
	if labels.Format != "" {
		row.Format = labels.Format
	}
	if row.Condition.Family && len(labels.Ops) > 0 {
		row.Operation = labels.Ops[len(labels.Ops)-1]
	}
	if row.Condition.ID == "" {
		row.Condition = catalogue.Condition{ID: sr.FullText()}
	}
	row.Outcome, row.Reason = outcome(sr)
	row.Attempts, _ = entry(sr, AttemptsEntry)
	if row.Outcome == Failed || row.Outcome == Error {
		row.Detail = detail(sr)
	}
	return row
}

func conditionByID(id string) (catalogue.Condition, bool) {
	i := slices.IndexFunc(catalogue.All(), func(c catalogue.Condition) bool { return c.ID == id })
	if i < 0 {
		return catalogue.Condition{}, false
	}
	return catalogue.All()[i], true
}

// detail is the failure message as the spec reported it, then any failure
// after it (an AfterEach, a DeferCleanup), each with where it happened.
func detail(sr types.SpecReport) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(sr.Failure.Message, "\n"))
	if loc := at(sr); loc.FileName != "" {
		fmt.Fprintf(&b, "\n\n(at %s:%d)", filepath.Base(loc.FileName), loc.LineNumber)
	}
	for _, f := range sr.AdditionalFailures {
		fmt.Fprintf(&b, "\n\nthen, in %s: %s", f.Failure.FailureNodeType, strings.TrimRight(f.Failure.Message, "\n"))
	}
	return b.String()
}

// at is where a failure is shown to have happened: the failing line when it
// is in the spec's own file, else the spec's line (a check every spec shares,
// in a helper file, would point every reader at the same place).
func at(sr types.SpecReport) types.CodeLocation {
	if loc := sr.Failure.Location; loc.FileName == "" || loc.FileName == sr.LeafNodeLocation.FileName {
		return loc
	}
	return sr.LeafNodeLocation
}

func outcome(sr types.SpecReport) (string, string) {
	msg := reason(sr.Failure.Message)
	switch {
	case sr.State == types.SpecStatePassed:
		return Passed, ""
	case sr.State == types.SpecStateSkipped:
		if why, ok := entry(sr, NotProvokedEntry); ok {
			return NotProvoked, why
		}
		return NotSelected, "filtered out or not run"
	case sr.State == types.SpecStatePending:
		return NotSelected, "filtered out or not run"
	case sr.State == types.SpecStateInterrupted || sr.State == types.SpecStateAborted:
		return Error, "interrupted: " + msg
	case sr.State == types.SpecStateTimedout:
		return Error, "stopped: " + msg
	}
	if why, ok := entry(sr, RunErrorEntry); ok {
		return Error, why
	}
	return Failed, msg
}

// retriedIn adds up a node's RetriedEntry counts.
func retriedIn(sr types.SpecReport) int {
	n := 0
	for _, e := range sr.ReportEntries {
		if e.Name != RetriedEntry {
			continue
		}
		if v, ok := e.Value.GetRawValue().(int); ok {
			n += v
			continue
		}
		var v int
		if json.Unmarshal([]byte(e.Value.AsJSON), &v) == nil {
			n += v
		}
	}
	return n
}

// NetworkLine says how flaky the network was, or "" when no answer was lost.
func NetworkLine(retried, reruns int) string {
	if retried == 0 && reruns == 0 {
		return ""
	}
	return fmt.Sprintf("A flaky network: %d %s got no answer and %s sent again; %d %s lost an answer %s could not judge and %s run again (%s).",
		retried, plural(retried, "request", "requests"), plural(retried, "was", "were"),
		reruns, plural(reruns, "spec", "specs"), plural(reruns, "it", "they"), plural(reruns, "was", "were"), config.EnvRetries)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// entry is the reason the spec's first report entry of this name gives.
func entry(sr types.SpecReport, name string) (string, bool) {
	for _, e := range sr.ReportEntries {
		if e.Name == name {
			var s string
			if v, ok := e.Value.GetRawValue().(string); ok {
				s = v
			} else if json.Unmarshal([]byte(e.Value.AsJSON), &s) != nil {
				s = e.Value.String()
			}
			return reason(s), true
		}
	}
	return "", false
}

// reason is a failure message cut to a line: its first line, joined with the
// next ones while a line ends in a colon (a heading of what follows), so that
// "setup could not create a case:" still says why.
func reason(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			break
		}
		parts = append(parts, l)
		if !strings.HasSuffix(l, ":") || len(parts) == 4 {
			break
		}
	}
	return client.Clip(strings.TrimSuffix(strings.Join(parts, " "), ":"), MaxReasonText)
}

// Run says what a report is about, beyond Ginkgo's own report.
type Run struct {
	Dir     string   // where the reports go
	Target  string   // the API base URL tested ("" when the run never got that far)
	RunID   string   // the id carried by everything the run created
	Config  []string // the configuration echoed, NAME=value, secrets already redacted
	Secrets []string // strings no file may contain
}

// Write writes junit.xml, report.json, summary.md, conformance.html and
// result.json into run.Dir, scrubbed of secrets, and prints the summary table
// to console.
func Write(run Run, r types.Report, console io.Writer) error {
	dir, secrets := run.Dir, run.Secrets
	r = bounded(r)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	junit := filepath.Join(dir, "junit.xml")
	if err := reporters.GenerateJUnitReportWithConfig(r, junit, reporters.JunitReportConfig{OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped}); err != nil {
		return err
	}
	jsonReport := filepath.Join(dir, "report.json")
	if err := writeJSONReport(r, jsonReport); err != nil {
		return err
	}
	s := Summarise(r)
	md := Markdown(s, r, run)
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), []byte(md), 0o644); err != nil {
		return err
	}
	facts := NewFacts(s, r, run)
	page, err := HTML(facts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "conformance.html"), page, 0o644); err != nil {
		return err
	}
	result, err := ResultJSON(facts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "result.json"), result, 0o644); err != nil {
		return err
	}
	for _, f := range []string{junit, jsonReport} {
		if err := scrub(f, secrets); err != nil {
			return err
		}
	}
	_, err = io.WriteString(console, "\n"+md)
	return err
}

func scrub(path string, secrets []string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	clean := redactAll(string(b), secrets)
	if clean == string(b) {
		return nil
	}
	return os.WriteFile(path, []byte(clean), 0o644)
}

// Markdown renders the summary: the verdict, the counts, a row per
// condition, and the configuration the run used.
func Markdown(s Summary, r types.Report, run Run) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Conformance summary: %s\n\n", s.Verdict())
	if run.Target != "" {
		fmt.Fprintf(&b, "Target %s, run %s, started %s.\n\n", run.Target, run.RunID, r.StartTime.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "%s (%s, %s)\n\n", CountsLine(s.Counts), r.SuiteDescription, r.RunTime.Round(1e6))
	if s.Interrupted {
		fmt.Fprintf(&b, "The run was interrupted: it certifies nothing. %d selected conditions did not run: %s.\n\n", len(s.NotRun), strings.Join(s.NotRun, ", "))
	}
	for _, f := range slices.Sorted(maps.Keys(s.ByFormat)) {
		c := s.ByFormat[f]
		fmt.Fprintf(&b, "- %s: %s\n", f, CountsLine(c))
	}
	if len(s.ByFormat) > 0 {
		b.WriteString("\n")
	}
	for _, e := range s.SuiteErrors {
		fmt.Fprintf(&b, "- run error: %s\n", e)
	}
	if len(s.SuiteErrors) > 0 {
		b.WriteString("\n")
	}
	if line := NetworkLine(s.Retried, len(s.Reruns)); line != "" {
		b.WriteString(line + "\n\n")
		for _, r := range s.Reruns {
			fmt.Fprintf(&b, "- %s\n", r)
		}
		if len(s.Reruns) > 0 {
			b.WriteString("\n")
		}
	}
	b.WriteString("| condition | code | format | outcome | detail |\n|---|---|---|---|---|\n")
	for _, row := range s.Rows {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", row.Condition.ID, row.Condition.Code, row.Format, row.Outcome, cell(row.Reason))
	}
	b.WriteString(coverageMarkdown(s.Coverage))
	if len(run.Config) > 0 {
		b.WriteString("\nConfiguration:\n\n```\n" + strings.Join(run.Config, "\n") + "\n```\n")
	}
	return redactAll(b.String(), run.Secrets)
}

func cell(s string) string {
	s = strings.ReplaceAll(s, "|", "\\|")
	if r := []rune(s); len(r) > 160 {
		s = string(r[:160]) + "…"
	}
	return s
}

// CountsLine says how many conditions had each outcome; "not run" appears
// only when an interrupt left some.
func CountsLine(c map[string]int) string {
	line := fmt.Sprintf("%d passed, %d failed, %d errors, %d not provoked, %d not selected",
		c[Passed], c[Failed], c[Error], c[NotProvoked], c[NotSelected])
	if c[NotRun] > 0 {
		line += fmt.Sprintf(", %d not run", c[NotRun])
	}
	return line
}

// writeJSONReport writes Ginkgo's JSON report, as reporters.GenerateJSONReport
// does but without its indentation: the report runs to megabytes that
// programs read (cmd/mutants, cmd/bench, a CI's tools), and indenting them
// cost as much CPU as encoding them.
func writeJSONReport(r types.Report, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	if err := json.NewEncoder(w).Encode([]types.Report{r}); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
