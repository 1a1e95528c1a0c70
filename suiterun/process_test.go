package suiterun

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestARunPastItsBoundIsKilledAndSaysSo(t *testing.T) {
	p, err := Run(exec.Command("sleep", "30"), 200*time.Millisecond)
	if err == nil || !p.TimedOut {
		t.Fatalf("error %v, timed out %v: want a killed run", err, p.TimedOut)
	}
	if p.Took > 10*time.Second {
		t.Errorf("the run took %s", p.Took)
	}
	if p.ExitCode() != -1 {
		t.Errorf("exit code %d, want -1 (a signal)", p.ExitCode())
	}
}

func TestARunGivesItsOutputAndExitCode(t *testing.T) {
	p, err := Run(shell("echo out; echo err >&2; exit 3"), time.Minute)
	if err == nil || p.TimedOut {
		t.Fatalf("error %v, timed out %v", err, p.TimedOut)
	}
	if p.ExitCode() != 3 || p.Output() != "out\nerr\n" {
		t.Errorf("exit code %d, output %q", p.ExitCode(), p.Output())
	}
	ok, err := Run(exec.Command("true"), 0)
	if err != nil || ok.ExitCode() != 0 || ok.TimedOut {
		t.Errorf("true: error %v, exit code %d", err, ok.ExitCode())
	}
}

func TestARunWritesWhereItsCommandSays(t *testing.T) {
	var both strings.Builder
	cmd := shell("echo one; echo two >&2")
	cmd.Stdout, cmd.Stderr = &both, &both
	p, err := Run(cmd, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if both.String() != "one\ntwo\n" || p.Output() != "" {
		t.Errorf("the command's writer has %q, the buffers %q", both.String(), p.Output())
	}
}

func TestARunGetsOnlyTheEnvironmentItIsGiven(t *testing.T) {
	t.Setenv("CONFORMANCE_TARGET", "http://from-the-shell")
	cmd := shell(`echo "[$CONFORMANCE_TARGET] [$CONFORMANCE_FORMATS]"`)
	cmd.Env = Env("CONFORMANCE_FORMATS=json")
	p, err := Run(cmd, time.Minute)
	if err != nil || p.Output() != "[] [json]\n" {
		t.Errorf("error %v, the run saw %q", err, p.Output())
	}
}

func TestTailKeepsTheLastLines(t *testing.T) {
	if got := Tail("a\nb\nc\n", 2); got != "b\nc" {
		t.Errorf("Tail = %q", got)
	}
	if got := Tail("a", 5); got != "a" {
		t.Errorf("Tail = %q", got)
	}
}
