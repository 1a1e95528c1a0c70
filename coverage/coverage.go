// Package coverage computes the contract's coverage matrix: every
// (operation, documented code) pair of openapi.yaml, per format, and whether
// a run provoked and asserted it. The facts come from the exchanges the run
// really made: each spec reports which operations answered which codes and
// whether a matcher asserted them; the matrix is computed once every process
// is done.
package coverage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/callcases/conformance/client"
)

// EntryName names the Ginkgo report entry that carries a spec's facts.
const EntryName = "coverage"

// Fact is what one or more exchanges of a spec showed: the operation, in a
// format, answered a code, and a matcher asserted it (or not).
type Fact struct {
	Format    string
	Operation string
	Code      int
	Asserted  bool
}

// String is the fact's compact form, e.g. "json getCallCase 404 +" ("-" when
// not asserted): a spec's facts travel to process 1 in the report, which
// should stay small.
func (f Fact) String() string {
	mark := "-"
	if f.Asserted {
		mark = "+"
	}
	return fmt.Sprintf("%s %s %d %s", f.Format, f.Operation, f.Code, mark)
}

// ParseFact reads a fact's compact form.
func ParseFact(s string) (Fact, error) {
	parts := strings.Fields(s)
	if len(parts) != 4 || (parts[3] != "+" && parts[3] != "-") {
		return Fact{}, fmt.Errorf("coverage: %q is not a fact", s)
	}
	code, err := strconv.Atoi(parts[2])
	if err != nil {
		return Fact{}, fmt.Errorf("coverage: %q is not a fact", s)
	}
	return Fact{Format: parts[0], Operation: parts[1], Code: code, Asserted: parts[3] == "+"}, nil
}

// Encode joins facts for a report entry; Decode reads them back.
func Encode(facts []Fact) string {
	parts := make([]string, len(facts))
	for i, f := range facts {
		parts[i] = f.String()
	}
	return strings.Join(parts, ",")
}

// Decode reads what Encode wrote; malformed parts are skipped.
func Decode(s string) []Fact {
	var out []Fact
	for _, part := range strings.Split(s, ",") {
		if f, err := ParseFact(part); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// FormatOf is the format segment of a request path below the API base
// ("/json/callcases/" → "json").
func FormatOf(path string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return first
}

// lateLimit bounds how many unasserted exchanges a Tracker keeps for a later
// spec to assert (an Ordered container's BeforeAll sends for the specs after
// it), and lateBytes what their bodies may hold in all: the newest are kept,
// so that a target that floods its answers does not grow the suite's memory.
const (
	lateLimit = 256
	lateBytes = 4 << 20
)

// Tracker collects a process's exchanges (use Add as client.Options.Record)
// and turns them into facts, spec by spec.
type Tracker struct {
	mu      sync.Mutex
	pending []*client.Exchange
	late    []*client.Exchange // unasserted at an earlier Flush, newest last
}

// Add records an exchange.
func (t *Tracker) Add(x *client.Exchange) {
	if x.Operation == "" || x.Err != nil || x.Status == 0 {
		return // off the contract's map, or no answer: no pair of the matrix
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, x)
}

// Flush returns the facts of the exchanges since the last Flush, and of
// earlier ones that a matcher has asserted since; each distinct fact once.
func (t *Tracker) Flush() []Fact {
	t.mu.Lock()
	defer t.mu.Unlock()
	set := map[Fact]bool{}
	var keep []*client.Exchange
	for _, x := range t.late {
		if x.Asserted {
			set[factOf(x)] = true
		} else {
			keep = append(keep, x)
		}
	}
	for _, x := range t.pending {
		set[factOf(x)] = true
		if !x.Asserted {
			keep = append(keep, x)
		}
	}
	if len(keep) > lateLimit {
		keep = keep[len(keep)-lateLimit:]
	}
	for size, i := 0, len(keep)-1; i >= 0; i-- {
		if size += len(keep[i].Body); size > lateBytes {
			keep = keep[i+1:]
			break
		}
	}
	t.late, t.pending = keep, nil
	out := make([]Fact, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Fact) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func factOf(x *client.Exchange) Fact {
	return Fact{Format: FormatOf(x.Request.Path), Operation: x.Operation, Code: x.Status, Asserted: x.Asserted}
}
