package conformance

import (
	"fmt"
	"slices"

	"github.com/callcases/conformance/catalogue"
	. "github.com/onsi/ginkgo/v2"
)

// A spec is declared from its catalogue row: its title, labels, order and
// the turn it takes on a shared state all come from the row.

// labels derives a spec's decorators from its catalogue row, so that
// --label-filter can pick a condition, a code, an area, a format, what it
// needs, or only the specs that do not write.
func labels(id, format string) []any {
	c := catalogue.Get(id)
	decorators := []any{Label(c.Labels(format, "")...)}
	// What the row shares decides, on this target, whether its specs must
	// not meet the run's other specs (catalogue.Share.Alone).
	if c.Serial || c.Shares.Alone(target()) {
		decorators = append(decorators, Serial)
	}
	// The specs that take turns on a shared state start before the others:
	// their turns are the run's longest sequences of round trips.
	p := c.Priority()
	if c.Area == "explore" {
		// Exploration spends its time budget whatever the network: on a
		// slow one it is as long as the turns on the operator, and starts
		// with them.
		p = catalogue.Condition{Shares: catalogue.SharesMembership}.Priority()
	}
	if p != 0 {
		decorators = append(decorators, SpecPriority(p))
	}
	return decorators
}

// target is what the build learned of the target, as the catalogue's
// shares read it.
func target() catalogue.Target {
	b := build()
	return catalogue.Target{Hook: b.HookConfigured, Scopes: b.HookScopes, FineClock: b.ClockFine}
}

// orderedDecorators are those of an Ordered container of these conditions'
// specs (they take turns on one state, or a family's BeforeAll feeds them),
// run in order on one process: Serial too when one of them is, as Ginkgo
// requires.
func orderedDecorators(ids ...string) []any {
	decorators := []any{Ordered, ContinueOnFailure}
	for _, id := range ids {
		if slices.Contains(labels(id, ""), any(Serial)) {
			return append(decorators, Serial)
		}
	}
	return decorators
}

// sharing are the ids of the catalogue's rows that share s, in file order.
func sharing(s catalogue.Share) []string {
	var ids []string
	for _, c := range catalogue.All() {
		if c.Shares == s {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// inTurns is the shared state whose container (turns) is being declared.
var inTurns catalogue.Share

// turns declares the container of the specs whose rows share s, a state
// they take turns on (catalogue.Share.Ordered): they run in order, in both
// formats, on one process, which they would otherwise keep waiting for
// their turns, and start first (see labels). The run holds the lease from
// the first to the last of them, not taking it and giving it back for each.
// Its specs are the catalogue's rows that share s: a condition of another
// row inside it, or one of these rows outside it, fails the suite's build.
func turns(s catalogue.Share, text string, body func()) bool {
	GinkgoHelper()
	return Describe(text, append(orderedDecorators(sharing(s)...), func() {
		BeforeAll(func(ctx SpecContext) { faultHook().keepLease(ctx, s.Why()) })
		inTurns = s
		defer func() { inTurns = "" }()
		body()
	})...)
}

// takeTurn, before the body of a spec whose row shares s, takes the fault
// hook's lease and the spec's turn on s for the rest of the spec; a spec
// body never names the state it shares.
func takeTurn(ctx SpecContext, s catalogue.Share) {
	GinkgoHelper()
	if s.Turns(env.Scopes) {
		faultHook().holdLease(ctx, s, s.Why())
	}
}

// title is the spec's name: the condition id, then what it certifies.
func title(id string) string {
	return id + ": " + catalogue.Get(id).Certifies
}

// condition declares the spec of one catalogue row. As a helper it makes
// Ginkgo record the caller's line, so that junit, report.json, the HTML
// report and Ginkgo's output point at the spec itself.
//
// The spec takes its turn on what its row shares (takeTurn) before its body
// runs, at every attempt; a row whose share is Ordered is declared inside
// that share's container (turns).
func condition(id, format string, body func(SpecContext)) bool {
	GinkgoHelper()
	c := catalogue.Get(id)
	switch {
	case c.Shares.Ordered() && c.Shares != inTurns:
		panic(fmt.Sprintf("condition %s shares %q: declare it inside that state's container, turns(%q, ...)", id, c.Shares, c.Shares))
	case !c.Shares.Ordered() && inTurns != "":
		panic(fmt.Sprintf("condition %s does not share %q: declare it outside turns(%q, ...), which holds only the rows that share it", id, inTurns, inTurns))
	}
	return It(title(id), append(labels(id, format), func(ctx SpecContext) {
		attempts(ctx, func(ctx SpecContext) {
			takeTurn(ctx, c.Shares)
			body(ctx)
		})
	})...)
}

// row declares one entry of a DescribeTable family, located at the caller.
func row(id, format string, params ...any) TableEntry {
	GinkgoHelper()
	if catalogue.Get(id).Shares != "" {
		panic(fmt.Sprintf("row %s shares a state: declare it with condition, which takes its turn", id))
	}
	return Entry(title(id), append(labels(id, format), params...)...)
}

// checkNeeds, before every spec (see beforeEachSpec), checks its catalogue
// row's needs (its needs: labels): a spec whose target lacks one is skipped,
// reported not provoked, naming the setting to give. Spec bodies never check
// for them.
func checkNeeds() {
	for _, n := range catalogue.ParseLabels(CurrentSpecReport().Labels()).Needs {
		if env.Config.Missing(n) != "" {
			notProvoked("needs %s: %s is not set", n.Name(), n.Setting())
		}
	}
}
