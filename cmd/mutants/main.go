// Command mutants runs the compiled conformance suite against the reference
// server and against every mutant, and prints the kill matrix: a mutant is
// killed when the suite fails and its failed specs include every condition
// the mutant targets (in the mutant's format, when it names one), each
// failed as a verdict on the API (a spec's run error kills nothing). It
// exits non-zero unless the reference passes and every mutant is killed.
//
// It also runs the suite against the reference's liberal variant and each
// of its liberties alone (-variants): a conforming server that takes a
// liberty the design allows, and every spec must pass against each. A spec
// that fails or errs there is a false failure of the suite.
//
// The runs certify the formats of -formats, both by default. A mutant of a
// format outside them (the XML mutants under -formats json) cannot be killed
// by those runs: it is listed as not run and left out of the score.
//
// A mutant's run holds the specs that can kill it (-specs targeted, the
// default, as mutation tools run the tests that cover a mutant): those of
// the conditions it targets, in both formats. Every condition is some
// mutant's target, so every condition still fails in some run and has its
// reason read.
// A mutant only exploration targets is run against every spec, since no
// hand-written condition may fail against it; the reference and each
// variant are too, since every spec must pass them. -specs all runs every
// mutant against every spec, for the full FAILED SPECS column.
//
//	go test -c -o bin/conformance.test ./suites/conformance
//	go run ./cmd/mutants -suite bin/conformance.test
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/callcases/conformance/bundle"
	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/suiterun"
)

func main() {
	suite := flag.String("suite", "bin/conformance.test", "the compiled suite (go test -c ./suites/conformance)")
	parallel := flag.Int("parallel", max(2, runtime.NumCPU()), "suite runs at once")
	only := flag.String("only", "", "comma-separated mutant names to run (default all)")
	timeout := flag.Duration("timeout", 2*time.Second, "CONFORMANCE_TIMEOUT for each run (bounds the hang mutants)")
	formats := flag.String("formats", defaultFormats, "CONFORMANCE_FORMATS for each run; mutants of another format are not run")
	variants := flag.String("variants", "all", `comma-separated variants of the reference the suite must pass ("all": the liberal one and each liberty alone; "": none)`)
	seed := flag.Uint64("explore-seed", 1, "CONFORMANCE_EXPLORE_SEED for each run, so that the matrix is the same on every machine")
	specs := flag.String("specs", "targeted", `the specs of a mutant's run: "targeted" (those of the conditions it targets; every spec for a mutant only exploration targets) or "all"`)
	flag.Parse()
	exploreSeed = *seed
	if *specs != "targeted" && *specs != "all" {
		fmt.Fprintf(os.Stderr, "mutants: -specs %q: want targeted or all\n", *specs)
		os.Exit(2)
	}
	everySpec = *specs == "all"
	if err := run(*suite, *parallel, *only, *timeout, strings.Split(*formats, ","), variantList(*variants)); err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(1)
	}
}

// defaultFormats are the formats the runs certify: both, so that every
// mutant, the XML ones included, must be killed.
const defaultFormats = "json,xml"

// exploreSeed is every run's CONFORMANCE_EXPLORE_SEED.
var exploreSeed uint64 = 1

// everySpec runs every mutant against every spec (-specs all).
var everySpec bool

// runBound bounds one run of the suite against one mutant or variant.
const runBound = 5 * time.Minute

// variantList is the variants -variants names.
func variantList(flagValue string) []string {
	switch flagValue {
	case "":
		return nil
	case "all":
		return mutants.Variants()
	}
	return strings.Split(flagValue, ",")
}

// selected are the mutants -only names (all when it is empty), and those of
// them whose format is outside formats, which no run can kill.
func selected(all []mutants.Mutant, only string, formats []string) (run, notRun []mutants.Mutant) {
	list := slices.Clone(all)
	if only != "" {
		names := strings.Split(only, ",")
		list = slices.DeleteFunc(list, func(m mutants.Mutant) bool { return !slices.Contains(names, m.Name) })
	}
	for _, m := range list {
		if m.Format != "" && !slices.Contains(formats, m.Format) {
			notRun = append(notRun, m)
		} else {
			run = append(run, m)
		}
	}
	return run, notRun
}

