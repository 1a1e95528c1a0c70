package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/report"
)

func TestWorkerFlagsTellGinkgosStartFromAUsers(t *testing.T) {
	for args, want := range map[string]bool{
		"--test.timeout=0 --ginkgo.seed=1 --ginkgo.parallel.process=2": true,
		"-ginkgo.dry-run":                 true,
		"":                                false,
		"-procs 3 -label-filter=code:409": false,
		"verify reports":                  false,
	} {
		if got := isWorker(strings.Fields(args)); got != want {
			t.Errorf("isWorker(%q) = %v, want %v", args, got, want)
		}
	}
}

func TestProgressNumbersWholeLinesOnly(t *testing.T) {
	r, w := io.Pipe()
	var out strings.Builder
	p := &progressReader{con: &console{out: &out}}
	writes := []string{"total\t3\npassed\tS200-get\tjson\t\nfai", "led\tE209-batch-duplicate\tjson\tstatus: got 409, want 209\n", "not provoked\tE503-integration-down\tjson\tno CONFORMANCE_FAULTS_URL\t [getCallCase]\n"}
	for _, chunk := range writes {
		go func() { _, _ = w.Write([]byte(chunk)) }()
		p.lines = bufio.NewReader(io.LimitReader(r, int64(len(chunk))))
		p.drain()
	}
	want := "[1/3] passed       S200-get (json)\n" +
		"[2/3] failed       E209-batch-duplicate (json): status: got 409, want 209\n" +
		"[3/3] not provoked E503-integration-down (json) [getCallCase]\n"
	if out.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", out.String(), want)
	}
}

func TestNotesAreShownOnTheirOwnLines(t *testing.T) {
	lines := "total\t2\n" +
		"note\trun abc: waiting for the fault hook's lease to assign the operator; \"def-2\" holds it until 13:40:05 (waiting up to 2m0s, CONFORMANCE_LEASE_WAIT)\n" +
		"passed\tS201-operator\tjson\t\n" +
		"note\trun abc: got the fault hook's lease \x1b[2J\tnow\n" +
		"passed\tS200-get\tjson\t\n"
	waiting := "run abc: waiting for the fault hook's lease to assign the operator; \"def-2\" holds it until 13:40:05 (waiting up to 2m0s, CONFORMANCE_LEASE_WAIT)\n"
	got := "run abc: got the fault hook's lease  [2J now\n" // a target's control characters never reach the terminal
	for _, tc := range []struct {
		name  string
		con   func(*strings.Builder) *console
		quiet bool
		want  string
	}{
		{"in a log", func(b *strings.Builder) *console { return &console{out: b} }, false,
			waiting + "[1/2] passed       S201-operator (json)\n" + got + "[2/2] passed       S200-get (json)\n"},
		{"with Ginkgo's own output (-v)", func(b *strings.Builder) *console { return &console{out: b} }, true, waiting + got},
		{"on a terminal", func(b *strings.Builder) *console { return &console{out: b, terminal: true} }, false,
			waiting + "\r\x1b[2K[1/2] passed       S201-operator (json)" +
				"\r\x1b[2K" + got + "[1/2] passed       S201-operator (json)" + // the progress line drawn again below the note
				"\r\x1b[2K[2/2] passed       S200-get (json)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			p := &progressReader{con: tc.con(&out), quiet: tc.quiet, lines: bufio.NewReader(strings.NewReader(lines))}
			p.drain()
			if out.String() != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", out.String(), tc.want)
			}
		})
	}
}

func TestTerminalRewritesOneLineAndKeepsFailures(t *testing.T) {
	var out strings.Builder
	c := &console{out: &out, terminal: true}
	c.progress(1, 2, report.Passed, "S200-get", "json", "")
	c.progress(2, 2, report.Failed, "E404-get", "json", "status: got 200, want 404")
	c.endProgress()
	want := "\r\x1b[2K[1/2] passed       S200-get (json)" + "\r\x1b[2K[2/2] failed       E404-get (json): status: got 200, want 404\n"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}

