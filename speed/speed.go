// Package speed measures what bounds the suite's time to verdict, and picks
// the number of parallel processes from it.
//
// Each spec reports its round trips (every exchange it made, cleanup
// included) and its dependent chain: the longest sequence of exchanges of
// the spec that do not overlap in time. Exchanges that overlap were sent
// concurrently; the chain is what the spec must wait for one round trip
// after another, however fast the target, so that chain x round trip time
// is the spec's floor on a slow network. cmd/bench reads these figures from
// Ginkgo's report.json (EntryName).
package speed

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/callcases/conformance/client"
)

// EntryName names the Ginkgo report entry that carries a spec's figures.
const EntryName = "speed"

// Figures are one spec's (or one suite node's) round trips.
type Figures struct {
	Trips int // exchanges sent, answered or not
	Chain int // the longest sequence of exchanges that do not overlap in time
	// Timed: an exchange of the chain waited for the target's own timer (it answered 504).
	Timed bool
	// Holds names the shared state the spec held (under the fault hook's
	// lease), which the run's specs take one after another; "" for none.
	Holds string
}

// String is the entry's compact form, e.g. "trips 5 chain 3 timed 0 holds membership"
// ("holds -" for none).
func (f Figures) String() string {
	holds := f.Holds
	if holds == "" {
		holds = "-"
	}
	return fmt.Sprintf("trips %d chain %d timed %d holds %s", f.Trips, f.Chain, b2i(f.Timed), holds)
}

// Parse reads what String wrote.
func Parse(s string) (Figures, error) {
	var f Figures
	var timed int
	if _, err := fmt.Sscanf(s, "trips %d chain %d timed %d holds %s", &f.Trips, &f.Chain, &timed, &f.Holds); err != nil {
		return Figures{}, fmt.Errorf("speed: %q is not a spec's figures: %w", s, err)
	}
	f.Timed = timed != 0
	if f.Holds == "-" {
		f.Holds = ""
	}
	return f, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Interval is when one exchange was under way.
type Interval struct {
	Start, End time.Time
	Timed      bool // answered 504: the target waited for its timer
}

// Chain is the length of the longest sequence of intervals that do not
// overlap (each starts at or after the previous one ended), and whether one
// of them was timed. Earliest end first is optimal for the count.
func Chain(intervals []Interval) (int, bool) {
	sorted := slices.Clone(intervals)
	slices.SortFunc(sorted, func(a, b Interval) int { return a.End.Compare(b.End) })
	n, timed := 0, false
	var last time.Time
	for _, iv := range sorted {
		if n == 0 || !iv.Start.Before(last) {
			n++
			last = iv.End
			timed = timed || iv.Timed
		}
	}
	return n, timed
}

// Tracker collects one process's exchanges between two Flushes (use Add in
// client.Options.Record).
type Tracker struct {
	mu        sync.Mutex
	intervals []Interval
	holds     string
}

// Add records an exchange.
func (t *Tracker) Add(x *client.Exchange) {
	iv := Interval{Start: x.Started, End: x.Started.Add(x.Duration), Timed: x.Err == nil && x.Status == 504}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.intervals = append(t.intervals, iv)
}

// Holds notes that the spec under way holds a shared state, under the fault
// hook's lease.
func (t *Tracker) Holds(state string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.holds = state
}

// Flush returns the figures since the last Flush and starts afresh.
func (t *Tracker) Flush() Figures {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := Figures{Trips: len(t.intervals), Holds: t.holds}
	f.Chain, f.Timed = Chain(t.intervals)
	t.intervals, t.holds = nil, ""
	return f
}
