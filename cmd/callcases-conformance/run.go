package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callcases/conformance/cmd/callcases-conformance/internal/early"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/speed"
)

// EnvProgress names the file the spec processes append a line per finished
// spec to (see suites/conformance/progress.go).
const EnvProgress = "CONFORMANCE_PROGRESS"

// options are the front's flags.
type options struct {
	procs       int    // 0: chosen from the target's round trip (speed.ProcsFor)
	procsWhy    string // how they were chosen, for the header
	labelFilter string
	verbose     bool
	noColor     bool
}

func runFront(args []string) int {
	var o options
	fs := flag.NewFlagSet("callcases-conformance", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&o.procs, "procs", 0, "")
	fs.StringVar(&o.labelFilter, "label-filter", "", "")
	fs.BoolVar(&o.verbose, "v", false, "")
	fs.BoolVar(&o.verbose, "ginkgo-output", false, "")
	fs.BoolVar(&o.noColor, "no-color", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(os.Stderr, "callcases-conformance: %v\n\n", err)
		usage(os.Stderr)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "callcases-conformance: unexpected argument %q (settings come from the environment or CONFORMANCE_CONFIG)\n\n", fs.Arg(0))
		usage(os.Stderr)
		return 2
	}
	if o.procs < 0 {
		fmt.Fprintln(os.Stderr, "callcases-conformance: -procs must be at least 1 (or 0: chosen from the target's round trip)")
		return 2
	}
	code, err := front(o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "callcases-conformance:", err)
	}
	return code
}

// front runs the suite through Ginkgo's CLI and shows the run as it goes.
func front(o options, out *os.File) (int, error) {
	signals := early.Signals // caught from the start (see package early)
	if signals == nil {
		signals = make(chan os.Signal, 4)
	}
	signal.Notify(signals, stopSignals...)
	defer signal.Stop(signals)

	started := time.Now()
	con := newConsole(out, o.noColor)
	reports, target := reportsAndTarget()
	if o.procs == 0 {
		o.procs, o.procsWhy = defaultProcs(target)
	}

	work, err := os.MkdirTemp("", "callcases-conformance-")
	if err != nil {
		return 2, err
	}
	defer os.RemoveAll(work)
	suite, err := linkSuite(work)
	if err != nil {
		return 2, err
	}
	progressPath := filepath.Join(work, "progress")
	progress, err := os.Create(progressPath)
	if err != nil {
		return 2, err
	}
	defer progress.Close()

	cwd, err := os.Getwd()
	if err != nil {
		return 2, err
	}
	ginkgoArgs := []string{"--procs=" + strconv.Itoa(o.procs)}
	if o.procs > 1 {
		ginkgoArgs = append(ginkgoArgs, "-p")
	}
	if o.labelFilter != "" {
		ginkgoArgs = append(ginkgoArgs, "--label-filter="+o.labelFilter)
	}
	if !con.color {
		ginkgoArgs = append(ginkgoArgs, "--no-color")
	}
	if o.verbose {
		ginkgoArgs = append(ginkgoArgs, "-v")
	}
	self, err := os.Executable()
	if err != nil {
		return 2, err
	}
	cmd := exec.Command(self, append(append([]string{ginkgoPart}, ginkgoArgs...), suite)...)
	cmd.Env = append(os.Environ(), EnvProgress+"="+progressPath)
	if dir, ok := os.LookupEnv(config.EnvWorkDir); !ok || dir == "" {
		cmd.Env = append(cmd.Env, config.EnvWorkDir+"="+cwd) // relative settings are the user's
	}
	ginkgoOut := &tail{max: 256 << 10}
	if o.verbose {
		cmd.Stdout, cmd.Stderr = out, os.Stderr
	} else {
		cmd.Stdout, cmd.Stderr = ginkgoOut, ginkgoOut
	}
	isolate(cmd)

	select {
	case sig := <-signals:
		fmt.Fprintf(os.Stderr, "callcases-conformance: %v before the run started; nothing was sent to the target\n", sig)
		if err := writeFallback(reports, target, o.labelFilter, nil); err != nil {
			fmt.Fprintln(os.Stderr, "callcases-conformance: writing the reports of the interrupted run:", err)
		} else if res, ok := readResult(reports, started); ok {
			con.summary(res, shown(cwd, reports))
		}
		return exitCodeOf(sig), nil
	default:
	}
	reports = shown(cwd, reports)
	con.header(o, target, reports)
	if err := cmd.Start(); err != nil {
		return 2, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	p := &progressReader{lines: bufio.NewReader(progress), con: con, quiet: o.verbose}
	tick := time.NewTicker(100 * time.Millisecond) // how often the screen is refreshed
	defer tick.Stop()
	var stoppedBy os.Signal
	stops := 0
	var waitErr error
loop:
	for {
		select {
		case <-tick.C:
			p.drain()
			if stoppedBy != nil {
				for _, pid := range p.takeReady() {
					signalProcess(cmd, pid, stoppedBy) // it started after the signal: one tells it to stop
				}
			}
		case sig := <-signals:
			stops++
			if stoppedBy == nil {
				stoppedBy = sig
			}
			con.interrupted(stops, sig)
			if stops >= 3 {
				killGroup(cmd)
				continue
			}
			// Only the processes that said they are ready get the signal: in
			// one still starting, it would end the process before Ginkgo's
			// handler exists, and the run would end without reports. The
			// others get it once they are ready; Ginkgo's own CLI needs none.
			p.drain()
			p.takeReady()
			for _, pid := range p.ready {
				signalProcess(cmd, pid, sig)
			}
		case waitErr = <-done:
			p.drain()
			break loop
		}
	}
	reapGroup(cmd, 30*time.Second)
	con.endProgress()

	res, fresh := readResult(reports, started)
	if !fresh && stoppedBy != nil {
		if err := writeFallback(reports, target, o.labelFilter, p.finished); err != nil {
			fmt.Fprintln(os.Stderr, "callcases-conformance: writing the reports of the interrupted run:", err)
		}
		if !o.verbose {
			con.ginkgoOutput(ginkgoOut.String())
		}
		res, fresh = readResult(reports, started)
	}
	if !fresh && !o.verbose {
		con.ginkgoOutput(ginkgoOut.String())
	}
	if fresh {
		con.summary(res, reports)
		if err := stepSummary(reports); err != nil {
			fmt.Fprintln(os.Stderr, "callcases-conformance: GITHUB_STEP_SUMMARY:", err)
		}
	} else {
		fmt.Fprintf(out, "\nNo reports were written to %s: the run stopped before it could write them (Ginkgo's output is above).\n", reports)
	}

	code := 0
	var exit *exec.ExitError
	switch {
	case errors.As(waitErr, &exit):
		code = exit.ExitCode()
		if code < 0 {
			code = 1 // killed by a signal
		}
	case waitErr != nil:
		return 2, waitErr
	}
	if stoppedBy != nil {
		return exitCodeOf(stoppedBy), nil
	}
	if code == 0 && (!fresh || res.Verdict != "PASS" && res.Verdict != "NOTHING RUN") {
		code = 1
	}
	return code, nil
}

// linkSuite gives Ginkgo a suite to run: a link to this binary whose name
// ends in .test (on Windows, the .exe itself qualifies).
func linkSuite(work string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	if runtime.GOOS == "windows" {
		return self, nil
	}
	link := filepath.Join(work, "callcases-conformance.test")
	if err := os.Symlink(self, link); err != nil {
		return "", err
	}
	return link, nil
}

// reportsAndTarget reads, from the same settings the suite will read, where
// the reports go and what is tested; a bad configuration is the suite's to
// report, in the reports folder it names.
// defaultProcs picks the processes from the target's round trip
// (speed.ProcsFor; "" is the embedded reference), and says how.
func defaultProcs(target string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, rtt, err := speed.ProcsFor(ctx, target, runtime.NumCPU())
	switch {
	case err != nil:
		return n, " (one a core: the round trip to the target could not be measured)"
	case target == "":
		return n, " (one a core)"
	}
	return n, fmt.Sprintf(" (for a round trip of %s)", rtt.Round(100*time.Microsecond))
}

func reportsAndTarget() (string, string) {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		if dir, ok := os.LookupEnv(config.EnvReports); ok && dir != "" {
			return dir, ""
		}
		return config.DefaultReports, ""
	}
	return cfg.Reports, cfg.Target
}

