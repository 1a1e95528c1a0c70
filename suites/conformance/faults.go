package conformance

import (
	"net/http"
	"sync"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/harness"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The fault families: 503 and 504 on every operation of the contract that
// documents them (families.go builds the requests).
var _ = Describe("integration faults", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			// 503 on every operation that documents it while the integration
			// service is down, before 404; a create is not applied.
			var down []TableEntry
			for _, op := range opsWhere(func(op contract.Operation) bool { return op.Documents(http.StatusServiceUnavailable) }) {
				down = append(down, familyRow("E503-integration-down", format, op, "", op))
			}
			DescribeTable("503 while the integration service is down",
				func(ctx SpecContext, op contract.Operation) {
					r, uuid := callOf(op, format, call{project: env.Config.Project, purpose: "while the integration service is down"})
					if creates(op) {
						deleteLater(a, uuid)
					}
					c, clear := fault(ctx, harness.FaultDown, harness.Integration)
					x := c.Do(ctx, r)
					clear()
					Expect(x).To(HaveResult(http.StatusServiceUnavailable))
					if creates(op) {
						expectNoCase(ctx, a, uuid)
					}
				},
				down,
			)

			// 504 on every operation that documents it, while the component
			// behind it (the integration service for case endpoints, the
			// dialer for the call list) times out. The calls are sent together
			// once, before the rows, so that the run waits out the server's
			// timer once, not once per operation; each row asserts its own.
			// In a scope of their own when the hook has scopes, so the rows
			// run beside every other spec; else Serial (see labels).
			decorators := []any{Ordered, ContinueOnFailure}
			if hookConfigured && !hookScopes {
				decorators = append(decorators, Serial)
			}
			Describe("504 while a component times out", append(decorators, func() {
				timedOut := opsWhere(func(op contract.Operation) bool { return op.Documents(http.StatusGatewayTimeout) })
				answers := map[string]*client.Exchange{}
				// Without a fault hook every row is skipped (needs:fault-hook)
				// before this runs.
				BeforeAll(func(ctx SpecContext) {
					requests := make([]client.Request, len(timedOut))
					for i, op := range timedOut {
						r, uuid := callOf(op, format, call{project: env.Config.Project, purpose: "while its component times out"})
						if creates(op) {
							deleteLater(a, uuid)
						}
						requests[i] = r
					}
					c, _ := fault(ctx, harness.FaultTimeout, harness.Integration, harness.Dialer)
					got := make([]*client.Exchange, len(timedOut))
					var wg sync.WaitGroup
					for i := range timedOut {
						wg.Go(func() { got[i] = c.Do(ctx, requests[i]) })
					}
					wg.Wait()
					for i, op := range timedOut {
						timeoutIsVerdict(got[i])
						answers[op.ID] = got[i]
					}
				})
				var rows []TableEntry
				for _, op := range timedOut {
					rows = append(rows, familyRow("E504-timeout", format, op, "", op))
				}
				DescribeTable("504 on every operation that documents it",
					func(op contract.Operation) {
						x := answers[op.ID]
						// A target that hangs instead of answering 504 fails this condition: it is the behaviour under test, not a run error.
						// Any other exchange that got no answer is the run's.
						timeoutIsVerdict(x)
						if cause := transportFailure([]*client.Exchange{x}); cause != "" {
							runError("%s", cause)
						}
						Expect(x.Err).NotTo(HaveOccurred(), "the target must answer 504 before the suite's timeout (%s)%s", env.Config.Timeout, Shown(x))
						Expect(x).To(HaveResult(http.StatusGatewayTimeout))
					},
					rows,
				)
			})...)
		})
	}
})
