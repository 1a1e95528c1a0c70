package main

// The kill verdict of one run and the matrix of all of them, from what the
// runs' reports say: no process, no file, so that a test can hold them.

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/suiterun"
)

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

// killed: every targeted condition failed; a mutant that only exploration
// targets must be a bug no hand-written condition catches, so one that
// fails is a miss too (it belongs to that condition's mutants instead).
func (r result) killed() bool {
	return r.err == nil && len(r.failed)+len(r.explored) > 0 && len(r.missed) == 0 && !(explorationOnly(r.mutant) && len(r.failed) > 0)
}

// isExploration tells the catalogue rows of exploration (area explore).
func isExploration(id string) bool { return catalogue.Get(id).Area == "explore" }

// filterFor is the Ginkgo label filter of m's run, the specs that can kill
// it: those of the conditions it targets (each id is a label of its
// specs), in every format of the run, which stays the one the reference
// passed (a spec of one format may need the other, as the cross-format
// reads do, and the preflight reads in each). It is empty, every spec, for
// a mutant only exploration targets (that no hand-written condition fails
// is part of its verdict) and under everySpec.
func filterFor(m mutants.Mutant, everySpec bool) string {
	if everySpec || len(m.Kills) == 0 || explorationOnly(m) {
		return ""
	}
	return strings.Join(m.Kills, " || ")
}

func explorationOnly(m mutants.Mutant) bool {
	return len(m.Kills) > 0 && !slices.ContainsFunc(m.Kills, func(id string) bool { return !isExploration(id) })
}

// failures are what a run's outcomes say against the mutant: the condition
// ids of failed specs, each with the formats it failed in; every spec that
// failed in any way, with its reason's first line; and those whose reason
// is not one a person can act on (report.Unactionable).
func failures(o suiterun.Outcomes) (failed map[string][]string, wrong, unactionable []string) {
	failed = map[string][]string{}
	for _, row := range o.Rows {
		if !suiterun.NotPassed(row) {
			continue
		}
		reason, _, _ := strings.Cut(row.Reason, "\n")
		line := fmt.Sprintf("%s [%s] %s: %s", row.Condition.ID, row.Format, row.Outcome, reason)
		wrong = append(wrong, line)
		if shape := report.Unactionable(row.Reason); shape != "" {
			unactionable = append(unactionable, shape+": "+line)
		}
		// A kill is a verdict on the API: a spec that failed because of
		// the run itself (a run error) kills nothing.
		if row.Outcome == report.Failed && known(row.Condition.ID) && !slices.Contains(failed[row.Condition.ID], row.Format) {
			failed[row.Condition.ID] = append(failed[row.Condition.ID], row.Format)
		}
	}
	sort.Strings(wrong)
	sort.Strings(unactionable)
	return failed, wrong, slices.Compact(unactionable)
}

func known(id string) bool {
	return slices.ContainsFunc(catalogue.All(), func(c catalogue.Condition) bool { return c.ID == id })
}

// verdict is the result of one run against m (or a variant, m being the
// zero Mutant) from its outcomes; exitedZero says the suite exited 0.
func verdict(m mutants.Mutant, formats []string, o suiterun.Outcomes, exitedZero bool) result {
	r := result{mutant: m}
	failed, wrong, unactionable := failures(o)
	if o.SuiteFailure != "" {
		r.err = fmt.Errorf("the run itself failed (%s)", o.SuiteFailure)
		return r
	}
	if exitedZero && len(wrong) > 0 {
		r.err = fmt.Errorf("specs failed but the suite exited 0")
		return r
	}
	r.wrong, r.unactionable = wrong, unactionable
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

// matrix is every run of make mutants but the reference's first one.
type matrix struct {
	reference      result
	results        []result // one per mutant run
	notRun         []mutants.Mutant
	variants       []string
	variantResults []result // one per variant
	formats        []string
	parallel       int
	seed           uint64
	everySpec      bool // every mutant ran against every spec (-specs all)
	took           time.Duration
}

// print writes the variants' lines, the kill matrix and its score, and
// returns why the matrix fails, if it does.
func (m matrix) print(w io.Writer) error {
	falseFailures := 0
	for i, r := range m.variantResults {
		switch {
		case r.err != nil:
			falseFailures++
			fmt.Fprintf(w, "variant %s: ERROR: %v\n", m.variants[i], r.err)
		case len(r.wrong) > 0:
			falseFailures++
			fmt.Fprintf(w, "variant %s: %d FALSE FAILURE(S), of specs or of verify:\n", m.variants[i], len(r.wrong))
			for _, x := range r.wrong {
				fmt.Fprintf(w, "  %s\n", x)
			}
		default:
			fmt.Fprintf(w, "variant %s: every spec passed\n", m.variants[i])
		}
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MUTANT\tTARGETS\tVERDICT\tEXPLORATION\tFAILED SPECS")
	killed := 0
	for _, r := range m.results {
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
	for _, mu := range m.notRun {
		fmt.Fprintf(tw, "%s\t%s\tNOT RUN (a %s mutant; the runs certify %s)\t\t\n", mu.Name, strings.Join(mu.Kills, ","), mu.Format, strings.Join(m.formats, ","))
	}
	_ = tw.Flush()
	specs := "each mutant against the specs of the conditions it targets (exploration's against every spec)"
	if m.everySpec {
		specs = "each mutant against every spec"
	}
	fmt.Fprintf(w, "matrix took %s with %d runs at once; %s; exploration seed %d\n", m.took.Round(time.Millisecond), m.parallel, specs, m.seed)
	fmt.Fprintf(w, "mutation score: %d/%d\n", killed, len(m.results))
	if len(m.notRun) > 0 {
		fmt.Fprintf(w, "not run: %d mutant(s) of a format outside %s\n", len(m.notRun), strings.Join(m.formats, ","))
	}
	if len(m.variants) > 0 {
		fmt.Fprintf(w, "variants passed: %d/%d\n", len(m.variants)-falseFailures, len(m.variants))
	}
	// Every reason of every run's failures must be one a person can act on.
	var unactionable []string
	for _, r := range slices.Concat([]result{m.reference}, m.results, m.variantResults) {
		for _, u := range r.unactionable {
			unactionable = append(unactionable, fmt.Sprintf("%s: %s", cmp.Or(r.mutant.Name, "the reference or a variant"), u))
		}
	}
	for _, u := range unactionable {
		fmt.Fprintf(w, "UNACTIONABLE REASON: %s\n", u)
	}
	fmt.Fprintf(w, "unactionable reasons: %d\n", len(unactionable))
	switch {
	case len(unactionable) > 0:
		return fmt.Errorf("%d failure reason(s) are a matcher's bare line, a Go value dump or a struct print, not what was wrong with the API", len(unactionable))
	case killed != len(m.results):
		return fmt.Errorf("%d mutant(s) survived", len(m.results)-killed)
	case falseFailures > 0:
		return fmt.Errorf("the suite fails %d variant(s) of the reference that keep the contract", falseFailures)
	}
	return nil
}

func orDash(ids []string) string {
	if len(ids) == 0 {
		return "-"
	}
	return strings.Join(ids, ",")
}
