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
//	go test -c -o bin/conformance.test ./suites/conformance
//	go run ./cmd/mutants -suite bin/conformance.test
package main

import (
	"cmp"
	"context"
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
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/callcases/conformance/bundle"
	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
)

func main() {
	suite := flag.String("suite", "bin/conformance.test", "the compiled suite (go test -c ./suites/conformance)")
	parallel := flag.Int("parallel", max(2, runtime.NumCPU()), "suite runs at once")
	only := flag.String("only", "", "comma-separated mutant names to run (default all)")
	timeout := flag.Duration("timeout", 2*time.Second, "CONFORMANCE_TIMEOUT for each run (bounds the hang mutants)")
	formats := flag.String("formats", defaultFormats, "CONFORMANCE_FORMATS for each run; mutants of another format are not run")
	variants := flag.String("variants", "all", `comma-separated variants of the reference the suite must pass ("all": the liberal one and each liberty alone; "": none)`)
	seed := flag.Uint64("explore-seed", 1, "CONFORMANCE_EXPLORE_SEED for each run, so that the matrix is the same on every machine")
	flag.Parse()
	exploreSeed = *seed
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

type result struct {
	mutant   mutants.Mutant
	failed   []string // hand-written conditions whose specs failed
	explored []string // exploration rows that failed
	missed   []string // targeted conditions that did not fail
	err      error
	// wrong are the specs that failed in any way (a run error included),
	// each with the first line of its reason.
	wrong []string
	// unactionable are the failed specs whose reason a person cannot act
	// on (a bare matcher line, a Go value dump), with the shape found.
	unactionable []string
}

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

// killed: every targeted condition failed; a mutant that only exploration
// targets must be a bug no hand-written condition catches, so one that
// fails is a miss too (it belongs to that condition's mutants instead).
func (r result) killed() bool {
	return r.err == nil && len(r.failed)+len(r.explored) > 0 && len(r.missed) == 0 && !(explorationOnly(r.mutant) && len(r.failed) > 0)
}

// isExploration tells the catalogue rows of exploration (area explore).
// runBound bounds one run of the suite against one mutant or variant.
const runBound = 5 * time.Minute

func isExploration(id string) bool { return catalogue.Get(id).Area == "explore" }

func explorationOnly(m mutants.Mutant) bool {
	return len(m.Kills) > 0 && !slices.ContainsFunc(m.Kills, func(id string) bool { return !isExploration(id) })
}

func run(suite string, parallel int, only string, timeout time.Duration, formats []string, variants []string) error {
	suite, err := filepath.Abs(suite)
	if err != nil {
		return err
	}
	if _, err := os.Stat(suite); err != nil {
		return fmt.Errorf("the compiled suite: %w (build it with go test -c -o %s ./suites/conformance)", err, suite)
	}
	if err := checkTargets(); err != nil {
		return err
	}
	list := mutants.All()
	if only != "" {
		names := strings.Split(only, ",")
		list = slices.DeleteFunc(slices.Clone(list), func(m mutants.Mutant) bool { return !slices.Contains(names, m.Name) })
	}
	var notRun []mutants.Mutant
	list = slices.DeleteFunc(list, func(m mutants.Mutant) bool {
		if m.Format != "" && !slices.Contains(formats, m.Format) {
			notRun = append(notRun, m)
			return true
		}
		return false
	})
	start := time.Now()

	// The reference first: a suite that fails a conforming server proves nothing either.
	refStart := time.Now()
	ref := runOne(suite, mutants.Mutant{Name: ""}, "", timeout, formats)
	if ref.err != nil {
		return fmt.Errorf("the suite against the reference: %w", ref.err)
	}
	if len(ref.failed)+len(ref.explored) > 0 {
		return fmt.Errorf("the suite fails the conforming reference in %v", append(ref.failed, ref.explored...))
	}
	fmt.Printf("reference: every spec passed (%s)\n", time.Since(refStart).Round(time.Millisecond))

	results := make([]result, len(list))
	variantResults := make([]result, len(variants))
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for i, v := range variants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			variantResults[i] = runOne(suite, mutants.Mutant{}, v, timeout, formats)
		}()
	}
	for i, m := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = runOne(suite, m, "", timeout, formats)
		}()
	}
	wg.Wait()

	falseFailures := 0
	for i, r := range variantResults {
		switch {
		case r.err != nil:
			falseFailures++
			fmt.Printf("variant %s: ERROR: %v\n", variants[i], r.err)
		case len(r.wrong) > 0:
			falseFailures++
			fmt.Printf("variant %s: %d FALSE FAILURE(S), of specs or of verify:\n", variants[i], len(r.wrong))
			for _, w := range r.wrong {
				fmt.Printf("  %s\n", w)
			}
		default:
			fmt.Printf("variant %s: every spec passed\n", variants[i])
		}
	}

	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MUTANT\tTARGETS\tVERDICT\tEXPLORATION\tFAILED SPECS")
	killed := 0
	for _, r := range results {
		verdict := "killed"
		switch {
		case r.err != nil:
			verdict = "ERROR: " + r.err.Error()
		case len(r.missed) > 0:
			verdict = "SURVIVED (not failed: " + strings.Join(r.missed, ", ") + ")"
		case !r.killed():
			verdict = "NOT FOR EXPLORATION (hand-written conditions fail too)"
		default:
			killed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.mutant.Name, strings.Join(r.mutant.Kills, ","), verdict, orDash(r.explored), orDash(r.failed))
	}
	for _, m := range notRun {
		fmt.Fprintf(tw, "%s\t%s\tNOT RUN (a %s mutant; the runs certify %s)\t\t\n", m.Name, strings.Join(m.Kills, ","), m.Format, strings.Join(formats, ","))
	}
	_ = tw.Flush()
	fmt.Printf("matrix took %s with %d runs at once; exploration seed %d\n", time.Since(start).Round(time.Millisecond), parallel, exploreSeed)
	fmt.Printf("mutation score: %d/%d\n", killed, len(results))
	if len(notRun) > 0 {
		fmt.Printf("not run: %d mutant(s) of a format outside %s\n", len(notRun), strings.Join(formats, ","))
	}
	if len(variants) > 0 {
		fmt.Printf("variants passed: %d/%d\n", len(variants)-falseFailures, len(variants))
	}
	// Every reason of every run's failures must be one a person can act on.
	var unactionable []string
	for _, r := range slices.Concat([]result{ref}, results, variantResults) {
		for _, u := range r.unactionable {
			unactionable = append(unactionable, fmt.Sprintf("%s: %s", cmp.Or(r.mutant.Name, "the reference or a variant"), u))
		}
	}
	for _, u := range unactionable {
		fmt.Printf("UNACTIONABLE REASON: %s\n", u)
	}
	fmt.Printf("unactionable reasons: %d\n", len(unactionable))
	switch {
	case len(unactionable) > 0:
		return fmt.Errorf("%d failure reason(s) are a matcher's bare line, a Go value dump or a struct print, not what was wrong with the API", len(unactionable))
	case killed != len(results):
		return fmt.Errorf("%d mutant(s) survived", len(results)-killed)
	case falseFailures > 0:
		return fmt.Errorf("the suite fails %d variant(s) of the reference that keep the contract", falseFailures)
	}
	return nil
}

