package conformance

import (
	"github.com/callcases/conformance/explore"
	. "github.com/onsi/ginkgo/v2"
)

// Exploration (docs/rules.md, "What no condition names"): generated work
// against the target and, in lock step, a fresh reference; a divergence
// fails the row with its minimal sequence and a script that replays it.
var _ = Describe("exploration", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S200-explore-stateful", format, func(ctx SpecContext) {
				runExploration(ctx, a, explore.Stateful)
			})

			condition("E400-explore-bad-input", format, func(ctx SpecContext) {
				runExploration(ctx, a, explore.BadInput)
			})
		})
	}
})
