package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/callcases/conformance/report"
)

// console is what a person sees: a line per condition as it finishes (one
// line rewritten in place on a terminal, failures kept), then the summary
// table once, the failures grouped by cause, and where the reports are.
// Colour only on a terminal, and never with NO_COLOR set.
type console struct {
	out      io.Writer
	terminal bool
	color    bool
	open     bool   // a progress line is on screen, to be rewritten
	last     string // that line
}

func newConsole(out *os.File, noColor bool) *console {
	terminal := isTerminal(out)
	noColorEnv := os.Getenv("NO_COLOR") != "" // no-color.org: set and not empty
	return &console{out: out, terminal: terminal, color: terminal && !noColor && !noColorEnv}
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}

const (
	green  = "\x1b[32m"
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	gray   = "\x1b[90m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

func (c *console) paint(color, s string) string {
	if !c.color {
		return s
	}
	return color + s + reset
}

func (c *console) outcome(o string) string {
	switch o {
	case report.Passed, "PASS":
		return c.paint(green, o)
	case report.Failed, report.Error, "FAIL", "ERROR", report.Interrupted:
		return c.paint(red, o)
	case report.NotProvoked:
		return c.paint(yellow, o)
	}
	return c.paint(gray, o)
}

func (c *console) header(o options, target, reports string) {
	if target == "" {
		target = "the embedded reference server"
	}
	v := report.SuiteVersion()
	filter := ""
	if o.labelFilter != "" {
		filter = ", label filter " + o.labelFilter
	}
	fmt.Fprintf(c.out, "callcases-conformance %s: testing %s in %d processes%s%s; reports go to %s\n", v, target, o.procs, o.procsWhy, filter, reports)
}

func (c *console) progress(done, total int, outcome, id, format, reason string) {
	count := "?"
	if total > 0 {
		count = fmt.Sprint(total)
	}
	id, variant, _ := strings.Cut(id, " [")
	if variant != "" {
		variant = " [" + variant
	}
	line := fmt.Sprintf("[%*d/%s] %s %s (%s)%s", len(count), done, count, c.outcome(fmt.Sprintf("%-12s", outcome)), id, format, variant)
	keep := outcome == report.Failed || outcome == report.Error
	if keep && reason != "" {
		line += ": " + reason
	}
	if !c.terminal {
		fmt.Fprintln(c.out, line)
		return
	}
	// On a terminal: one line rewritten in place; failures stay on screen.
	fmt.Fprint(c.out, "\r\x1b[2K"+line)
	c.open, c.last = !keep, line
	if keep {
		fmt.Fprintln(c.out)
	}
}

// note shows a message of the run on a line of its own, between progress
// lines (a spec waiting for the fault hook's lease, what earlier runs left).
// It may quote the target, so control characters are not passed through.
// On a terminal the progress line is drawn again below it.
func (c *console) note(msg string) {
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	redraw := c.open
	c.endProgress()
	fmt.Fprintln(c.out, c.paint(yellow, msg))
	if redraw {
		fmt.Fprint(c.out, c.last)
		c.open = true
	}
}

func (c *console) endProgress() {
	if c.open {
		fmt.Fprint(c.out, "\r\x1b[2K")
		c.open = false
	}
}

func (c *console) interrupted(n int, sig os.Signal) {
	c.endProgress()
	switch n {
	case 1:
		fmt.Fprintf(c.out, "\n%s: stopping the run and cleaning up what it created on the target; %s again to skip the cleanup.\n", sig, stopHint)
	case 2:
		fmt.Fprintf(c.out, "\n%s again: skipping the cleanup, writing the reports; once more to stop at once.\n", sig)
	default:
		fmt.Fprintf(c.out, "\n%s a third time: stopping every process now; what the run created may remain on the target.\n", sig)
	}
}

// stopHint names the signal a person sends.
const stopHint = "Ctrl-C (or SIGTERM)"

func (c *console) ginkgoOutput(s string) {
	if strings.TrimSpace(s) == "" {
		return
	}
	fmt.Fprintln(c.out, "\nGinkgo's output:")
	fmt.Fprintln(c.out, s)
}

// readResult reads the run's result.json, if this run wrote it.
func readResult(dir string, since time.Time) (report.Result, bool) {
	var res report.Result
	path := filepath.Join(dir, "result.json")
	info, err := os.Stat(path)
	if err != nil || info.ModTime().Before(since.Add(-time.Second)) {
		return res, false
	}
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &res) != nil {
		return res, false
	}
	return res, true
}

