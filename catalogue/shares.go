package catalogue

import "fmt"

// Share is what a row's shares names: a state that other specs of the run,
// and other runs on the same staging, change or read. It is declared once,
// on the row, and everything else follows from it: the spec takes the fault
// hook's lease and its turn on the state (the suite's condition does, before
// the body runs), it runs alone or in parallel (Alone), in one ordered
// container with the others that share it (Ordered), and it starts early
// (Priority).
type Share string

// The states a row may share; "" shares nothing.
const (
	// SharesFaults: the spec sets a fault. On a hook with scopes it meets
	// its own fault only and runs in parallel; on one without, it is Serial
	// and holds the hook's lease.
	SharesFaults Share = "faults"
	// SharesMembership: the spec changes or reads the operator's membership
	// of the main project. It holds the hook's lease; without a hook it is Serial.
	SharesMembership Share = "membership"
	// SharesWindow: the spec lists the main project's cases in a window of
	// time around its own and counts them, which the run's other writers
	// must not change meanwhile. It holds the hook's lease; it is Serial
	// unless the target writes lastModified finer than whole seconds, when
	// its window is too narrow for another spec's case to fall in it.
	SharesWindow Share = "window"
	// SharesExternalID: the spec uses in the main project an external id
	// that another fixture project uses, which another run may pick too. It
	// holds the hook's lease; it runs in parallel with the run's other specs.
	SharesExternalID Share = "external-id"
)

// shareKinds is every kind, with what follows from it.
var shareKinds = []struct {
	share    Share
	priority int    // see Priority
	ordered  bool   // see Ordered
	why      string // what the lease is for, as a waiting run says it
}{
	{SharesMembership, 3, true, "change the operator's membership of the main project"},
	{SharesWindow, 2, true, "list a window of the main project"},
	{SharesFaults, 1, false, "set a global fault"},
	{SharesExternalID, 1, false, "use an external id of another project in the main project"},
}

// Shares are every state a row may share, in the order of their priority.
func Shares() []Share {
	out := make([]Share, len(shareKinds))
	for i, k := range shareKinds {
		out[i] = k.share
	}
	return out
}

func (s Share) kind() (int, bool, string, bool) {
	for _, k := range shareKinds {
		if k.share == s {
			return k.priority, k.ordered, k.why, true
		}
	}
	return 0, false, "", false
}

// Priority orders the start of the run: the specs that take turns on a
// shared state first, the longest sequence of turns (the operator's
// membership, about 30 round trips in both formats) before the shorter ones,
// so that a run is not left waiting for them at its end.
func (s Share) Priority() int { p, _, _, _ := s.kind(); return p }

// Ordered: the specs that share s run, both formats, in order in one
// container on one process, which holds the run's lease from the first to
// the last of them; they would otherwise keep processes waiting for their
// turns.
func (s Share) Ordered() bool { _, o, _, _ := s.kind(); return o }

// Why is what the spec holds the lease for, as a run waiting for it says.
func (s Share) Why() string { _, _, w, _ := s.kind(); return w }

// Target is what a run knows of its target when it declares its specs.
type Target struct {
	Hook      bool // a fault hook is configured
	Scopes    bool // and it scopes faults to a caller
	FineClock bool // the target writes lastModified finer than whole seconds
}

// Alone: on this target the specs that share s must run alone (Ginkgo's
// Serial): a global fault, a membership change no lease keeps other runs
// from, or a list window wide enough to catch the run's other cases.
func (s Share) Alone(t Target) bool {
	switch s {
	case SharesFaults:
		return t.Hook && !t.Scopes
	case SharesMembership:
		return !t.Hook
	case SharesWindow:
		return !t.FineClock
	}
	return false
}

// Turns: on a target whose hook has scopes (or none), whether the spec
// takes the lease and its turn on s. Only a fault on a hook with scopes is
// the spec's own.
func (s Share) Turns(scopes bool) bool { return s != "" && !(s == SharesFaults && scopes) }

// UnmarshalText reads a share's name, refusing one that is not a kind.
func (s *Share) UnmarshalText(b []byte) error {
	got := Share(b)
	if _, _, _, ok := got.kind(); !ok && got != "" {
		return fmt.Errorf("shares is %q, want one of %v", b, Shares())
	}
	*s = got
	return nil
}
