// Command bench measures the suite's time to verdict and prints one line per
// figure, "bench: NAME VALUE UNIT":
//
//   - the compile time of the suite binary (bin/conformance.test);
//   - one whole run of that binary against the embedded reference: wall
//     time, Ginkgo's run time, exchanges, time spent validating them against
//     the contract and its share of the run, peak memory, CPU time;
//   - one whole run through cmd/latencyproxy, which adds a delay to every
//     round trip, in front of cmd/reference served as a separate process,
//     with more parallel processes; and what the Serial specs cost in it;
//   - callcases-conformance, the binary vendors run, against cmd/reference
//     served as a separate process: the time from starting it to its first
//     request, and its whole run beside the compiled suite's under Ginkgo's
//     CLI against the same target with as many processes;
//   - in both runs, from the figures each spec reports (package speed): the
//     round trips per spec (50th and 99th percentile), the longest dependent
//     chain of any spec, the time in specs that run alone (Serial); and for
//     the run through the proxy the physical floor, chain x round trip plus
//     the fault timer, and how far the wall time is from it;
//   - a flaky network: two runs through cmd/latencyproxy with no delay,
//     one with no cut and one with -cut (a share of requests whose
//     connection is cut, half before and half after the target answered;
//     per request, so that one run meets cuts enough to time):
//     their times, the cuts, the requests sent again and the specs run
//     again, and the flaky run's verdict;
//   - in both runs, exploration's steps, exchanges and divergences, its
//     share of the time in specs, and the reference oracle's cost per step;
//   - the Go benchmarks of the hot paths (contract validation, code table,
//     reference handlers), unless -go-bench=false.
//
// With -markdown FILE it also writes them as a Markdown page (markdown.go):
// the targets with the figures they bound, then every figure.
//
// Run it from the module root: go run ./cmd/bench (make bench).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/speed"
	"github.com/callcases/conformance/suiterun"
)

const suiteBinary = "bin/conformance.test"

// runBound bounds one run of the suite: a hang stops the bench with an
// error instead of holding it forever.
const runBound = 30 * time.Minute

type options struct {
	procs, slowProcs int
	formats          string // CONFORMANCE_FORMATS for both runs; "" leaves the suite's default
	delay            time.Duration
	cut              float64 // the share of requests whose connection the flaky run's proxy cuts
	goBench          bool
	benchTime        string
	keep             bool
	markdown         string // a file for the figures as a Markdown page; "" writes none
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	var o options
	// A flag set of its own: the packages it links (exploration's
	// generator) register flags of theirs on the default one, which -h
	// would list as if they were the bench's.
	flag := flag.NewFlagSet("bench", flag.ExitOnError)
	flag.IntVar(&o.procs, "procs", runtime.NumCPU(), "parallel processes for the run against the embedded reference")
	flag.IntVar(&o.slowProcs, "slow-procs", 0, "parallel processes for the run through the latency proxy; 0 picks them from the measured round trip as the runner does (speed.Procs)")
	flag.StringVar(&o.formats, "formats", "", "CONFORMANCE_FORMATS for both runs (json, xml or json,xml); empty: the suite's default")
	flag.DurationVar(&o.delay, "delay", 50*time.Millisecond, "latency the proxy adds to every round trip")
	flag.Float64Var(&o.cut, "cut", 0.02, "the share of requests whose connection the flaky run's proxy cuts (0 skips the flaky runs)")
	flag.BoolVar(&o.goBench, "go-bench", true, "also run the Go benchmarks of contract and reference")
	flag.StringVar(&o.benchTime, "benchtime", "200ms", "-benchtime for the Go benchmarks")
	flag.BoolVar(&o.keep, "keep", false, "keep the work folder (reports, outputs, proxy log) and print its path")
	flag.StringVar(&o.markdown, "markdown", "", "also write the figures and the targets they meet to this file, as Markdown")
	_ = flag.Parse(os.Args[1:]) // ExitOnError: it exits on an error itself
	m := machine{when: time.Now(), platform: runtime.GOOS + "/" + runtime.GOARCH, goVer: runtime.Version(),
		cpus: runtime.NumCPU(), loadStart: loadAverage(), args: os.Args[1:]}
	if err := run(context.Background(), o); err != nil {
		log.Fatal(err)
	}
	if o.markdown != "" {
		m.loadEnd = loadAverage()
		if rev, err := stdout(context.Background(), "git", "describe", "--always", "--dirty"); err == nil {
			m.revision = strings.TrimSpace(rev)
		}
		if err := writeMarkdownFile(o.markdown, m, o); err != nil {
			log.Fatal(err)
		}
	}
}