// checkTargets makes sure every mutant names real conditions and every
// condition is targeted by at least one mutant.
func checkTargets() error {
	targeted := map[string]bool{}
	known := map[string]bool{}
	for _, c := range catalogue.All() {
		known[c.ID] = true
	}
	for _, m := range mutants.All() {
		for _, id := range m.Kills {
			if !known[id] {
				return fmt.Errorf("mutant %s targets %q, which is no condition of the catalogue", m.Name, id)
			}
			targeted[id] = true
		}
	}
	var untargeted []string
	for _, c := range catalogue.All() {
		if !targeted[c.ID] {
			untargeted = append(untargeted, c.ID)
		}
	}
	if len(untargeted) > 0 {
		return fmt.Errorf("no mutant targets %v", untargeted)
	}
	return nil
}

// runOne serves the reference (with the mutant around it, or as the
// variant, if named) on loopback and runs the compiled suite against it as
// a live target.
func runOne(suite string, m mutants.Mutant, variant string, timeout time.Duration, formats []string) result {
	r := result{mutant: m}
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
		r.err = err
		return r
	}
	ts := httptest.NewServer(handler)
	defer ts.Close()

	dir, err := os.MkdirTemp("", "mutant-*")
	if err != nil {
		r.err = err
		return r
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), runBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, suite, "-ginkgo.json-report="+filepath.Join(dir, "ginkgo.json"), "-ginkgo.no-color")
	cmd.Dir = filepath.Dir(suite)
	cmd.Env = append(cleanEnv(), "CONFORMANCE_REPORTS="+dir, fmt.Sprintf("CONFORMANCE_EXPLORE_SEED=%d", exploreSeed),
		// The request budget, not the clock of a loaded machine, bounds exploration here.
		"CONFORMANCE_EXPLORE_TIME=30s", "CONFORMANCE_TIMEOUT="+timeout.String(), "CONFORMANCE_FORMATS="+strings.Join(formats, ","))
	for k, v := range srv.Settings(ts.URL) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, runErr := cmd.CombinedOutput()
	if ctx.Err() != nil {
		r.err = fmt.Errorf("the run did not end within %s and was stopped (a hang, or a machine too loaded for the matrix); suite output:\n%s", runBound, tail(out))
		return r
	}
	failed, wrong, unactionable, suiteErr, err := failures(filepath.Join(dir, "ginkgo.json"))
	if err != nil {
		r.err = fmt.Errorf("%v; suite output:\n%s", err, tail(out))
		return r
	}
	if suiteErr != "" {
		r.err = fmt.Errorf("the run itself failed (%s)", suiteErr)
		return r
	}
	if runErr == nil && len(wrong) > 0 {
		r.err = fmt.Errorf("specs failed but the suite exited 0")
		return r
	}
	r.wrong, r.unactionable = wrong, unactionable
	if variant != "" {
		// A variant's bundle must verify as well: verify is the reviewer's
		// check, and it must not reject a conforming server either.
		r.wrong = append(r.wrong, verifyBundle(dir, formats)...)
	}
	for id, in := range failed {
		if len(formats) > 1 && len(in) < len(formats) { // failed in some formats only: say which
			sort.Strings(in)
			id += "(" + strings.Join(in, ",") + ")"
		}
		if isExploration(strings.SplitN(id, "(", 2)[0]) {
			r.explored = append(r.explored, id)
		} else {
			r.failed = append(r.failed, id)
		}
	}
	sort.Strings(r.failed)
	sort.Strings(r.explored)
	for _, id := range m.Kills {
		in := failed[id]
		if len(in) == 0 || m.Format != "" && !slices.Contains(in, m.Format) {
			r.missed = append(r.missed, id)
		}
	}
	// Exploration's rows are one oracle over two kinds of work: a bug one
	// of them finds is found, whichever row its mutant names.
	if explorationOnly(m) && len(r.explored) > 0 {
		r.missed = nil
	}
	return r
}

