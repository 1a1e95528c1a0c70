package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/suiterun"
)

func row(id, format, outcome, reason string) report.Row {
	return report.Row{Condition: catalogue.Get(id), Format: format, Outcome: outcome, Reason: reason}
}

func outcomes(rows ...report.Row) suiterun.Outcomes { return suiterun.Outcomes{Rows: rows} }

var both = []string{"json", "xml"}

func TestAMutantIsKilledWhenEveryConditionItTargetsFails(t *testing.T) {
	m := mutants.Mutant{Name: "update-not-applied", Kills: []string{"S200-update"}}
	r := verdict(m, both, outcomes(
		row("S200-get", "json", report.Passed, ""),
		row("S200-update", "json", report.Failed, "the case was not updated\nthe exchange"),
		row("S200-update", "xml", report.Failed, "the case was not updated"),
	), false)
	if !r.killed() || r.err != nil {
		t.Fatalf("not killed: %+v", r)
	}
	if !slices.Equal(r.failed, []string{"S200-update"}) || len(r.explored) > 0 {
		t.Errorf("failed %v, explored %v", r.failed, r.explored)
	}
	want := []string{"S200-update [json] failed: the case was not updated", "S200-update [xml] failed: the case was not updated"}
	if !slices.Equal(r.wrong, want) {
		t.Errorf("wrong %q, want %q", r.wrong, want)
	}
}

func TestAMutantSurvivesWhenATargetPasses(t *testing.T) {
	m := mutants.Mutant{Name: "two-targets", Kills: []string{"S200-update", "S200-delete"}}
	r := verdict(m, both, outcomes(row("S200-update", "json", report.Failed, "not updated")), false)
	if r.killed() || !slices.Equal(r.missed, []string{"S200-delete"}) {
		t.Errorf("killed %v, missed %v", r.killed(), r.missed)
	}
	if !slices.Equal(r.failed, []string{"S200-update(json)"}) {
		t.Errorf("failed %v: a condition failed in one format of two says which", r.failed)
	}
}

func TestAFormatsMutantMustFailInItsFormat(t *testing.T) {
	m := mutants.Mutant{Name: "xml-mutant", Format: "xml", Kills: []string{"S200-get"}}
	if r := verdict(m, both, outcomes(row("S200-get", "json", report.Failed, "x")), false); r.killed() {
		t.Error("killed by a failure in json only")
	}
	if r := verdict(m, both, outcomes(row("S200-get", "xml", report.Failed, "x")), false); !r.killed() {
		t.Errorf("not killed by its own format's failure: %+v", r)
	}
}

func TestARunErrorKillsNothing(t *testing.T) {
	m := mutants.Mutant{Name: "hang", Kills: []string{"S200-get"}}
	r := verdict(m, both, outcomes(row("S200-get", "json", report.Error, "not sent: the target did not answer")), false)
	if r.killed() || len(r.failed) > 0 || !slices.Equal(r.missed, []string{"S200-get"}) {
		t.Errorf("killed %v, failed %v, missed %v", r.killed(), r.failed, r.missed)
	}
	if !slices.Equal(r.wrong, []string{"S200-get [json] error: not sent: the target did not answer"}) {
		t.Errorf("wrong %q: a run error is still a spec that failed", r.wrong)
	}
}

func TestARunThatFailedOutsideTheSpecsOrExitedZeroIsAnError(t *testing.T) {
	m := mutants.Mutant{Name: "m", Kills: []string{"S200-get"}}
	o := outcomes(row("S200-get", "json", report.Failed, "x"))
	o.SuiteFailure = "preflight: CONFORMANCE_PROJECT: the target has no project"
	if r := verdict(m, both, o, false); r.err == nil || r.err.Error() != "the run itself failed (preflight: CONFORMANCE_PROJECT: the target has no project)" {
		t.Errorf("error %v", r.err)
	}
	if r := verdict(m, both, outcomes(row("S200-get", "json", report.Failed, "x")), true); r.err == nil || r.killed() {
		t.Errorf("a suite that exited 0 with failed specs: error %v", r.err)
	}
}

func TestAnExplorationMutantIsKilledByEitherExplorationRowAndByNoOtherCondition(t *testing.T) {
	m := mutants.Mutant{Name: "explore-only", Kills: []string{"S200-explore-stateful"}}
	r := verdict(m, both, outcomes(row("E400-explore-bad-input", "json", report.Failed, "diverged"), row("E400-explore-bad-input", "xml", report.Failed, "diverged")), false)
	if !r.killed() || !slices.Equal(r.explored, []string{"E400-explore-bad-input"}) {
		t.Errorf("killed %v, explored %v, missed %v", r.killed(), r.explored, r.missed)
	}
	r = verdict(m, both, outcomes(row("S200-explore-stateful", "json", report.Failed, "diverged"), row("S200-get", "json", report.Failed, "x")), false)
	if r.killed() {
		t.Errorf("killed though a hand-written condition failed too: %+v", r)
	}
}

func TestAReasonNoOneCanActOnIsListed(t *testing.T) {
	r := verdict(mutants.Mutant{Name: "m", Kills: []string{"S200-get"}}, both,
		outcomes(row("S200-get", "json", report.Failed, "Expected\n    <int>: 500\nto equal\n    <int>: 200")), false)
	if len(r.unactionable) != 1 || !strings.HasSuffix(r.unactionable[0], ": S200-get [json] failed: Expected") {
		t.Errorf("unactionable %q", r.unactionable)
	}
}

