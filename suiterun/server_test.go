package suiterun

import (
	"bufio"
	"context"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// referenceOutput is what cmd/reference prints (cmd/reference's printSettings).
const referenceOutput = `export CONFORMANCE_FAULTS_URL=http://127.0.0.1:4101/faults
export CONFORMANCE_PASSWORD='it'\''s secret'
export CONFORMANCE_TARGET=http://127.0.0.1:4101/fx/api/v1
# serving on http://127.0.0.1:4101 as mutant status-500
later output
`

func announce(t *testing.T, out string) (Announcement, *bufio.Reader, error) {
	t.Helper()
	r := bufio.NewReader(strings.NewReader(out))
	a, err := ReadAnnouncement(r, ServingOn)
	return a, r, err
}

func TestTheReferencesExportsAreReadUpToItsReadyLine(t *testing.T) {
	a, r, err := announce(t, referenceOutput)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"CONFORMANCE_FAULTS_URL": "http://127.0.0.1:4101/faults",
		"CONFORMANCE_PASSWORD":   "it's secret",
		"CONFORMANCE_TARGET":     "http://127.0.0.1:4101/fx/api/v1",
	}
	if !maps.Equal(a.Settings, want) {
		t.Errorf("settings %q, want %q", a.Settings, want)
	}
	if a.Root != "http://127.0.0.1:4101" || a.Ready != "# serving on http://127.0.0.1:4101 as mutant status-500" {
		t.Errorf("root %q, ready line %q", a.Root, a.Ready)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "later output\n" {
		t.Errorf("the reader was not left after the ready line: %q remains", rest)
	}
}

func TestAnAnnouncementThatIsNotOneSaysWhatWasWrong(t *testing.T) {
	for _, tc := range []struct{ name, out, want string }{
		{"ends before the ready line", "export CONFORMANCE_TARGET=http://h\n", `no "# serving on" line: its output ended; it printed:` + "\nexport CONFORMANCE_TARGET=http://h\n"},
		{"ends in the middle of a line", "export CONFORMANCE_TARGET=http", "its output ended"},
		{"prints nothing", "", `no "# serving on" line: its output ended`},
		{"prints something else", "panic: listen tcp: address in use\n", `line "panic: listen tcp: address in use" is neither an export of a suite setting nor "# serving on"`},
		{"exports another program's variable", "export PATH=/bin\n# serving on http://h\n", `line "export PATH=/bin" is neither`},
		{"quotes a value it does not close", "export CONFORMANCE_PASSWORD='secret\n# serving on http://h\n", "the value of CONFORMANCE_PASSWORD is not a shell word"},
		{"quotes a quote badly", "export CONFORMANCE_PASSWORD='it's'\n# serving on http://h\n", "the value of CONFORMANCE_PASSWORD is not a shell word"},
		{"leaves a space unquoted", "export CONFORMANCE_PASSWORD=a b\n# serving on http://h\n", "the value of CONFORMANCE_PASSWORD is not a shell word"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := announce(t, tc.out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestCommentsAndBlankLinesBeforeTheReadyLineAreSkipped(t *testing.T) {
	a, _, err := announce(t, "# settings follow\n\nexport CONFORMANCE_PROJECT=corebo1\n# serving on http://h:1\n")
	if err != nil || a.Settings["CONFORMANCE_PROJECT"] != "corebo1" || a.Root != "http://h:1" {
		t.Errorf("announcement %+v, error %v", a, err)
	}
}

func shell(script string) *exec.Cmd { return exec.Command("sh", "-c", script) }

func TestAServerSilentPastItsBoundIsStoppedWithWhatItPrinted(t *testing.T) {
	start := time.Now()
	_, err := StartServer(shell("echo export CONFORMANCE_TARGET=http://h; exec sleep 30"), ServingOn, 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not ready within 300ms") || !strings.Contains(err.Error(), "export CONFORMANCE_TARGET=http://h") {
		t.Errorf("error %v, want one saying it was not ready in time, with what it printed", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("StartServer returned after %s: the bound did not stop the wait", took)
	}
}

func TestAServerThatEndsBeforeItIsReadyIsAnError(t *testing.T) {
	_, err := StartServer(shell("echo 'flag provided but not defined: -fault-timer'; exit 2"), ServingOn, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "sh: line \"flag provided but not defined: -fault-timer\" is neither") {
		t.Errorf("error %v", err)
	}
	_, err = StartServer(exec.Command("/nonexistent/reference"), ServingOn, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "starting reference") {
		t.Errorf("error %v", err)
	}
}

func TestAServerStopsOnSIGTERMAndGivesWhatItPrintedAfterItsReadyLine(t *testing.T) {
	s, err := StartServer(shell(`trap 'echo "# cuts 3 (before 1, after 2)"; exit 0' TERM
echo export CONFORMANCE_TARGET=http://127.0.0.1:9/fx/api/v1
printf '# proxying on http://127.0.0.1:9 to http://x with 0s a round trip\n# a line while it serves\n'
while :; do sleep 0.05; done`), ProxyingOn, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if s.Root != "http://127.0.0.1:9" || s.Env()[0] != "CONFORMANCE_TARGET=http://127.0.0.1:9/fx/api/v1" {
		t.Errorf("root %q, settings %q", s.Root, s.Env())
	}
	rest := s.Stop()
	if rest != "# a line while it serves\n# cuts 3 (before 1, after 2)\n" {
		t.Errorf("after its ready line it printed %q", rest)
	}
	if again := s.Stop(); again != rest {
		t.Errorf("a second Stop gave %q", again)
	}
}

func TestAReferenceThatPrintsNoSettingsIsAnError(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "reference")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho \"# serving on http://127.0.0.1:9\"\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := StartReference(context.Background(), bin, nil, "-fault-timer", "100ms")
	if err == nil || !strings.Contains(err.Error(), "starting the reference: it printed no settings") {
		t.Errorf("error %v", err)
	}
}

func TestSettingsThroughAProxyNameTheProxy(t *testing.T) {
	settings := map[string]string{
		"CONFORMANCE_TARGET":     "http://127.0.0.1:4101/fx/api/v1",
		"CONFORMANCE_FAULTS_URL": "http://127.0.0.1:4101/faults",
		"CONFORMANCE_PROJECT":    "corebo1",
	}
	got := Through(settings, "http://127.0.0.1:4101", "http://127.0.0.1:5202")
	want := map[string]string{
		"CONFORMANCE_TARGET":     "http://127.0.0.1:5202/fx/api/v1",
		"CONFORMANCE_FAULTS_URL": "http://127.0.0.1:5202/faults",
		"CONFORMANCE_PROJECT":    "corebo1",
	}
	if !maps.Equal(got, want) {
		t.Errorf("Through = %q, want %q", got, want)
	}
	if settings["CONFORMANCE_TARGET"] != "http://127.0.0.1:4101/fx/api/v1" {
		t.Error("Through changed the settings it was given")
	}
}
