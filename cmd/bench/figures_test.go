package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/explore"
	"github.com/callcases/conformance/speed"
	"github.com/callcases/conformance/suiterun"
	"github.com/onsi/ginkgo/v2/types"
)

// capture sends the bench lines to a buffer for the test, and forgets the
// figures recorded.
func capture(t *testing.T) *strings.Builder {
	t.Helper()
	var b strings.Builder
	out = &b
	t.Cleanup(func() { out = os.Stdout; recorded.figures, recorded.notes = nil, nil })
	return &b
}

func speedEntry(f speed.Figures) types.ReportEntry {
	return types.ReportEntry{Name: speed.EntryName, Value: types.WrapEntryValue(f.String())}
}

func passed(id, format string, serial bool, start time.Time, took time.Duration, entries ...types.ReportEntry) types.SpecReport {
	return types.SpecReport{LeafNodeType: types.NodeTypeIt, State: types.SpecStatePassed, IsSerial: serial,
		LeafNodeLabels: catalogue.Get(id).Labels(format, ""), StartTime: start, EndTime: start.Add(took), RunTime: took,
		ReportEntries: entries}
}

// readBack writes r as the suite's report.json and reads it as make bench does.
func readBack(t *testing.T, r types.Report) reportFigures {
	t.Helper()
	b, err := json.Marshal([]types.Report{r})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := suiterun.ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := figuresOf(rep)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var t0 = time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)

func aRun() types.Report {
	return types.Report{RunTime: 4 * time.Second, SpecReports: types.SpecReports{
		{LeafNodeType: types.NodeTypeSynchronizedBeforeSuite, State: types.SpecStatePassed, ReportEntries: types.ReportEntries{speedEntry(speed.Figures{Trips: 5, Chain: 3})}},
		passed("S200-get", "json", false, t0, time.Second, speedEntry(speed.Figures{Trips: 4, Chain: 2})),
		passed("S200-get", "xml", false, t0, time.Second, speedEntry(speed.Figures{Trips: 6, Chain: 9})),
		passed("E504-timeout", "json", true, t0.Add(2*time.Second), time.Second, speedEntry(speed.Figures{Trips: 3, Chain: 3, Timed: true, Holds: "faults"})),
		passed("E504-timeout", "xml", true, t0.Add(3*time.Second), time.Second, speedEntry(speed.Figures{Trips: 3, Chain: 4, Holds: "faults"})),
		passed("S200-explore-stateful", "json", false, t0, 2*time.Second,
			types.ReportEntry{Name: explore.FiguresEntry, Value: types.WrapEntryValue(explore.Figures{Steps: 40, Exchanges: 50, Divergences: 1, ElapsedNS: 2e9, OracleNS: 2e8})},
			speedEntry(speed.Figures{Trips: 50, Chain: 50})),
		{LeafNodeType: types.NodeTypeIt, State: types.SpecStateFailed, LeafNodeLabels: catalogue.Get("S200-update").Labels("json", ""), RunTime: time.Second,
			ReportEntries: types.ReportEntries{speedEntry(speed.Figures{Trips: 99, Chain: 99})}},
		{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, State: types.SpecStatePassed, ReportEntries: types.ReportEntries{speedEntry(speed.Figures{Trips: 2, Chain: 2})}},
		{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, State: types.SpecStatePassed, ReportEntries: types.ReportEntries{speedEntry(speed.Figures{Trips: 6, Chain: 6})}},
		{LeafNodeType: types.NodeTypeSynchronizedAfterSuite, State: types.SpecStatePassed},
	}}
}

func TestTheFiguresOfARunComeFromItsReport(t *testing.T) {
	f := readBack(t, aRun())
	if f.RunTime != 4*time.Second || f.specs != 5 || f.serial != 2 || f.serialTime != 2*time.Second {
		t.Errorf("run time %s, specs %d, serial %d in %s", f.RunTime, f.specs, f.serial, f.serialTime)
	}
	if f.preflight.Chain != 3 || f.teardown.Chain != 6 {
		t.Errorf("preflight chain %d, teardown chain %d: want 3 and the longest sweep, 6", f.preflight.Chain, f.teardown.Chain)
	}
	if f.leaseSpecs != 2 || f.leaseChain != 7 {
		t.Errorf("lease specs %d, lease chain %d: the holders of one state take turns, 3+4", f.leaseSpecs, f.leaseChain)
	}
	if f.explore.Steps != 40 || f.exploreSpecs != 2*time.Second || f.specTime != 7*time.Second {
		t.Errorf("exploration %+v in %s of %s", f.explore, f.exploreSpecs, f.specTime)
	}
	if got := f.perSpec[2]; got.name != "E504-timeout" || got.format != "json" || !got.Timed {
		t.Errorf("the third spec's figures are %+v: its id and format come from its labels", got)
	}
	if len(f.serialWindows) != 2 || !f.serialWindows[1][0].Equal(t0.Add(3*time.Second)) {
		t.Errorf("serial windows %v", f.serialWindows)
	}
}