// summary prints the table once, the failures by cause, and where the reports are.
func (c *console) summary(res report.Result, dir string) {
	var shown []report.ResultEntry
	for _, e := range res.Results {
		if e.Outcome != report.NotSelected {
			shown = append(shown, e)
		}
	}
	idWidth := len("condition")
	for _, e := range shown {
		idWidth = max(idWidth, len(e.ID))
	}
	fmt.Fprintln(c.out)
	fmt.Fprintf(c.out, "%-*s  code  format  %-12s  %s\n", idWidth, "condition", "outcome", "detail")
	for _, e := range shown {
		outcome, reason := e.Outcome, e.Reason
		if outcome == report.NotRun {
			reason = "the run was interrupted"
		}
		fmt.Fprintf(c.out, "%-*s  %4d  %-6s  %s  %s\n", idWidth, e.ID, e.Code, e.Format, c.outcome(fmt.Sprintf("%-12s", outcome)), cut(reason, 100))
	}
	if n := res.Counts.NotSelected; n > 0 {
		if n == res.Counts.Total && len(res.RunErrors) > 0 {
			// A run that stopped before its first spec (a bad setting, a
			// fixture the preflight refused) selected nothing: it ran nothing.
			fmt.Fprintf(c.out, "(%d not run: the run stopped before its first spec, for the run errors below)\n", n)
		} else {
			fmt.Fprintf(c.out, "(%d not selected by the label filter, not shown)\n", n)
		}
	}

	for _, outcome := range []string{report.Failed, report.Error} {
		groups := byCause(res, outcome)
		if len(groups) == 0 {
			continue
		}
		what := map[string]string{report.Failed: "Failed (the target broke the contract)", report.Error: "Errors of the run (not verdicts on the API)"}[outcome]
		fmt.Fprintf(c.out, "\n%s, by cause:\n", what)
		for _, g := range groups {
			fmt.Fprintf(c.out, "  %s\n    %s\n", c.paint(bold, g.reason), strings.Join(g.conditions, ", "))
		}
	}
	if len(res.RunErrors) > 0 {
		fmt.Fprintln(c.out, "\nRun errors:")
		for _, e := range res.RunErrors {
			fmt.Fprintf(c.out, "  %s\n", e)
		}
	}
	if line := report.NetworkLine(res.RetriedRequests, len(res.Reruns)); line != "" {
		fmt.Fprintf(c.out, "\n%s\n", line)
		for _, r := range res.Reruns {
			fmt.Fprintf(c.out, "  %s\n", cut(r, 200))
		}
	}
	if res.Verdict == report.Interrupted {
		var notRun []string
		for _, e := range res.Results {
			if e.Outcome == report.NotRun {
				notRun = append(notRun, e.ID+" ("+e.Format+")")
			}
		}
		fmt.Fprintf(c.out, "\nThe run was interrupted; %d selected conditions did not run: %s\n", len(notRun), strings.Join(notRun, ", "))
	}
	n := res.Counts
	counts := map[string]int{report.Passed: n.Passed, report.Failed: n.Failed, report.Error: n.Error,
		report.NotProvoked: n.NotProvoked, report.NotSelected: n.NotSelected, report.NotRun: n.NotRun}
	fmt.Fprintf(c.out, "\n%s: %s, in %s\n", c.paint(bold, c.outcome(res.Verdict)), report.CountsLine(counts), res.Finished.Sub(res.Started).Round(time.Millisecond))
	fmt.Fprintf(c.out, "Reports in %s: summary.md, conformance.html, result.json, exchanges.har, junit.xml, report.json\n", dir)
}

type cause struct {
	reason     string
	conditions []string
}

// byCause groups the entries of an outcome by their reason's first line.
func byCause(res report.Result, outcome string) []cause {
	var groups []cause
	for _, e := range res.Results {
		if e.Outcome != outcome {
			continue
		}
		reason := firstLine(e.Reason)
		i := slices.IndexFunc(groups, func(g cause) bool { return g.reason == reason })
		if i < 0 {
			groups = append(groups, cause{reason: reason})
			i = len(groups) - 1
		}
		groups[i].conditions = append(groups[i].conditions, e.ID+" ("+e.Format+")")
	}
	return groups
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return cut(s, 200)
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// stepSummary appends summary.md to GitHub Actions' job summary, when the
// run is a step of a job.
func stepSummary(dir string) error {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(md, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