func TestColourOnlyOnATerminalWithoutNoColor(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if c := newConsole(f, false); c.color || c.terminal {
		t.Errorf("a file is taken for a terminal")
	}
	c := &console{terminal: true, color: true}
	if !strings.Contains(c.outcome(report.Failed), "\x1b[31m") {
		t.Errorf("no colour on a colour console")
	}
	t.Setenv("NO_COLOR", "1")
	tty, err := os.Open("/dev/tty")
	if err != nil {
		t.Skip("no terminal to test NO_COLOR with")
	}
	defer tty.Close()
	if c := newConsole(tty, false); c.color {
		t.Errorf("colour despite NO_COLOR")
	}
}

func TestSummaryGroupsFailuresByCauseAndSaysWhereTheReportsAre(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res := report.Result{Verdict: "FAIL", Started: start, Finished: start.Add(1500 * time.Millisecond),
		Counts: report.ResultCounts{Passed: 1, Failed: 3, NotSelected: 1},
		Results: []report.ResultEntry{
			{ID: "S200-get", Code: 200, Format: "json", Outcome: report.Passed},
			{ID: "E209-duplicate-ext-id", Code: 209, Format: "json", Outcome: report.Failed, Reason: "status: got 409, want 209"},
			{ID: "E209-batch-duplicate", Code: 209, Format: "json", Outcome: report.Failed, Reason: "status: got 409, want 209\nmore"},
			{ID: "E404-get", Code: 404, Format: "json", Outcome: report.Failed, Reason: "message: wrong"},
			{ID: "E504-timeout", Code: 504, Format: "json", Outcome: report.NotSelected, Reason: "filtered out or not run"},
		}}
	var out strings.Builder
	(&console{out: &out}).summary(res, "reports")
	s := out.String()
	for _, want := range []string{
		"  status: got 409, want 209\n    E209-duplicate-ext-id (json), E209-batch-duplicate (json)\n",
		"  message: wrong\n    E404-get (json)\n",
		"FAIL: 1 passed, 3 failed, 0 errors, 0 not provoked, 1 not selected, in 1.5s\n",
		"Reports in reports: ",
		"(1 not selected by the label filter, not shown)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "E504-timeout") {
		t.Errorf("a condition the filter left out is listed:\n%s", s)
	}
}

// A run stopped before its first spec (a bad setting) ran nothing: the
// summary does not blame a label filter the user never gave.
func TestSummaryOfARunStoppedBeforeItsSpecs(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	res := report.Result{Verdict: "ERROR", Started: start, Finished: start.Add(57 * time.Millisecond),
		Counts:    report.ResultCounts{NotSelected: 2, Total: 2},
		RunErrors: []string{`SynchronizedBeforeSuite: CONFORMANCE_TIMEOUT (from the environment): "abc" is not a Go duration`},
		Results: []report.ResultEntry{
			{ID: "S200-get", Code: 200, Format: "json", Outcome: report.NotSelected, Reason: "filtered out or not run"},
			{ID: "S200-get", Code: 200, Format: "xml", Outcome: report.NotSelected, Reason: "filtered out or not run"},
		}}
	var out strings.Builder
	(&console{out: &out}).summary(res, "reports")
	s := out.String()
	if !strings.Contains(s, "(2 not run: the run stopped before its first spec, for the run errors below)") || strings.Contains(s, "label filter") {
		t.Errorf("the summary does not say the run stopped before its specs:\n%s", s)
	}
}

func TestStepSummaryAppendsTheMarkdown(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), []byte("# Conformance summary: PASS\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	step := filepath.Join(dir, "step.md")
	if err := os.WriteFile(step, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_STEP_SUMMARY", step)
	if err := stepSummary(dir); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(step)
	if string(b) != "earlier step\n# Conformance summary: PASS\n\n" {
		t.Errorf("GITHUB_STEP_SUMMARY holds %q", b)
	}
}
