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

// stateClient is a case's state, in one format: get-state and set-state.
// A read's request comes from get, for a spec that sends it among others
// (forbidden), and of judges its answer as read does. A set-state the spec
// judges comes from set, which the spec sends itself (as the read-only
// user, off the contract); setUp is groundwork, whose failure is an error
// of the run.
type stateClient struct{ a api }

// states is the client of the cases' states in a's format.
func states(a api) stateClient { return stateClient{a} }

// stateRead is a get-state that must succeed: the state, and the exchange
// that read it, for failure messages.
type stateRead struct {
	State string
	X     *client.Exchange
}

// get is the get-state of a case that must exist.
func (s stateClient) get(uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: s.a.caseByUUID(uuid) + "/get-state", Purpose: "read the state"}
}

// read reads a case's state through get-state.
func (s stateClient) read(ctx SpecContext, uuid string) stateRead {
	GinkgoHelper()
	return s.of(env.API.Do(ctx, s.get(uuid)))
}

// of holds the answer to get (a get-state that must succeed) and reads the
// state.
func (stateClient) of(x *client.Exchange) stateRead {
	GinkgoHelper()
	Expect(x).To(BeRead())
	return stateRead{strings.TrimSuffix(string(x.Body), "\n"), x}
}

// set is the set-state of a case with form as its body, for the spec to
// send: under test, as the user it needs, or marked off the contract.
func (s stateClient) set(uuid string, form url.Values) client.Request {
	return client.Request{Method: http.MethodPost, Path: s.a.caseByUUID(uuid) + "/set-state", Form: form}
}

// setUp sets several cases' states at once, as groundwork: uuid → form.
func (s stateClient) setUp(ctx SpecContext, forms map[string]url.Values) {
	GinkgoHelper()
	var requests []client.Request
	for uuid, form := range forms {
		r := s.set(uuid, form)
		r.Purpose = "set the state"
		requests = append(requests, r)
	}
	for _, x := range doAll(ctx, env.API, requests...) {
		setup(x, http.StatusOK, "set a case's state")
	}
}
