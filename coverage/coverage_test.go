package coverage_test

import (
	"strconv"
	"testing"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/coverage"
)

func TestFactsRoundTrip(t *testing.T) {
	facts := []coverage.Fact{{Format: "json", Operation: "getCallCase", Code: 404, Asserted: true}, {Format: "xml", Operation: "listCallCases", Code: 204}}
	got := coverage.Decode(coverage.Encode(facts))
	if len(got) != 2 || got[0] != facts[0] || got[1] != facts[1] {
		t.Errorf("round trip: %v", got)
	}
	if len(coverage.Decode("json getCallCase x +,nonsense,")) != 0 {
		t.Error("malformed facts decoded")
	}
}

func TestTrackerCountsAnAssertionMadeInALaterSpec(t *testing.T) {
	var tr coverage.Tracker
	x := &client.Exchange{Request: client.Request{Path: "/json/callcases/abc"}, Operation: "getCallCase", Status: 504}
	tr.Add(x)
	tr.Add(&client.Exchange{Request: client.Request{Path: "/json/nowhere"}, Status: 404}) // off the contract: no fact
	first := tr.Flush()
	if len(first) != 1 || first[0].Asserted {
		t.Fatalf("first flush: %v", first)
	}
	x.Asserted = true // a later spec asserts it (an Ordered container's BeforeAll sent it)
	second := tr.Flush()
	if len(second) != 1 || !second[0].Asserted || second[0].Format != "json" {
		t.Fatalf("second flush: %v", second)
	}
	if third := tr.Flush(); len(third) != 0 {
		t.Errorf("an exchange reported asserted is reported once: %v", third)
	}
}

// A target that floods its answers does not grow what the tracker keeps:
// the newest unasserted exchanges, up to a few MiB of bodies.
func TestTrackerKeepsFewBytesOfUnassertedExchanges(t *testing.T) {
	var tr coverage.Tracker
	var xs []*client.Exchange
	for range 40 {
		x := &client.Exchange{Request: client.Request{Path: "/json/callcases/abc"}, Operation: "getCallCase", Status: 200, Body: make([]byte, 1<<20)}
		xs = append(xs, x)
		tr.Add(x)
		tr.Flush()
	}
	xs[0].Asserted = true // kept no longer: its fact is lost, not the memory
	if got := tr.Flush(); len(got) != 0 {
		t.Errorf("the oldest of 40 MiB of unasserted exchanges is still kept: %v", got)
	}
	xs[len(xs)-1].Asserted = true
	if got := tr.Flush(); len(got) != 1 || !got[0].Asserted {
		t.Errorf("the newest is not kept: %v", got)
	}
}

func TestComputeJudgesEveryDocumentedPair(t *testing.T) {
	ops := []contract.Operation{
		{ID: "getCallCase", Method: "GET", Path: "/{format}/callcases/{uuid}", Codes: []int{200, 401, 404}},
		{ID: "assignOperator", Method: "POST", Path: "/{format}/projects/{project}/operators/", Codes: []int{201, 501}},
	}
	specs := []coverage.Spec{
		{Name: "S200-get", Format: "json", Code: 200, Outcome: coverage.Passed, Facts: []coverage.Fact{{Format: "json", Operation: "getCallCase", Code: 200, Asserted: true}}},
		{Name: "E404-get", Format: "json", Code: 404, Outcome: coverage.Failed, Facts: []coverage.Fact{{Format: "json", Operation: "getCallCase", Code: 404, Asserted: true}}},
		{Name: "E404-other", Format: "json", Code: 404, Outcome: coverage.Passed, Facts: []coverage.Fact{{Format: "json", Operation: "getCallCase", Code: 404, Asserted: true}}},
		{Name: "S201-operator", Format: "json", Code: 201, Ops: []string{"assignOperator"}, Outcome: coverage.NotProvoked, Reason: "CONFORMANCE_OPERATOR is not set"},
		{Name: "setup", Format: "json", Outcome: coverage.Passed, Facts: []coverage.Fact{{Format: "json", Operation: "getCallCase", Code: 401}}},
		// A failed spec about another code does not fail a pair a passing spec asserts.
		{Name: "E403-update", Format: "json", Code: 403, Outcome: coverage.Failed, Facts: []coverage.Fact{{Format: "json", Operation: "getCallCase", Code: 200, Asserted: true}}},
	}
	excuses := []coverage.Excuse{{Operation: "assignOperator", Code: 501, Reason: "no project is automatic"}}
	tables := coverage.Compute(ops, []string{"json"}, specs, excuses)
	want := map[string]string{
		"getCallCase 200":    coverage.Passed,
		"getCallCase 401":    coverage.NotCovered, // answered, never asserted
		"getCallCase 404":    coverage.Failed,     // one spec that asserted it failed
		"assignOperator 201": coverage.NotProvoked,
		"assignOperator 501": coverage.NotProvokable,
	}
	got := map[string]string{}
	for _, r := range tables[0].Rows {
		for _, c := range r.Cells {
			got[r.Operation+" "+itoa(c.Code)] = c.Outcome
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	if tables[0].Counts["total"] != 5 || len(tables[0].Codes) != 5 {
		t.Errorf("counts %v, codes %v", tables[0].Counts, tables[0].Codes)
	}
	if gaps := coverage.Gaps(tables); len(gaps) != 1 {
		t.Errorf("gaps %v", gaps)
	}
}

func itoa(n int) string {
	return strconv.Itoa(n)
}
