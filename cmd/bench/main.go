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
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/explore"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/speed"
)

const suiteBinary = "bin/conformance.test"

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
	flag.IntVar(&o.procs, "procs", runtime.NumCPU(), "parallel processes for the run against the embedded reference")
	flag.IntVar(&o.slowProcs, "slow-procs", 0, "parallel processes for the run through the latency proxy; 0 picks them from the measured round trip as the runner does (speed.Procs)")
	flag.StringVar(&o.formats, "formats", "", "CONFORMANCE_FORMATS for both runs (json, xml or json,xml); empty: the suite's default")
	flag.DurationVar(&o.delay, "delay", 50*time.Millisecond, "latency the proxy adds to every round trip")
	flag.Float64Var(&o.cut, "cut", 0.02, "the share of requests whose connection the flaky run's proxy cuts (0 skips the flaky runs)")
	flag.BoolVar(&o.goBench, "go-bench", true, "also run the Go benchmarks of contract and reference")
	flag.StringVar(&o.benchTime, "benchtime", "200ms", "-benchtime for the Go benchmarks")
	flag.BoolVar(&o.keep, "keep", false, "keep the work folder (reports, outputs, proxy log) and print its path")
	flag.StringVar(&o.markdown, "markdown", "", "also write the figures and the targets they meet to this file, as Markdown")
	flag.Parse()
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

	// The reference and the proxy, built once for every run that serves
	// them: built, not go run, so that the processes signalled at the end
	// are the servers themselves.
	servers := programs{reference: filepath.Join(work, "reference"), proxy: filepath.Join(work, "latencyproxy")}
	if err := runQuiet(ctx, goCmd, "build", "-o", work+string(filepath.Separator), "./cmd/reference", "./cmd/latencyproxy"); err != nil {
		return err
	}

	// The run against the embedded reference: no target configured.
	var settings map[string]string
	if o.formats != "" {
		settings = map[string]string{"CONFORMANCE_FORMATS": o.formats}
	}
	embedded, err := runSuite(ctx, ginkgo, filepath.Join(work, "embedded"), o.procs, settings)
	if err != nil {
		return err
	}
	emit("procs", strconv.Itoa(o.procs), "processes")
	emit("run_wall", seconds(embedded.wall), "s")
	emit("run_suite", seconds(embedded.report.RunTime), "s")
	emit("specs", strconv.Itoa(embedded.report.specs), "specs")
	emit("cpu_time", seconds(embedded.cpu), "s")
	emit("peak_rss", fmt.Sprintf("%.1f", float64(embedded.maxRSS)/1024), "MiB")
	if embedded.stats.Exchanges == 0 {
		emit("exchanges", "n/a", "exchanges")
		emit("validation_time", "n/a", "s")
		emit("validation_share", "n/a", "%")
	} else {
		emit("exchanges", strconv.FormatInt(embedded.stats.Exchanges, 10), "exchanges")
		emit("validation_time", seconds(embedded.stats.Validation), "s")
		emit("validation_share", fmt.Sprintf("%.1f", 100*embedded.stats.Validation.Seconds()/embedded.report.RunTime.Seconds()), "%")
		emit("validation_per_exchange", fmt.Sprintf("%.0f", float64(embedded.stats.Validation.Microseconds())/float64(embedded.stats.Exchanges)), "µs")
	}
	emit("serial_specs", strconv.Itoa(embedded.report.serial), "specs")
	emit("serial_time", seconds(embedded.report.serialTime), "s")
	emitChains("", embedded.report)
	emitExploration("", embedded.report)

	if err := slowRun(ctx, servers, ginkgo, filepath.Join(work, "slow"), o); err != nil {
		return err
	}
	if err := binaryRun(ctx, goCmd, servers, ginkgo, filepath.Join(work, "binary"), o); err != nil {
		return err
	}
	if o.cut > 0 {
		if err := flakyRuns(ctx, servers, ginkgo, filepath.Join(work, "flaky"), o); err != nil {
			return err
		}
	}
	if o.goBench {
		return goBenchmarks(ctx, goCmd, o.benchTime)
	}
	return nil
}