// failures reads Ginkgo's JSON report: the condition ids of failed specs,
// each with the formats it failed in; every spec that failed in any way,
// with its reason's first line; those whose reason is not one a person can
// act on (report.Unactionable); and the first failure outside any spec (a
// preflight, say).
func failures(path string) (map[string][]string, []string, []string, string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, "", fmt.Errorf("no report: %w", err)
	}
	var reports []types.Report
	if err := json.Unmarshal(b, &reports); err != nil {
		return nil, nil, nil, "", fmt.Errorf("report: %w", err)
	}
	var wrong, unactionable []string
	known := map[string]bool{}
	for _, c := range catalogue.All() {
		known[c.ID] = true
	}
	set := map[string][]string{}
	suiteErr := ""
	for _, rep := range reports {
		for _, sr := range rep.SpecReports {
			if !sr.State.Is(types.SpecStateFailureStates) {
				continue
			}
			if sr.LeafNodeType != types.NodeTypeIt {
				if suiteErr == "" {
					suiteErr = strings.SplitN(sr.Failure.Message, "\n", 2)[0]
				}
				continue
			}
			row := report.RowOf(sr)
			line := fmt.Sprintf("%s [%s] %s: %s", row.Condition.ID, row.Format, row.Outcome, strings.SplitN(row.Reason, "\n", 2)[0])
			wrong = append(wrong, line)
			if shape := report.Unactionable(row.Reason); shape != "" {
				unactionable = append(unactionable, shape+": "+line)
			}
			// A kill is a verdict on the API: a spec that failed because of
			// the run itself (a run error) kills nothing.
			if row.Outcome == report.Failed && known[row.Condition.ID] && !slices.Contains(set[row.Condition.ID], row.Format) {
				set[row.Condition.ID] = append(set[row.Condition.ID], row.Format)
			}
		}
	}
	sort.Strings(wrong)
	sort.Strings(unactionable)
	return set, wrong, slices.Compact(unactionable), suiteErr, nil
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

// cleanEnv drops any CONFORMANCE_ setting of the caller's: each run names its own target.
func cleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CONFORMANCE_") })
}

func orDash(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, ",")
}

func tail(b []byte) string {
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}