func TestAMutantRunsTheSpecsThatCanKillIt(t *testing.T) {
	for _, c := range []struct {
		m         mutants.Mutant
		everySpec bool
		filter    string
	}{
		{mutants.Mutant{Name: "two", Kills: []string{"S200-update", "S200-delete"}}, false, "S200-update || S200-delete"},
		// Both formats: a spec of one may need the other.
		{mutants.Mutant{Name: "xml", Kills: []string{"S200-cross-format"}, Format: "xml"}, false, "S200-cross-format"},
		// Every spec: no hand-written condition may fail against it.
		{mutants.Mutant{Name: "explore", Kills: []string{"S200-explore-stateful"}}, false, ""},
		{mutants.Mutant{Name: "mixed", Kills: []string{"S200-explore-stateful", "S200-get"}}, false, "S200-explore-stateful || S200-get"},
		{mutants.Mutant{Name: "all", Kills: []string{"S200-get"}}, true, ""},
	} {
		if got := filterFor(c.m, c.everySpec); got != c.filter {
			t.Errorf("%s (every spec %v): filter %q, want %q", c.m.Name, c.everySpec, got, c.filter)
		}
	}
}

func TestMutantsOfAnotherFormatAreNotRun(t *testing.T) {
	all := []mutants.Mutant{{Name: "a"}, {Name: "b", Format: "xml"}, {Name: "c", Format: "json"}}
	run, notRun := selected(all, "", []string{"json"})
	if names(run) != "a,c" || names(notRun) != "b" {
		t.Errorf("run %s, not run %s", names(run), names(notRun))
	}
	run, notRun = selected(all, "b,c", both)
	if names(run) != "b,c" || len(notRun) != 0 {
		t.Errorf("-only b,c: run %s, not run %s", names(run), names(notRun))
	}
}

func names(ms []mutants.Mutant) string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return strings.Join(out, ",")
}

func TestTheMatrixShowsEachVerdictAndTheScore(t *testing.T) {
	killed := mutants.Mutant{Name: "update-not-applied", Kills: []string{"S200-update"}}
	survived := mutants.Mutant{Name: "delete-not-applied", Kills: []string{"S200-delete"}}
	m := matrix{
		results: []result{
			{mutant: killed, failed: []string{"S200-update"}},
			{mutant: survived, missed: []string{"S200-delete"}, failed: []string{"S200-get(xml)"}},
			{mutant: mutants.Mutant{Name: "hang", Kills: []string{"S200-get"}}, err: errors.New("the run did not end")},
		},
		notRun:         []mutants.Mutant{{Name: "xml-only", Kills: []string{"S200-get"}, Format: "xml"}},
		variants:       []string{"liberal", "long-uuids"},
		variantResults: []result{{}, {wrong: []string{"S200-get [json] failed: too long"}}},
		formats:        []string{"json"}, parallel: 4, seed: 1, took: 1500 * time.Millisecond,
	}
	var b strings.Builder
	err := m.print(&b)
	want := `variant liberal: every spec passed
variant long-uuids: 1 FALSE FAILURE(S), of specs or of verify:
  S200-get [json] failed: too long
MUTANT              TARGETS      VERDICT                                        EXPLORATION  FAILED SPECS
update-not-applied  S200-update  killed                                         -            S200-update
delete-not-applied  S200-delete  SURVIVED (not failed: S200-delete)             -            S200-get(xml)
hang                S200-get     ERROR: the run did not end                     -            -
xml-only            S200-get     NOT RUN (a xml mutant; the runs certify json)               
matrix took 1.5s with 4 runs at once; each mutant against the specs of the conditions it targets (exploration's against every spec); exploration seed 1
mutation score: 1/3
not run: 1 mutant(s) of a format outside json
variants passed: 1/2
unactionable reasons: 0
`
	if b.String() != want {
		t.Errorf("the matrix is\n%s\nwant\n%s", b.String(), want)
	}
	if err == nil || err.Error() != "2 mutant(s) survived" {
		t.Errorf("error %v", err)
	}
}

func TestAMatrixFailsOnAFalseFailureOrAnUnactionableReason(t *testing.T) {
	ok := result{mutant: mutants.Mutant{Name: "m", Kills: []string{"S200-get"}}, failed: []string{"S200-get"}}
	var b strings.Builder
	if err := (matrix{results: []result{ok}}).print(&b); err != nil || !strings.Contains(b.String(), "mutation score: 1/1\n") {
		t.Errorf("error %v:\n%s", err, b.String())
	}
	err := matrix{results: []result{ok}, variants: []string{"liberal"}, variantResults: []result{{err: errors.New("x")}}}.print(&b)
	if err == nil || err.Error() != "the suite fails 1 variant(s) of the reference that keep the contract" {
		t.Errorf("error %v", err)
	}
	err = matrix{reference: result{unactionable: []string{"a bare matcher line: S200-get"}}, results: []result{ok}}.print(&b)
	if err == nil || !strings.HasPrefix(err.Error(), "1 failure reason(s)") || !strings.Contains(b.String(), "UNACTIONABLE REASON: the reference or a variant: a bare matcher line: S200-get\n") {
		t.Errorf("error %v:\n%s", err, b.String())
	}
}
