package conformance

import (
	"net/http"
	"sync"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/harness"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// integrationCalls are case endpoints of every kind; each must answer the
// integration fault. The create carries a uuid that shows whether it was applied.
func integrationCalls(a api, uuid string) []client.Request {
	return []client.Request{
		{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), JSON: map[string]any{"uuid": uuid, "title": newTitle("during a fault")}},
		{Method: http.MethodGet, Path: a.caseByUUID(uuid)},
		{Method: http.MethodGet, Path: a.cases(), Query: projectQuery(env.Config.Project)},
		{Method: http.MethodGet, Path: a.byExternalID(env.Config.Project, newExternalID())},
	}
}

var _ = Describe("integration faults", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("E503-integration-down", format, func(ctx SpecContext) {
				need(config.Faults)
				uuid := newUUID()
				deleteLater(a, uuid)
				fault(ctx, harness.Integration, harness.FaultDown)
				for _, r := range integrationCalls(a, uuid) {
					Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusServiceUnavailable))
				}
				Expect(env.SetFault(ctx, harness.Integration, harness.FaultNone)).To(Succeed())
				expectNoCase(ctx, a, uuid)
			})

			condition("E504-timeout", format, func(ctx SpecContext) {
				need(config.Faults)
				uuid := newUUID()
				deleteLater(a, uuid)
				fault(ctx, harness.Integration, harness.FaultTimeout)
				// The calls wait out the server's timer together, not one after another.
				calls := integrationCalls(a, uuid)
				answers := make([]*client.Exchange, len(calls))
				var wg sync.WaitGroup
				for i, r := range calls {
					wg.Go(func() { answers[i] = env.API.Do(ctx, r) })
				}
				wg.Wait()
				for _, x := range answers {
					// A target that hangs instead of answering 504 fails this condition: it is the behaviour under test, not a run error.
					Expect(x.Err).NotTo(HaveOccurred(), "the target must answer 504 before the suite's timeout (%s)", env.Config.Timeout)
					Expect(x).To(HaveResult(http.StatusGatewayTimeout))
				}
			})
		})
	}
})
