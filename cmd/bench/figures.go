package main

// The figures of a run, from what it left: Ginkgo's report, the proxy's
// tallies and request log, the Go benchmarks' output; and the lines that
// print them. No process here, so that a test can hold them.

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/explore"
	"github.com/callcases/conformance/speed"
	"github.com/onsi/ginkgo/v2/types"
)

// out is where the "bench:" lines go.
var out io.Writer = os.Stdout

func emit(name, value, unit string) {
	fmt.Fprintf(out, "bench: %s %s %s\n", name, value, unit)
	recorded.figures = append(recorded.figures, figure{name, value, unit})
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// suiteRun is what one run of the suite gave.
type suiteRun struct {
	wall, cpu time.Duration
	maxRSS    int64 // KiB: the largest single process of the run (Linux wait4 semantics)
	stats     client.Stats
	report    reportFigures
}

// emitRun prints the figures of the run against the embedded reference.
func emitRun(procs int, r suiteRun) {
	emit("procs", strconv.Itoa(procs), "processes")
	emit("run_wall", seconds(r.wall), "s")
	emit("run_suite", seconds(r.report.RunTime), "s")
	emit("specs", strconv.Itoa(r.report.specs), "specs")
	emit("cpu_time", seconds(r.cpu), "s")
	emit("peak_rss", fmt.Sprintf("%.1f", float64(r.maxRSS)/1024), "MiB")
	if r.stats.Exchanges == 0 {
		emit("exchanges", "n/a", "exchanges")
		emit("validation_time", "n/a", "s")
		emit("validation_share", "n/a", "%")
	} else {
		emit("exchanges", strconv.FormatInt(r.stats.Exchanges, 10), "exchanges")
		emit("validation_time", seconds(r.stats.Validation), "s")
		emit("validation_share", fmt.Sprintf("%.1f", 100*r.stats.Validation.Seconds()/r.report.RunTime.Seconds()), "%")
		emit("validation_per_exchange", fmt.Sprintf("%.0f", float64(r.stats.Validation.Microseconds())/float64(r.stats.Exchanges)), "µs")
	}
	emit("serial_specs", strconv.Itoa(r.report.serial), "specs")
	emit("serial_time", seconds(r.report.serialTime), "s")
	emitChains("", r.report)
	emitExploration("", r.report)
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
			fmt.Fprintf(out, "# longest chain: %s (%s)\n", longest.name, longest.format)
			recorded.notes = append(recorded.notes, fmt.Sprintf("`%schain_max` is the chain of %s (%s)", prefix, longest.name, longest.format))
		}
	}
	emit(prefix+"preflight_chain", strconv.Itoa(f.preflight.Chain), "round trips")
	emit(prefix+"teardown_chain", strconv.Itoa(f.teardown.Chain), "round trips")
	emit(prefix+"lease_specs", strconv.Itoa(f.leaseSpecs), "specs")
	emit(prefix+"lease_chain", strconv.Itoa(f.leaseChain), "round trips")
}

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

// emitFloor prints the physical floor of the run through the proxy: the
// longest chain of any spec times the round trip, plus the fault timer the
// 504 rows wait for; and the run's floor, which adds the chains that cannot
// overlap any spec (the preflight before, the final sweep after) and counts
// the specs that hold the lease one after another.
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

// figuresOf reads a run's figures from its Ginkgo report: each spec's
// (package speed) and exploration's report entries, the Serial specs and
// their windows, the preflight's and the teardown's chains, the lease.
func figuresOf(r types.Report) (reportFigures, error) {
	f := reportFigures{heldChains: map[string]int{}, RunTime: r.RunTime}
	for _, s := range r.SpecReports {
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
		case s.LeafNodeType == types.NodeTypeSynchronizedBeforeSuite:
			f.preflight = fig
		case s.LeafNodeType == types.NodeTypeSynchronizedAfterSuite && fig.Chain >= f.teardown.Chain:
			// Every process deletes its specs' cases, then process 1 sweeps
			// (its node holds both parts): the longest is the run's.
			f.teardown = fig
		}
		if s.LeafNodeType == types.NodeTypeIt {
			f.specTime += s.RunTime
		}
		if s.LeafNodeType != types.NodeTypeIt || s.State != types.SpecStatePassed {
			continue
		}
		labels := catalogue.ParseLabels(s.Labels())
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

// inSerialWindows counts the arrivals that fall in a Serial spec's window.
func inSerialWindows(arrivals []time.Time, windows [][2]time.Time) int {
	n := 0
	for _, t := range arrivals {
		if slices.ContainsFunc(windows, func(w [2]time.Time) bool { return !t.Before(w[0]) && !t.After(w[1]) }) {
			n++
		}
	}
	return n
}

// tally is the count cmd/latencyproxy printed as "# NAME N" when it
// stopped, or "n/a".
func tally(proxyOutput, name string) string {
	if m := regexp.MustCompile(`(?m)^# ` + regexp.QuoteMeta(name) + ` (\d+)\b`).FindStringSubmatch(proxyOutput); m != nil {
		return m[1]
	}
	return "n/a"
}

// readArrivals reads cmd/latencyproxy's -log: a line per request, its
// arrival first, in Unix nanoseconds.
func readArrivals(path string) ([]time.Time, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var arrivals []time.Time
	for line := range strings.Lines(string(b)) {
		first, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		ns, err := strconv.ParseInt(first, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		arrivals = append(arrivals, time.Unix(0, ns))
	}
	return arrivals, nil
}

var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(-\d+)?\s+\d+\s+(\S+) ns/op(?:.*?\s(\d+) B/op\s+(\d+) allocs/op)?`)

// emitBenchmarks prints the ns/op (and allocations) of go test -bench's
// output for pkg as bench lines.
func emitBenchmarks(pkg, output string) {
	for line := range strings.Lines(output) {
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		emit(pkg+"."+m[1], m[3], "ns/op")
		if m[5] != "" {
			emit(pkg+"."+m[1]+".allocs", m[5], "allocs/op")
		}
	}
}
