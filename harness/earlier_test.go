package harness

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMarkOf(t *testing.T) {
	for _, c := range []struct {
		uuid, id, title, run string
	}{
		{"ccabcd123401000001", "", "Иванов", "abcd1234"},
		{"ocpcasfs000080000lfn7ooqftmuaoa4", "conformance x1y2z3w4-01-000002", "", "x1y2z3w4"},
		{"ocpcasfs000080000lfn7ooqftmuaoa4", "", "conformance run 0000zzzz: case", "0000zzzz"},
		{"ccabcd123401000001x", "crm-1", "conformance run abc: short id", ""}, // neither mark is whole
		{"ccABCD123401000001", "conformance abcd1234", "Conformance run abcd1234: x", ""},
	} {
		run, ok := MarkOf(c.uuid, c.id, c.title)
		if run != c.run || ok != (c.run != "") {
			t.Errorf("MarkOf(%q, %q, %q) = %q, %v; want %q", c.uuid, c.id, c.title, run, ok, c.run)
		}
	}
}

// seedEarlier leaves what two earlier runs and a person would have: marked
// cases of runs oldrun01 and oldrun02, and unmarked ones.
func seedEarlier(t *testing.T, e *Env) {
	t.Helper()
	p := e.Config.Project
	create(t, e, p, map[string]any{"uuid": "ccoldrun0101000001", "title": "conformance run oldrun01: case"})
	create(t, e, p, map[string]any{"title": "a customer's", "id": "crm-55"})
	create(t, e, e.Config.AutoProject, map[string]any{"title": "x", "id": "conformance oldrun01-02-000007"})
	create(t, e, e.Config.CompletedProject, map[string]any{"uuid": "ccoldrun0201000003", "title": "kept by a person"})
	create(t, e, p, map[string]any{"uuid": e.UUIDPrefix() + "01000001", "title": e.TitlePrefix() + "this run's own"})
}

func caseCount(t *testing.T, e *Env) int {
	t.Helper()
	n := 0
	for _, p := range e.fixtureProjects() {
		if err := e.scanProject(context.Background(), p, func(listedCase, time.Time) { n++ }); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

func TestPreflightListsEarlierRunsWithoutTouchingThem(t *testing.T) {
	e, ref := testEnv(t, nil)
	ctx := context.Background()
	seedEarlier(t, e)
	x := raw(t, e, http.MethodPost, "/fx/api/v1/json/projects/"+e.Config.Project+"/operators/", `{"uuid":"`+ref.Fixtures().Operator+`"}`)
	if x.Status != http.StatusCreated {
		t.Fatalf("assign: %d", x.Status)
	}
	before := caseCount(t, e)
	if err := e.Preflight(ctx); err != nil {
		t.Fatalf("an assigned operator or earlier runs' cases must not stop the run: %v", err)
	}
	notes := strings.Join(e.Notes, "\n")
	for _, want := range []string{
		"earlier run oldrun01 left 2 marked case(s), last changed 0s ago",
		"earlier run oldrun02 left 1 marked case(s)",
		"callcases-conformance clean, or make conformance-clean, removes them",
		"CONFORMANCE_OPERATOR: operator \"" + ref.Fixtures().Operator + "\" is assigned to the main project",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("the preflight's notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, e.RunID) {
		t.Errorf("the run lists itself as an earlier run:\n%s", notes)
	}
	if after := caseCount(t, e); after != before {
		t.Errorf("the preflight changed the cases: %d before, %d after", before, after)
	}
}

func TestCleanRemovesEarlierRunsCasesOnly(t *testing.T) {
	e, _ := testEnv(t, nil)
	ctx := context.Background()
	seedEarlier(t, e)
	before := caseCount(t, e)

	res, err := e.Clean(ctx, time.Hour) // all of them are recent: a run may still be going
	if err != nil || len(res.Removed) != 0 || len(res.Kept) != 3 {
		t.Fatalf("Clean(1h) = %+v, %v; want the 3 marked cases kept", res, err)
	}
	res, err = e.Clean(ctx, 0)
	if err != nil || len(res.Left) != 0 {
		t.Fatalf("Clean(0) = %+v, %v", res, err)
	}
	var removed []string
	for _, c := range res.Removed {
		removed = append(removed, c.UUID)
	}
	if len(removed) != 3 || !slices.Contains(removed, "ccoldrun0101000001") || !slices.Contains(removed, "ccoldrun0201000003") {
		t.Errorf("removed %v, want the three cases of runs oldrun01 and oldrun02", removed)
	}
	if after := caseCount(t, e); after != before-3 {
		t.Errorf("%d cases before, %d after: Clean removed something else", before, after)
	}
	for _, uuid := range []string{e.UUIDPrefix() + "01000001"} {
		if ok, err := e.CaseExists(ctx, uuid); err != nil || !ok {
			t.Errorf("the cleaning run's own case %s is gone: %v", uuid, err)
		}
	}
}

func TestPreflightPutsBackOnlyAStaleGlobalFault(t *testing.T) {
	e, _ := testEnv(t, nil)
	ctx := context.Background()
	raw(t, e, http.MethodPut, "/faults/dialer", `{"fault":"down"}`)
	if err := e.Preflight(ctx); err != nil {
		t.Fatal(err)
	}
	if h := hook(t, e); h.Global[Dialer] != FaultNone || h.Lease != nil {
		t.Errorf("a fault nobody holds the lease for is stale and put back: %+v", h)
	}

	// Another run holds the lease with its fault on: it is not this run's to reset.
	raw(t, e, http.MethodPut, "/faults/lease", `{"holder":"otherrun-1","ttl":"60s"}`)
	raw(t, e, http.MethodPut, "/faults/integration", `{"fault":"timeout"}`)
	e.Config.LeaseWait = time.Millisecond
	err := e.Preflight(ctx)
	if err == nil || !strings.Contains(err.Error(), "CONFORMANCE_FAULTS_URL: a global fault is on") || !strings.Contains(err.Error(), `held by "otherrun-1"`) {
		t.Errorf("preflight = %v", err)
	}
	if h := hook(t, e); h.Global[Integration] != FaultTimeout {
		t.Errorf("the other run's fault was reset: %+v", h.Global)
	}
}
