package conformance

import (
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