func run(ctx context.Context, o options) error {
	work, err := os.MkdirTemp("", "conformance-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		defer fmt.Printf("# work folder %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	goCmd := goCommand()

	start := time.Now()
	if err := runQuiet(ctx, goCmd, "test", "-c", "-o", suiteBinary, "./suites/conformance"); err != nil {
		return fmt.Errorf("compiling the suite: %w", err)
	}
	emit("compile_time", seconds(time.Since(start)), "s")

	// Only standard output names the command: with an empty module cache
	// the go command first writes "go: downloading ..." lines to stderr.
	ginkgo, err := stdout(ctx, goCmd, "tool", "-n", "ginkgo")
	if err != nil {
		return fmt.Errorf("finding the ginkgo command: %w", err)
	}
	ginkgo = strings.TrimSpace(ginkgo)

	// The run against the embedded reference: no target configured.
	embedded, err := runSuite(ctx, ginkgo, filepath.Join(work, "embedded"), o.procs, withFormats(nil, o.formats))
	if err != nil {
		return err
	}
	emitRun(o.procs, embedded)

	if err := slowRun(ctx, goCmd, ginkgo, filepath.Join(work, "slow"), o); err != nil {
		return err
	}
	if err := binaryRun(ctx, goCmd, ginkgo, filepath.Join(work, "binary"), o); err != nil {
		return err
	}
	if o.cut > 0 {
		if err := flakyRuns(ctx, goCmd, ginkgo, filepath.Join(work, "flaky"), o); err != nil {
			return err
		}
	}
	if o.goBench {
		return goBenchmarks(ctx, goCmd, o.benchTime)
	}
	return nil
}

// withFormats is settings with CONFORMANCE_FORMATS set to formats, unless
// formats is "" (the suite's default).
func withFormats(settings map[string]string, formats string) map[string]string {
	if formats == "" {
		return settings
	}
	if settings == nil {
		settings = map[string]string{}
	}
	settings["CONFORMANCE_FORMATS"] = formats
	return settings
}

// slowRun serves cmd/reference as its own process, puts cmd/latencyproxy in
// front of it, and runs the suite through the proxy.
func slowRun(ctx context.Context, goCmd, ginkgo, dir string, o options) error {
	proxyBin, err := build(ctx, goCmd, dir, "latencyproxy")
	if err != nil {
		return err
	}
	ref, err := startReference(ctx, goCmd, dir)
	if err != nil {
		return err
	}
	defer ref.Stop()
	proxyLog := filepath.Join(dir, "requests.log")
	proxy, err := startProxy(ctx, dir, proxyBin, ref.Root, "-delay", o.delay.String(), "-log", proxyLog)
	if err != nil {
		return err
	}
	defer proxy.Stop()
	settings := withFormats(suiterun.Through(ref.Settings, ref.Root, proxy.Root), o.formats)
	rtt, err := speed.MeasureRTT(ctx, settings["CONFORMANCE_TARGET"])
	if err != nil {
		return fmt.Errorf("measuring the round trip through the proxy: %w", err)
	}
	if o.slowProcs <= 0 {
		o.slowProcs = speed.Procs(rtt, runtime.NumCPU())
	}

	slow, err := runSuite(ctx, ginkgo, dir, o.slowProcs, settings)
	if err != nil {
		return err
	}
	connections := tally(proxy.Stop(), "connections")
	arrivals, err := readArrivals(proxyLog)
	if err != nil {
		return err
	}
	emit("slow_delay", strconv.FormatInt(o.delay.Milliseconds(), 10), "ms")
	emit("slow_procs", strconv.Itoa(o.slowProcs), "processes")
	emit("slow_run_wall", seconds(slow.wall), "s")
	emit("slow_run_suite", seconds(slow.report.RunTime), "s")
	emit("slow_round_trips", strconv.Itoa(len(arrivals)), "round trips")
	emit("slow_connections", connections, "connections")
	emit("slow_serial_time", seconds(slow.report.serialTime), "s")
	emit("slow_serial_round_trips", strconv.Itoa(inSerialWindows(arrivals, slow.report.serialWindows)), "round trips")
	emit("slow_measured_rtt", fmt.Sprintf("%.1f", float64(rtt.Microseconds())/1000), "ms")
	emitChains("slow_", slow.report)
	emitExploration("slow_", slow.report)
	emitFloor(slow, o.delay, harness.EmbeddedFaultTimer)
	return nil
}

// flakyRuns serves cmd/reference as its own process and runs the suite
// twice through cmd/latencyproxy with no delay: once with no cut, once with
// o.cut of requests cut (latencyproxy -cut-per request: a run opens about
// a hundred connections, of which 2% is too few cuts to time), so that the
// two times differ only by the cuts.
func flakyRuns(ctx context.Context, goCmd, ginkgo, dir string, o options) error {
	proxyBin, err := build(ctx, goCmd, dir, "latencyproxy")
	if err != nil {
		return err
	}
	ref, err := startReference(ctx, goCmd, dir)
	if err != nil {
		return err
	}
	defer ref.Stop()
	emit("flaky_cut", fmt.Sprintf("%.1f", 100*o.cut), "% of requests")
	for _, run := range []struct {
		name string
		cut  float64
	}{{"uncut", 0}, {"flaky", o.cut}} {
		proxy, err := startProxy(ctx, dir, proxyBin, ref.Root, "-delay", "0", "-cut", strconv.FormatFloat(run.cut, 'f', -1, 64), "-cut-per", "request", "-seed", "1")
		if err != nil {
			return err
		}
		runDir := filepath.Join(dir, run.name)
		r, runErr := runSuite(ctx, ginkgo, runDir, o.procs, withFormats(suiterun.Through(ref.Settings, ref.Root, proxy.Root), o.formats))
		cuts := tally(proxy.Stop(), "cuts")
		// A flaky run that gave no PASS is a figure, not the bench's failure.
		if runErr != nil && run.cut == 0 {
			return runErr
		}
		emit(run.name+"_run_wall", seconds(r.wall), "s")
		if run.cut == 0 {
			continue
		}
		emit("flaky_cuts", cuts, "cuts")
		var res report.Result
		if b, err := os.ReadFile(filepath.Join(runDir, "reports", "result.json")); err == nil && json.Unmarshal(b, &res) == nil {
			emit("flaky_retried_requests", strconv.Itoa(res.RetriedRequests), "requests")
			emit("flaky_reruns", strconv.Itoa(len(res.Reruns)), "specs")
			emit("flaky_verdict", res.Verdict, "verdict")
		} else {
			emit("flaky_verdict", "n/a", "verdict")
		}
	}
	return nil
}

const binaryPath = "bin/callcases-conformance"

// binaryRun times callcases-conformance against cmd/reference (its own
// process), through a recording proxy that notes when the first request
// arrives, and the compiled suite against the same target.
func binaryRun(ctx context.Context, goCmd, ginkgo, dir string, o options) error {
	start := time.Now()
	if err := runQuiet(ctx, goCmd, "build", "-o", binaryPath, "./cmd/callcases-conformance"); err != nil {
		return err
	}
	emit("binary_build_time", seconds(time.Since(start)), "s")
	self, err := filepath.Abs(binaryPath)
	if err != nil {
		return err
	}
	ref, err := startReference(ctx, goCmd, dir)
	if err != nil {
		return err
	}
	defer ref.Stop()
	upstream, err := url.Parse(ref.Root)
	if err != nil {
		return err
	}
	var first atomic.Int64 // unix nanoseconds of the first request since the last reset
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first.CompareAndSwap(0, time.Now().UnixNano())
		httputil.NewSingleHostReverseProxy(upstream).ServeHTTP(w, r)
	}))
	defer proxy.Close()
	settings := suiterun.Through(ref.Settings, ref.Root, proxy.URL)

	compiled, err := runSuite(ctx, ginkgo, filepath.Join(dir, "compiled"), o.procs, settings)
	if err != nil {
		return err
	}
	first.Store(0)
	work := filepath.Join(dir, "vendor")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, self, "-procs", strconv.Itoa(o.procs), "-no-color")
	cmd.Dir = work
	cmd.Env = suiterun.Env(suiterun.Pairs(settings)...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	p, err := suiterun.Run(cmd, runBound)
	if err != nil {
		return fmt.Errorf("callcases-conformance failed (%v); its output ends:\n%s", ended(p, err), suiterun.Tail(output.String(), 40))
	}
	emit("binary_first_request", seconds(time.Unix(0, first.Load()).Sub(p.Started)), "s")
	emit("binary_run_wall", seconds(p.Took), "s")
	emit("compiled_run_wall", seconds(compiled.wall), "s")
	emit("binary_vs_compiled", fmt.Sprintf("%.2f", p.Took.Seconds()/compiled.wall.Seconds()), "x")
	return nil
}

