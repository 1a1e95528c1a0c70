package conformance

import (
	. "github.com/onsi/ginkgo/v2"
)

// beforeEachSpec is the suite's one BeforeEach, and its DeferCleanup the one
// cleanup it adds to every spec. Ginkgo's bookkeeping of a node (events in
// the report, and in a parallel run a round trip to the runner) costs more
// than what each of these steps does, so they share one node each way.
var _ = BeforeEach(beforeEachSpec)

func beforeEachSpec() {
	tags := tagsOf(CurrentSpecReport())
	specTags.Store(&tags)
	reportSpeedBetween()
	// Registered first so that it runs last: after the AfterEach contract
	// check and the spec's own cleanup, whose round trips and coverage
	// facts count as the spec's.
	DeferCleanup(func() {
		if env != nil {
			reportSpeed()
			reportRetried()
		}
		reportCoverage()
		specTags.Store(nil)
	})
	checkNeeds() // may skip the spec
	forgetExchanges()
}
