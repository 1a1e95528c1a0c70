package conformance

import (
	"net/http"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The cases by uuid.

// newCase creates a case in the main project through POST /callcases/?project=,
// with fields added to a fresh uuid and title, and returns its uuid.
func newCase(ctx SpecContext, a api, fields map[string]any) string {
	GinkgoHelper()
	body := map[string]any{"uuid": newUUID(), "title": newTitle("case")}
	for k, v := range fields {
		body[k] = v
	}
	uuid := body["uuid"].(string)
	deleteLater(a, uuid)
	x := env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), JSON: body, Purpose: "create a case to work on"})
	setup(x, http.StatusCreated, "create a case")
	return uuid
}

// readCase reads a case that must exist.
func readCase(ctx SpecContext, a api, uuid string) CallCase {
	GinkgoHelper()
	return decodeCase(env.API.Do(ctx, readRequest(a, uuid)))
}

// decodeCase holds a read of a case that must exist, and decodes it.
func decodeCase(x *client.Exchange) CallCase {
	GinkgoHelper()
	Expect(x).To(BeRead())
	var c CallCase
	decodeAs(x, &c, "a case")
	return c
}

// expectNoCase asserts that no case with this uuid exists.
func expectNoCase(ctx SpecContext, a api, uuid string) {
	GinkgoHelper()
	expectGone(env.API.Do(ctx, noCaseRequest(a, uuid)), "case "+uuid)
}

// noCaseRequest reads a case that must not exist (expectGone judges it).
func noCaseRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.caseByUUID(uuid), Purpose: "check that the case does not exist"}
}

// newCasesAtOnce is newCase for several cases, created at once, one POST
// /callcases/?project= each; fields[i] goes into case i.
func newCasesAtOnce(ctx SpecContext, a api, fields ...map[string]any) []string {
	GinkgoHelper()
	uuids := make([]string, len(fields))
	requests := make([]client.Request, len(fields))
	for i, f := range fields {
		body := map[string]any{"uuid": newUUID(), "title": newTitle("case")}
		for k, v := range f {
			body[k] = v
		}
		uuids[i] = body["uuid"].(string)
		deleteLater(a, uuids[i])
		requests[i] = client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), JSON: body, Purpose: "create a case to work on"}
	}
	for _, x := range doAll(ctx, env.API, requests...) {
		setup(x, http.StatusCreated, "create a case")
	}
	return uuids
}

// readCases reads cases that must exist, at once.
func readCases(ctx SpecContext, a api, uuids ...string) []CallCase {
	GinkgoHelper()
	requests := make([]client.Request, len(uuids))
	for i, uuid := range uuids {
		requests[i] = client.Request{Method: http.MethodGet, Path: a.caseByUUID(uuid), Purpose: "read the case back"}
	}
	out := make([]CallCase, len(uuids))
	for i, x := range doAll(ctx, env.API, requests...) {
		out[i] = decodeCase(x)
	}
	return out
}

func readRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.caseByUUID(uuid), Purpose: "read the case back"}
}

// readCaseX reads a case that must exist, with the exchange for failure messages.
func readCaseX(ctx SpecContext, a api, uuid string) (CallCase, *client.Exchange) {
	GinkgoHelper()
	x := env.API.Do(ctx, readRequest(a, uuid))
	return decodeCase(x), x
}