func run(suite string, parallel int, only string, timeout time.Duration, formats []string, variants []string) error {
	suite, err := filepath.Abs(suite)
	if err != nil {
		return err
	}
	if _, err := os.Stat(suite); err != nil {
		return fmt.Errorf("the compiled suite: %w (build it with go test -c -o %s ./suites/conformance)", err, suite)
	}
	list, notRun := selected(mutants.All(), only, formats)
	start := time.Now()

	// The reference first: a suite that fails a conforming server proves nothing either.
	refStart := time.Now()
	ref := runOne(suite, mutants.Mutant{Name: ""}, "", timeout, formats, "")
	if ref.err != nil {
		return fmt.Errorf("the suite against the reference: %w", ref.err)
	}
	if len(ref.failed)+len(ref.explored) > 0 {
		return fmt.Errorf("the suite fails the conforming reference in %v", append(ref.failed, ref.explored...))
	}
	fmt.Printf("reference: every spec passed (%s)\n", time.Since(refStart).Round(time.Millisecond))

	m := matrix{reference: ref, results: make([]result, len(list)), notRun: notRun, variants: variants,
		variantResults: make([]result, len(variants)), formats: formats, parallel: parallel, seed: exploreSeed, everySpec: everySpec}
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for i, v := range variants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			m.variantResults[i] = runOne(suite, mutants.Mutant{}, v, timeout, formats, "")
		}()
	}
	for i, mu := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			m.results[i] = runOne(suite, mu, "", timeout, formats, filterFor(mu, everySpec))
		}()
	}
	wg.Wait()
	m.took = time.Since(start)
	return m.print(os.Stdout)
}

// runOne serves the reference (with the mutant around it, or as the
// variant, if named) on loopback and runs the compiled suite's specs of
// filter (every spec when it is empty) against it as a live target.
func runOne(suite string, m mutants.Mutant, variant string, timeout time.Duration, formats []string, filter string) result {
	opts := reference.Options{FaultTimer: 100 * time.Millisecond}
	srv := reference.New(opts)
	var handler http.Handler = srv
	var err error
	switch {
	case m.Name != "":
		handler, err = mutants.Wrap(m.Name, srv, opts)
	case variant != "":
		handler, err = mutants.WrapVariant(variant, srv)
	}
	if err != nil {
		return result{mutant: m, err: err}
	}
	ts := httptest.NewServer(handler)
	defer ts.Close()

	dir, err := os.MkdirTemp("", "mutant-*")
	if err != nil {
		return result{mutant: m, err: err}
	}
	defer os.RemoveAll(dir)
	// The suite writes Ginkgo's report among its own (report.json): a
	// second one from -ginkgo.json-report would cost the run its CPU again.
	cmd := exec.Command(suite, "-ginkgo.no-color")
	if filter != "" {
		cmd.Args = append(cmd.Args, "-ginkgo.label-filter="+filter)
	}
	cmd.Dir = filepath.Dir(suite)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = suiterun.Env(append(suiterun.Pairs(srv.Settings(ts.URL)),
		"CONFORMANCE_REPORTS="+dir, fmt.Sprintf("CONFORMANCE_EXPLORE_SEED=%d", exploreSeed),
		// The request budget, not the clock of a loaded machine, bounds
		// exploration here; the matrix needs a row's verdict, not the
		// smallest sequence that shows it, so nothing is shrunk.
		"CONFORMANCE_EXPLORE_TIME=30s", "CONFORMANCE_EXPLORE_SHRINK=0", "CONFORMANCE_TIMEOUT="+timeout.String(), "CONFORMANCE_FORMATS="+strings.Join(formats, ","))...)
	p, runErr := suiterun.Run(cmd, runBound)
	if p == nil {
		return result{mutant: m, err: runErr}
	}
	if p.TimedOut {
		return result{mutant: m, err: fmt.Errorf("the run did not end within %s and was stopped (a hang, or a machine too loaded for the matrix); suite output:\n%s", runBound, tail(out.String()))}
	}
	rep, err := suiterun.ReadReport(filepath.Join(dir, "report.json"))
	if err != nil {
		return result{mutant: m, err: fmt.Errorf("%v; suite output:\n%s", err, tail(out.String()))}
	}
	o := suiterun.OutcomesOf(rep)
	r := verdict(m, formats, o, runErr == nil)
	if m.Name == "" && r.err == nil && len(o.Leftovers) > 0 {
		// A mutant may leave cases on its own server (its delete is what
		// it breaks); the reference and a variant, which conform, must not.
		r.err = fmt.Errorf("the run left things on a conforming target: %s", strings.Join(o.Leftovers, "; "))
	}
	if variant != "" && r.err == nil {
		// A variant's bundle must verify as well: verify is the reviewer's
		// check, and it must not reject a conforming server either.
		r.wrong = append(r.wrong, verifyBundle(dir, formats)...)
	}
	return r
}

// verifyBundle is what callcases-conformance verify finds wrong with a
// run's reports, each problem a line; the bundle is held to this tree's
// contract and table, and to the suite version it names itself (the
// compiled suite and this command are built from the same tree).
func verifyBundle(dir string, formats []string) []string {
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	var res report.Result
	if err == nil {
		err = json.Unmarshal(b, &res)
	}
	if err != nil {
		return []string{"verify: result.json: " + err.Error()}
	}
	var out []string
	for _, p := range bundle.Verify(dir, bundle.VerifyOptions{Formats: formats, Suite: res.Suite}).Problems {
		out = append(out, "verify: "+p)
	}
	return out
}

func tail(s string) string {
	if len(s) > 3000 {
		s = s[len(s)-3000:]
	}
	return s
}
