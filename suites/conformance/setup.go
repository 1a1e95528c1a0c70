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

// newExternalCase creates a case with an external id through POST /projects/{p}/callcases/.
func newExternalCase(ctx SpecContext, a api, id string) string {
	GinkgoHelper()
	uuid := newUUID()
	deleteLater(a, uuid)
	x := env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.external(env.Config.Project),
		JSON: map[string]any{"uuid": uuid, "id": id, "title": newTitle("case with an external id")}, Purpose: "create a case with an external id"})
	setup(x, http.StatusCreated, "create a case with an external id")
	return uuid
}

// newExternalCases is newExternalCase for several ids, created at once.
func newExternalCases(ctx SpecContext, a api, ids ...string) []string {
	GinkgoHelper()
	uuids := make([]string, len(ids))
	requests := make([]client.Request, len(ids))
	for i, id := range ids {
		uuids[i] = newUUID()
		deleteLater(a, uuids[i])
		requests[i] = client.Request{Method: http.MethodPost, Path: a.external(env.Config.Project),
			JSON: map[string]any{"uuid": uuids[i], "id": id, "title": newTitle("case with an external id")}, Purpose: "create a case with an external id"}
	}
	for _, x := range doAll(ctx, env.API, requests...) {
		setup(x, http.StatusCreated, "create a case with an external id")
	}
	return uuids
}