// programs are the servers the runs start, each compiled once.
type programs struct{ reference, proxy string }

// slowRun serves cmd/reference as its own process, puts cmd/latencyproxy in
// front of it, and runs the suite through the proxy.
func slowRun(ctx context.Context, servers programs, ginkgo, dir string, o options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ref, settings, root, err := startReference(ctx, servers.reference)
	if err != nil {
		return err
	}
	defer ref.stop()
	proxyLog := filepath.Join(dir, "requests.log")
	proxy, err := startServer(ctx, servers.proxy, "# proxying on ", "-target", root, "-delay", o.delay.String(), "-log", proxyLog)
	if err != nil {
		return fmt.Errorf("starting the latency proxy: %w", err)
	}
	stopped := false
	defer func() {
		if !stopped {
			proxy.stop()
		}
	}()
	line, _ := proxy.head.ReadString('\n')
	proxyRoot := strings.Fields(strings.TrimPrefix(line, "# proxying on "))[0]
	for _, name := range []string{"CONFORMANCE_TARGET", "CONFORMANCE_FAULTS_URL"} {
		settings[name] = strings.Replace(settings[name], root, proxyRoot, 1)
	}
	if o.formats != "" {
		settings["CONFORMANCE_FORMATS"] = o.formats
	}
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
	stopped = true
	connections := "n/a"
	if m := regexp.MustCompile(`(?m)^# connections (\d+)$`).FindStringSubmatch(proxy.stop()); m != nil {
		connections = m[1]
	}
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
	serialTrips := 0
	for _, t := range arrivals {
		if slices.ContainsFunc(slow.report.serialWindows, func(w [2]time.Time) bool { return !t.Before(w[0]) && !t.After(w[1]) }) {
			serialTrips++
		}
	}
	emit("slow_serial_time", seconds(slow.report.serialTime), "s")
	emit("slow_serial_round_trips", strconv.Itoa(serialTrips), "round trips")
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
func flakyRuns(ctx context.Context, servers programs, ginkgo, dir string, o options) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ref, settings, root, err := startReference(ctx, servers.reference)
	if err != nil {
		return err
	}
	defer ref.stop()
	if o.formats != "" {
		settings["CONFORMANCE_FORMATS"] = o.formats
	}
	emit("flaky_cut", fmt.Sprintf("%.1f", 100*o.cut), "% of requests")
	for _, run := range []struct {
		name string
		cut  float64
	}{{"uncut", 0}, {"flaky", o.cut}} {
		proxy, err := startServer(ctx, servers.proxy, "# proxying on ", "-target", root, "-delay", "0", "-cut", strconv.FormatFloat(run.cut, 'f', -1, 64), "-cut-per", "request", "-seed", "1")
		if err != nil {
			return fmt.Errorf("starting the proxy: %w", err)
		}
		line, _ := proxy.head.ReadString('\n')
		proxyRoot := strings.Fields(strings.TrimPrefix(line, "# proxying on "))[0]
		through := maps.Clone(settings)
		for _, name := range []string{"CONFORMANCE_TARGET", "CONFORMANCE_FAULTS_URL"} {
			through[name] = strings.Replace(through[name], root, proxyRoot, 1)
		}
		runDir := filepath.Join(dir, run.name)
		r, runErr := runSuite(ctx, ginkgo, runDir, o.procs, through)
		tally := proxy.stop()
		// A flaky run that gave no PASS is a figure, not the bench's failure.
		if runErr != nil && run.cut == 0 {
			return runErr
		}
		emit(run.name+"_run_wall", seconds(r.wall), "s")
		if run.cut == 0 {
			continue
		}
		cuts := "n/a"
		if m := regexp.MustCompile(`(?m)^# cuts (\d+)`).FindStringSubmatch(tally); m != nil {
			cuts = m[1]
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
func binaryRun(ctx context.Context, goCmd string, servers programs, ginkgo, dir string, o options) error {
	start := time.Now()
	if err := runQuiet(ctx, goCmd, "build", "-o", binaryPath, "./cmd/callcases-conformance"); err != nil {
		return err
	}
	emit("binary_build_time", seconds(time.Since(start)), "s")
	self, err := filepath.Abs(binaryPath)
	if err != nil {
		return err
	}
	ref, settings, root, err := startReference(ctx, servers.reference)
	if err != nil {
		return err
	}
	defer ref.stop()
	upstream, err := url.Parse(root)
	if err != nil {
		return err
	}
	var first atomic.Int64 // unix nanoseconds of the first request since the last reset
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		first.CompareAndSwap(0, time.Now().UnixNano())
		httputil.NewSingleHostReverseProxy(upstream).ServeHTTP(w, r)
	}))
	defer proxy.Close()
	for _, name := range []string{"CONFORMANCE_TARGET", "CONFORMANCE_FAULTS_URL"} {
		settings[name] = strings.Replace(settings[name], root, proxy.URL, 1)
	}

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
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CONFORMANCE_") })
	for k, v := range settings {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	started := time.Now()
	err = cmd.Run()
	wall := time.Since(started)
	if err != nil {
		return fmt.Errorf("callcases-conformance failed (%v); its output ends:\n%s", err, tail(out.String(), 40))
	}
	emit("binary_first_request", seconds(time.Unix(0, first.Load()).Sub(started)), "s")
	emit("binary_run_wall", seconds(wall), "s")
	emit("compiled_run_wall", seconds(compiled.wall), "s")
	emit("binary_vs_compiled", fmt.Sprintf("%.2f", wall.Seconds()/compiled.wall.Seconds()), "x")
	return nil
}

// emitChains prints the round trips per spec and the dependent chains,
// over every format and per format.
func emitChains(prefix string, f reportFigures) {
	if len(f.perSpec) == 0 {
		emit(prefix+"chain_max", "n/a", "round trips")
		return
	}
	formats := []string{""}
	for _, s := range f.perSpec {
		if !slices.Contains(formats, s.format) {
			formats = append(formats, s.format)
		}
	}
	for _, format := range formats {
		var trips []int
		longest := specFigures{}
		for _, s := range f.perSpec {
			if format != "" && s.format != format {
				continue
			}
			trips = append(trips, s.Trips)
			if s.Chain > longest.Chain {
				longest = s
			}
		}
		name := prefix
		if format != "" {
			name += format + "_"
		}
		slices.Sort(trips)
		emit(name+"round_trips_p50", strconv.Itoa(percentile(trips, 50)), "round trips/spec")
		emit(name+"round_trips_p99", strconv.Itoa(percentile(trips, 99)), "round trips/spec")
		emit(name+"chain_max", strconv.Itoa(longest.Chain), "round trips")
		if format == "" {
			fmt.Printf("# longest chain: %s (%s)\n", longest.name, longest.format)
			recorded.notes = append(recorded.notes, fmt.Sprintf("`%schain_max` is the chain of %s (%s)", prefix, longest.name, longest.format))
		}
	}
	emit(prefix+"preflight_chain", strconv.Itoa(f.preflight.Chain), "round trips")
	emit(prefix+"teardown_chain", strconv.Itoa(f.teardown.Chain), "round trips")
	emit(prefix+"lease_specs", strconv.Itoa(f.leaseSpecs), "specs")
	emit(prefix+"lease_chain", strconv.Itoa(f.leaseChain), "round trips")
}

// emitFloor prints the physical floor of the run through the proxy: the
// longest chain of any spec times the round trip, plus the fault timer the
// 504 rows wait for; and the run's floor, which adds the chains that cannot
// overlap any spec (the preflight before, the final sweep after) and counts
// the specs that hold the lease one after another.
// emitExploration prints what exploration's rows did: their steps,
// exchanges and divergences, their share of the time in specs, and what
// the reference oracle cost a step, alone and as a share of a step's time.
func emitExploration(prefix string, f reportFigures) {
	x := f.explore
	emit(prefix+"explore_steps", strconv.Itoa(x.Steps), "steps")
	emit(prefix+"explore_exchanges", strconv.Itoa(x.Exchanges), "exchanges")
	emit(prefix+"explore_divergences", strconv.Itoa(x.Divergences), "divergences")
	emit(prefix+"explore_time", seconds(f.exploreSpecs), "s")
	if f.specTime > 0 {
		emit(prefix+"explore_share", fmt.Sprintf("%.1f", 100*f.exploreSpecs.Seconds()/f.specTime.Seconds()), "% of the time in specs")
	}
	if x.Steps > 0 && x.ElapsedNS > 0 {
		emit(prefix+"explore_oracle_per_step", fmt.Sprintf("%.0f", float64(x.OracleNS)/1000/float64(x.Steps)), "µs")
		emit(prefix+"explore_oracle_share", fmt.Sprintf("%.1f", 100*float64(x.OracleNS)/float64(x.ElapsedNS)), "% of exploration's time")
	}
}

func emitFloor(r suiteRun, rtt, timer time.Duration) {
	f := r.report
	longest := 0
	for _, s := range f.perSpec {
		longest = max(longest, s.Chain)
	}
	floor := time.Duration(longest)*rtt + timer
	runFloor := time.Duration(f.preflight.Chain+max(longest, f.leaseChain)+f.teardown.Chain)*rtt + timer
	emit("slow_floor", seconds(floor), "s")
	emit("slow_wall_over_floor", fmt.Sprintf("%.2f", r.wall.Seconds()/floor.Seconds()), "x")
	emit("slow_run_floor", seconds(runFloor), "s")
	emit("slow_wall_over_run_floor", fmt.Sprintf("%.2f", r.wall.Seconds()/runFloor.Seconds()), "x")
}

// percentile of sorted values, nearest rank.
func percentile(sorted []int, p int) int {
	if len(sorted) == 0 {
		return 0
	}
	i := (p*len(sorted) + 99) / 100
	return sorted[min(max(i, 1), len(sorted))-1]
}

type suiteRun struct {
	wall, cpu time.Duration
	maxRSS    int64 // KiB: the largest single process of the run (Linux wait4 semantics)
	stats     client.Stats
	report    reportFigures
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
	cmd.Env = suiteEnv(settings, reports, stats)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	r.wall = time.Since(start)
	_ = os.WriteFile(filepath.Join(dir, "output.txt"), out.Bytes(), 0o644)
	if err != nil {
		return r, fmt.Errorf("the suite failed (%v); its output ends:\n%s", err, tail(out.String(), 40))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if r.stats, _, err = client.ReadStats(stats); err != nil {
		return r, err
	}
	r.report, err = readReport(filepath.Join(reports, "report.json"))
	return r, err
}

// suiteEnv is this process's environment without any suite setting (a
// CONFORMANCE_TARGET exported in the shell must not redirect the bench), plus
// the given ones.
func suiteEnv(settings map[string]string, reports, stats string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CONFORMANCE_") })
	for k, v := range settings {
		env = append(env, k+"="+v)
	}
	return append(env, "CONFORMANCE_REPORTS="+reports, client.EnvStats+"="+stats)
}

// reportFigures are read from Ginkgo's report.json.
type reportFigures struct {
	RunTime       time.Duration
	specs, serial int
	serialTime    time.Duration
	serialWindows [][2]time.Time
	perSpec       []specFigures
	// preflight and teardown: the suite's own round trips before and after the specs.
	preflight, teardown speed.Figures
	leaseSpecs          int
	// heldChains adds up, per shared state, the chains of the specs that held
	// it: they take turns; leaseChain is the longest.
	heldChains map[string]int
	leaseChain int
	// explore adds up exploration's rows; exploreSpecs is their specs' time,
	// specTime every spec's.
	explore                explore.Figures
	exploreSpecs, specTime time.Duration
}

// specFigures are one spec's figures (package speed).
type specFigures struct {
	speed.Figures
	name, format string
}

func readReport(path string) (reportFigures, error) {
	f := reportFigures{heldChains: map[string]int{}}
	b, err := os.ReadFile(path)
	if err != nil {
		return f, err
	}
	var suites []struct {
		RunTime     time.Duration
		SpecReports []struct {
			LeafNodeType       string
			IsSerial           bool
			State              string
			StartTime, EndTime time.Time
			RunTime            time.Duration
			LeafNodeText       string
			LeafNodeLabels     []string
			ReportEntries      []struct {
				Name  string
				Value struct{ AsJSON string }
			}
		}
	}
	if err := json.Unmarshal(b, &suites); err != nil || len(suites) != 1 {
		return f, fmt.Errorf("%s: not one suite's report (%v)", path, err)
	}
	f.RunTime = suites[0].RunTime
	for _, s := range suites[0].SpecReports {
		var fig speed.Figures
		for _, e := range s.ReportEntries {
			var x explore.Figures
			if e.Name == explore.FiguresEntry && json.Unmarshal([]byte(e.Value.AsJSON), &x) == nil {
				f.explore.Sequences += x.Sequences
				f.explore.Steps += x.Steps
				f.explore.Exchanges += x.Exchanges
				f.explore.Divergences += x.Divergences
				f.explore.ElapsedNS += x.ElapsedNS
				f.explore.OracleNS += x.OracleNS
				f.exploreSpecs += s.RunTime
			}
			var v string
			if e.Name != speed.EntryName || json.Unmarshal([]byte(e.Value.AsJSON), &v) != nil {
				continue
			}
			one, err := speed.Parse(v)
			if err != nil {
				return f, err
			}
			fig.Trips += one.Trips
			fig.Chain += one.Chain
			fig.Timed = fig.Timed || one.Timed
			fig.Holds = cmp.Or(fig.Holds, one.Holds)
		}
		switch {
		case fig.Trips == 0: // the suite nodes of processes but 1
		case s.LeafNodeType == "SynchronizedBeforeSuite":
			f.preflight = fig
		case s.LeafNodeType == "SynchronizedAfterSuite" && fig.Chain >= f.teardown.Chain:
			// Every process deletes its specs' cases, then process 1 sweeps
			// (its node holds both parts): the longest is the run's.
			f.teardown = fig
		}
		if s.LeafNodeType == "It" {
			f.specTime += s.RunTime
		}
		if s.LeafNodeType != "It" || s.State != "passed" {
			continue
		}
		labels := catalogue.ParseLabels(s.LeafNodeLabels)
		f.perSpec = append(f.perSpec, specFigures{Figures: fig, name: labels.ID, format: labels.Format})
		if fig.Holds != "" {
			f.leaseSpecs++
			f.heldChains[fig.Holds] += fig.Chain
			f.leaseChain = max(f.leaseChain, f.heldChains[fig.Holds])
		}
		f.specs++
		if s.IsSerial {
			f.serial++
			f.serialTime += s.RunTime
			f.serialWindows = append(f.serialWindows, [2]time.Time{s.StartTime, s.EndTime})
		}
	}
	return f, nil
}

// server is a child process that announces itself on stdout.
type server struct {
	cmd  *exec.Cmd
	head *bufio.Reader // stdout up to and including the ready line
	rest bytes.Buffer  // stdout after it, complete once stop returns
	done chan struct{}
}

// startServer starts a server that announces itself on stdout with a line
// beginning with ready.
func startServer(ctx context.Context, bin, ready string, args ...string) (*server, error) {
	s := &server{cmd: exec.CommandContext(ctx, bin, args...), done: make(chan struct{})}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	s.cmd.Stderr = io.Discard
	// Its stderr (a handler's panic, a proxy's broken copy) is kept beside
	// the binary, in the work folder that -keep keeps.
	if f, err := os.Create(bin + ".log"); err == nil {
		defer f.Close() // the child holds its own descriptor
		s.cmd.Stderr = f
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	var head bytes.Buffer
	r := bufio.NewReader(stdout)
	for {
		line, err := r.ReadString('\n')
		head.WriteString(line)
		if strings.HasPrefix(line, ready) {
			s.head = bufio.NewReader(&head)
			go func() { _, _ = io.Copy(&s.rest, r); close(s.done) }()
			return s, nil
		}
		if err != nil {
			_ = s.cmd.Process.Kill()
			_ = s.cmd.Wait()
			return nil, fmt.Errorf("%s ended before it was ready: %v\n%s", filepath.Base(bin), err, head.String())
		}
	}
}

// stop ends the server with SIGTERM (SIGKILL after 5 s) and returns the rest of its stdout.
func (s *server) stop() string {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done: // stdout closed: the process has ended
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	_ = s.cmd.Wait()
	return s.rest.String()
}

var exportLine = regexp.MustCompile(`^export ([A-Z_]+)=(.*)$`)

// startReference serves cmd/reference, compiled to refBin, as its own
// process with the fault timer the embedded reference uses, so that every
// run waits alike for 504. It returns the server, the suite settings it
// printed and its root URL.
func startReference(ctx context.Context, refBin string) (*server, map[string]string, string, error) {
	ref, err := startServer(ctx, refBin, "# serving on ", "-addr", "127.0.0.1:0", "-fault-timer", harness.EmbeddedFaultTimer.String())
	if err != nil {
		return nil, nil, "", fmt.Errorf("starting the reference: %w", err)
	}
	settings, root, err := readSettings(ref.head)
	if err != nil {
		ref.stop()
		return nil, nil, "", fmt.Errorf("the reference's settings: %w", err)
	}
	return ref, settings, root, nil
}

// readSettings parses cmd/reference's "export NAME=value" lines up to its
// "# serving on ROOT" line.
func readSettings(r *bufio.Reader) (map[string]string, string, error) {
	settings := map[string]string{}
	for {
		line, err := r.ReadString('\n')
		line = strings.TrimSuffix(line, "\n")
		if root, ok := strings.CutPrefix(line, "# serving on "); ok {
			return settings, strings.Fields(root)[0], nil
		}
		if m := exportLine.FindStringSubmatch(line); m != nil {
			settings[m[1]] = shellUnquote(m[2])
		}
		if err != nil {
			return nil, "", err
		}
	}
}

// shellUnquote undoes cmd/reference's quoting: a bare word, or single quotes.
func shellUnquote(v string) string {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return strings.ReplaceAll(v[1:len(v)-1], `'\''`, `'`)
	}
	return v
}

func readArrivals(path string) ([]time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	for line := range strings.Lines(string(b)) {
		ns, err := strconv.ParseInt(strings.Fields(line)[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, time.Unix(0, ns))
	}
	return out, nil
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+\d+\s+(\S+) ns/op(?:.*?\s(\d+) B/op\s+(\d+) allocs/op)?`)

// goBenchmarks runs the Go benchmarks of the hot paths and prints ns/op (and
// allocations) as bench lines.
func goBenchmarks(ctx context.Context, goCmd, benchTime string) error {
	for _, pkg := range []string{"./contract", "./reference"} {
		out, err := output(ctx, goCmd, "test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", benchTime, pkg)
		if err != nil {
			return fmt.Errorf("go test -bench %s: %w\n%s", pkg, err, tail(out, 20))
		}
		name := strings.TrimPrefix(pkg, "./")
		for line := range strings.Lines(out) {
			m := benchLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			emit(name+"."+m[1], m[3], "ns/op")
			if m[5] != "" {
				emit(name+"."+m[1]+".allocs", m[5], "allocs/op")
			}
		}
	}
	return nil
}

func emit(name, value, unit string) {
	fmt.Printf("bench: %s %s %s\n", name, value, unit)
	recorded.figures = append(recorded.figures, figure{name, value, unit})
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func goCommand() string {
	if g := os.Getenv("GO"); g != "" {
		return g
	}
	return "go"
}

func runQuiet(ctx context.Context, name string, args ...string) error {
	out, err := output(ctx, name, args...)
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, tail(out, 20))
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
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, tail(errOut.String(), 5))
	}
	return out.String(), nil
}

func tail(s string, lines int) string {
	all := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(all[max(0, len(all)-lines):], "\n")
}