// ended says how a run that failed ended: its error, or its bound.
func ended(p *suiterun.Process, err error) string {
	if p != nil && p.TimedOut {
		return fmt.Sprintf("still running after %s, stopped", runBound)
	}
	return err.Error()
}

// runSuite runs the compiled suite with Ginkgo's parallel runner, settings
// being the whole suite configuration (nil: the embedded reference). It
// fails, showing the output's tail, when the suite does.
func runSuite(ctx context.Context, ginkgo, dir string, procs int, settings map[string]string) (suiteRun, error) {
	var r suiteRun
	reports, stats := filepath.Join(dir, "reports"), filepath.Join(dir, "stats")
	for _, d := range []string{reports, stats} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return r, err
		}
	}
	cmd := exec.CommandContext(ctx, ginkgo, "-p", "--procs="+strconv.Itoa(procs), "--no-color", suiteBinary)
	// None of the caller's settings: a CONFORMANCE_TARGET exported in the
	// shell must not redirect the bench.
	cmd.Env = suiterun.Env(append(suiterun.Pairs(settings), "CONFORMANCE_REPORTS="+reports, client.EnvStats+"="+stats)...)
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	p, err := suiterun.Run(cmd, runBound)
	if p != nil {
		r.wall = p.Took
	}
	_ = os.WriteFile(filepath.Join(dir, "output.txt"), output.Bytes(), 0o644)
	if err != nil {
		return r, fmt.Errorf("the suite failed (%v); its output ends:\n%s", ended(p, err), suiterun.Tail(output.String(), 40))
	}
	if ru, ok := p.Cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss
	}
	r.cpu = p.Cmd.ProcessState.UserTime() + p.Cmd.ProcessState.SystemTime()
	if r.stats, _, err = client.ReadStats(stats); err != nil {
		return r, err
	}
	rep, err := suiterun.ReadReport(filepath.Join(reports, "report.json"))
	if err != nil {
		return r, err
	}
	r.report, err = figuresOf(rep)
	return r, err
}