// shown is a path as the user would type it: relative when it is below
// the folder they ran the command in.
func shown(cwd, path string) string {
	if rel, err := filepath.Rel(cwd, path); err == nil && filepath.IsAbs(path) && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// progressReader turns the processes' lines ("total N",
// "outcome\tid\tformat\treason\t [variant]", "note\tmessage") into the
// console's progress and notes.
type progressReader struct {
	lines    *bufio.Reader
	con      *console
	quiet    bool // Ginkgo's own output is shown instead
	partial  string
	total    int
	done     int
	ready    []int      // the processes that can take a stop signal, in order
	finished []finished // the specs reported done
	fresh    int        // how many of ready have not been taken
}

// takeReady is the processes that became ready since the last call.
func (p *progressReader) takeReady() []int {
	fresh := p.ready[p.fresh:]
	p.fresh = len(p.ready)
	return fresh
}

func (p *progressReader) drain() {
	for {
		chunk, err := p.lines.ReadString('\n')
		p.partial += chunk
		if err != nil {
			return // the rest of the line is not written yet
		}
		line := strings.TrimRight(p.partial, "\r\n")
		p.partial = ""
		if note, ok := strings.CutPrefix(line, "note\t"); ok {
			p.con.note(note) // shown with -v too: Ginkgo holds a process's output until its spec ends
			continue
		}
		fields := strings.Split(line, "\t")
		switch {
		case len(fields) == 2 && fields[0] == "total":
			p.total, _ = strconv.Atoi(fields[1])
		case len(fields) == 2 && fields[0] == "ready":
			if pid, err := strconv.Atoi(fields[1]); err == nil && !slices.Contains(p.ready, pid) {
				p.ready = append(p.ready, pid)
			}
		case len(fields) >= 3:
			p.done++
			f := finished{outcome: fields[0], id: fields[1], format: fields[2]}
			if len(fields) > 3 {
				f.reason = fields[3]
			}
			p.finished = append(p.finished, f)
			if p.quiet {
				continue
			}
			reason, variant := "", ""
			if len(fields) > 3 {
				reason = fields[3]
			}
			if len(fields) > 4 {
				variant = fields[4]
			}
			p.con.progress(p.done, p.total, fields[0], fields[1]+variant, fields[2], reason)
		}
	}
}
