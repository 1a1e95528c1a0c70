package conformance

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// A case's state.

// readState reads a case's state through get-state.
func readState(ctx SpecContext, a api, uuid string) string {
	GinkgoHelper()
	state, _ := readStateX(ctx, a, uuid)
	return state
}

// readStateX reads a case's state, with the exchange for failure messages.
func readStateX(ctx SpecContext, a api, uuid string) (string, *client.Exchange) {
	GinkgoHelper()
	x := env.API.Do(ctx, stateRequest(a, uuid))
	return stateOf(x), x
}

func stateRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.caseByUUID(uuid) + "/get-state", Purpose: "read the state"}
}

// stateOf holds a get-state that must succeed and returns the state.
func stateOf(x *client.Exchange) string {
	GinkgoHelper()
	Expect(x).To(BeRead())
	return strings.TrimSuffix(string(x.Body), "\n")
}

func setStateOf(ctx SpecContext, a api, uuid string, form url.Values) {
	GinkgoHelper()
	setStatesOf(ctx, a, map[string]url.Values{uuid: form})
}

// setStatesOf sets several cases' states at once: uuid → form.
func setStatesOf(ctx SpecContext, a api, forms map[string]url.Values) {
	GinkgoHelper()
	var requests []client.Request
	for uuid, form := range forms {
		requests = append(requests, client.Request{Method: http.MethodPost, Path: a.caseByUUID(uuid) + "/set-state", Form: form, Purpose: "set the state"})
	}
	for _, x := range doAll(ctx, env.API, requests...) {
		setup(x, http.StatusOK, "set a case's state")
	}
}
