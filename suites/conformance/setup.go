package conformance

import (
	"net/http"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
)

// Groundwork a spec makes before the request under test: groundwork that
// fails is an error of the run, not a verdict on the API.

// setup fails the spec as an error of the run, not a verdict, when an
// exchange the spec needs as groundwork could not be made or did not answer
// the code it needs. An answer with the right code that breaks the contract
// (a 201 without Location, say) is left to the AfterEach check, so it counts
// as the API's failure, which it is.
func setup(x *client.Exchange, code int, what string) {
	GinkgoHelper()
	if x.Err == nil && x.Status == code {
		return
	}
	m := HaveResult(code)
	_, _ = m.Match(x)
	x.Asserted = false // its contract violations, if any, are not yet reported
	runError("setup could not %s:\n%s", what, m.FailureMessage(x))
}

// createEach is groundwork of n creates sent at once: request(i) is the
// uuid of case i and the request that creates it (registered for deletion
// already); each must answer 201. It returns the uuids in order.
func createEach(ctx SpecContext, what string, n int, request func(i int) (string, client.Request)) []string {
	GinkgoHelper()
	uuids := make([]string, n)
	requests := make([]client.Request, n)
	for i := range n {
		uuids[i], requests[i] = request(i)
	}
	for _, x := range doAll(ctx, env.API, requests...) {
		setup(x, http.StatusCreated, what)
	}
	return uuids
}
