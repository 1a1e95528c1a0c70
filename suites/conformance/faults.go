package conformance

import (
	"net/http"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/harness"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The fault families: 503 and 504 on every operation of the contract that
// documents them (familyrequests.go builds the requests).
var _ = Describe("integration faults", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			// 503 on every operation that documents it while the integration
			// service is down, before 404; a create is not applied.
			familyTable("503 while the integration service is down", "E503-integration-down", format,
				callsTo(func(op contract.Operation) bool { return op.Documents(http.StatusServiceUnavailable) }, "", nil,
					func() call {
						return call{project: env.Config.Project, purpose: "while the integration service is down"}
					}),
				func(ctx SpecContext, calls []familyCall) []familyAnswer {
					c, clear := faultHook().set(ctx, harness.FaultDown, harness.Integration)
					return sendFamily(ctx, a, calls, c, clear, true)
				},
				answeredAndNothingMade(http.StatusServiceUnavailable))

			// 504 on every operation that documents it, while the component
			// behind it (the integration service for case endpoints, the
			// dialer for the call list) times out: sent together, the run
			// waits out the server's timer once, not once per operation.
			familyTable("504 while a component times out", "E504-timeout", format,
				callsTo(func(op contract.Operation) bool { return op.Documents(http.StatusGatewayTimeout) }, "", nil,
					func() call { return call{project: env.Config.Project, purpose: "while its component times out"} }),
				func(ctx SpecContext, calls []familyCall) []familyAnswer {
					c, _ := faultHook().set(ctx, harness.FaultTimeout, harness.Integration, harness.Dialer)
					return sendFamily(ctx, a, calls, c, nil, false)
				},
				func(ans familyAnswer) {
					x := ans.x
					// A target that hangs instead of answering 504 fails this condition: it is the behaviour under test, not a run error.
					// Any other exchange that got no answer is the run's.
					timeoutIsVerdict(x)
					if cause := transportFailure([]*client.Exchange{x}); cause != "" {
						runError("%s", cause)
					}
					Expect(x.Err).NotTo(HaveOccurred(), "the target must answer 504 before the suite's timeout (%s)%s", env.Config.Timeout, Shown(x))
					Expect(x).To(HaveResult(http.StatusGatewayTimeout))
				})
		})
	}
})