// build builds ./cmd/NAME into the bin folder beside dir (the work
// folder's, shared by its runs): built, not go run, so that the process
// signalled at the end is the server itself; once per bench, whichever run
// asks first.
func build(ctx context.Context, goCmd, dir, name string) (string, error) {
	bins := filepath.Join(filepath.Dir(dir), "bin")
	if err := os.MkdirAll(bins, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(bins, name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	return bin, runQuiet(ctx, goCmd, "build", "-o", bin, "./cmd/"+name)
}

// startReference builds cmd/reference into dir and serves it as its own
// process with the fault timer the embedded reference uses, so that every
// run waits alike for 504. Its stderr (a handler's panic) is kept beside
// the binary, in the work folder that -keep keeps.
func startReference(ctx context.Context, goCmd, dir string) (*suiterun.Server, error) {
	bin, err := build(ctx, goCmd, dir, "reference")
	if err != nil {
		return nil, err
	}
	stderr, closeLog := logFile(dir, bin)
	defer closeLog()
	return suiterun.StartReference(ctx, bin, stderr, "-fault-timer", harness.EmbeddedFaultTimer.String())
}

// startProxy serves cmd/latencyproxy (bin) in front of target; its stderr
// (a broken copy) is kept beside the binary.
func startProxy(ctx context.Context, dir, bin, target string, args ...string) (*suiterun.Server, error) {
	stderr, closeLog := logFile(dir, bin)
	defer closeLog()
	return suiterun.StartProxy(ctx, bin, target, stderr, args...)
}

// logFile is NAME.log in the run's folder for the stderr of the server
// bin (nil, discarded, if it cannot be made), and what closes this
// process's descriptor once the server holds its own.
func logFile(dir, bin string) (io.Writer, func()) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, func() {}
	}
	f, err := os.Create(filepath.Join(dir, filepath.Base(bin)+".log"))
	if err != nil {
		return nil, func() {}
	}
	return f, func() { _ = f.Close() }
}

// goBenchmarks runs the Go benchmarks of the hot paths and prints ns/op (and
// allocations) as bench lines.
func goBenchmarks(ctx context.Context, goCmd, benchTime string) error {
	for _, pkg := range []string{"./contract", "./reference"} {
		out, err := output(ctx, goCmd, "test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", benchTime, pkg)
		if err != nil {
			return fmt.Errorf("go test -bench %s: %w\n%s", pkg, err, suiterun.Tail(out, 20))
		}
		emitBenchmarks(strings.TrimPrefix(pkg, "./"), out)
	}
	return nil
}

func goCommand() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

func runQuiet(ctx context.Context, name string, args ...string) error {
	out, err := output(ctx, name, args...)
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, suiterun.Tail(out, 20))
	}
	return nil
}

func output(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// stdout runs a command and returns what it wrote to standard output;
// standard error goes into the error when the command fails.
func stdout(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, suiterun.Tail(errOut.String(), 5))
	}
	return out.String(), nil
}