func TestChainsArePrintedOverEveryFormatAndPerFormat(t *testing.T) {
	b := capture(t)
	emitChains("slow_", readBack(t, aRun()))
	want := `bench: slow_round_trips_p50 4 round trips/spec
bench: slow_round_trips_p99 50 round trips/spec
bench: slow_chain_max 50 round trips
# longest chain: S200-explore-stateful (json)
bench: slow_json_round_trips_p50 4 round trips/spec
bench: slow_json_round_trips_p99 50 round trips/spec
bench: slow_json_chain_max 50 round trips
bench: slow_xml_round_trips_p50 3 round trips/spec
bench: slow_xml_round_trips_p99 6 round trips/spec
bench: slow_xml_chain_max 9 round trips
bench: slow_preflight_chain 3 round trips
bench: slow_teardown_chain 6 round trips
bench: slow_lease_specs 2 specs
bench: slow_lease_chain 7 round trips
`
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
	if len(recorded.notes) != 1 || recorded.notes[0] != "`slow_chain_max` is the chain of S200-explore-stateful (json)" {
		t.Errorf("notes %q", recorded.notes)
	}
}

func TestARunWithNoSpecFiguresSaysNA(t *testing.T) {
	b := capture(t)
	emitChains("", reportFigures{})
	if b.String() != "bench: chain_max n/a round trips\n" {
		t.Errorf("printed %q", b.String())
	}
}

func TestTheRunsFiguresAndTheFloorArePrinted(t *testing.T) {
	b := capture(t)
	r := suiteRun{wall: 8 * time.Second, cpu: 3 * time.Second, maxRSS: 2048, report: readBack(t, aRun())}
	r.stats.Exchanges, r.stats.Validation = 200, 400*time.Millisecond
	emitRun(2, r)
	emitFloor(r, 50*time.Millisecond, time.Second)
	for _, want := range []string{
		"bench: procs 2 processes\nbench: run_wall 8.000 s\nbench: run_suite 4.000 s\nbench: specs 5 specs\nbench: cpu_time 3.000 s\nbench: peak_rss 2.0 MiB\n",
		"bench: exchanges 200 exchanges\nbench: validation_time 0.400 s\nbench: validation_share 10.0 %\nbench: validation_per_exchange 2000 µs\n",
		"bench: serial_specs 2 specs\nbench: serial_time 2.000 s\n",
		"bench: explore_steps 40 steps\nbench: explore_exchanges 50 exchanges\nbench: explore_divergences 1 divergences\nbench: explore_time 2.000 s\n",
		"bench: explore_share 28.6 % of the time in specs\nbench: explore_oracle_per_step 5000 µs\nbench: explore_oracle_share 10.0 % of exploration's time\n",
		// chain 50 x 50 ms + 1 s; with preflight 3 and teardown 6 around it, 59 x 50 ms + 1 s
		"bench: slow_floor 3.500 s\nbench: slow_wall_over_floor 2.29 x\nbench: slow_run_floor 3.950 s\nbench: slow_wall_over_run_floor 2.03 x\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
	b.Reset()
	emitRun(1, suiteRun{})
	if !strings.Contains(b.String(), "bench: exchanges n/a exchanges\nbench: validation_time n/a s\nbench: validation_share n/a %\nbench: serial_specs") {
		t.Errorf("a run with no exchanges:\n%s", b.String())
	}
}

func TestPercentileIsTheNearestRank(t *testing.T) {
	for _, tc := range []struct {
		sorted  []int
		p, want int
	}{{nil, 50, 0}, {[]int{7}, 99, 7}, {[]int{1, 2, 3, 4}, 50, 2}, {[]int{1, 2, 3, 4}, 99, 4}, {[]int{1, 2, 3, 4}, 0, 1}} {
		if got := percentile(tc.sorted, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %d) = %d, want %d", tc.sorted, tc.p, got, tc.want)
		}
	}
}

func TestTheProxysTalliesAndLogAreRead(t *testing.T) {
	stopped := "# round trips 412\n# connections 37\n# cuts 9 (before 4, after 5)\n"
	if tally(stopped, "connections") != "37" || tally(stopped, "cuts") != "9" || tally("# round trips 1\n", "cuts") != "n/a" {
		t.Errorf("tallies %q %q", tally(stopped, "connections"), tally(stopped, "cuts"))
	}
	path := filepath.Join(t.TempDir(), "requests.log")
	if err := os.WriteFile(path, []byte("1765184400000000000 GET /fx/api/v1/json/projects/p\n1765184401000000000 POST /x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	arrivals, err := readArrivals(path)
	if err != nil || len(arrivals) != 2 || arrivals[1].Sub(arrivals[0]) != time.Second {
		t.Fatalf("arrivals %v, error %v", arrivals, err)
	}
	windows := [][2]time.Time{{arrivals[1], arrivals[1].Add(time.Second)}}
	if n := inSerialWindows(arrivals, windows); n != 1 {
		t.Errorf("%d arrivals in a Serial spec's window, want 1", n)
	}
	if err := os.WriteFile(path, []byte("not-a-time GET /\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readArrivals(path); err == nil {
		t.Error("a log line without its arrival time was read")
	}
}

func TestGoBenchmarkLinesBecomeFigures(t *testing.T) {
	b := capture(t)
	emitBenchmarks("contract", `goos: linux
BenchmarkValidateExchange/create-2         	   12345	     95123 ns/op	   40960 B/op	     512 allocs/op
BenchmarkCodeTable-2   	 1000000	      1042 ns/op
PASS
ok  	github.com/callcases/conformance/contract	3.1s
`)
	want := `bench: contract.ValidateExchange/create 95123 ns/op
bench: contract.ValidateExchange/create.allocs 512 allocs/op
bench: contract.CodeTable 1042 ns/op
`
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
}
