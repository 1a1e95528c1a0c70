package conformance

import (
	"context"
	"net/http"
	"slices"
	"sync"

	"github.com/callcases/conformance/client"
	. "github.com/onsi/ginkgo/v2"
)

// A spec's independent requests go out together: a slow network costs a spec
// one round trip per step of its dependent chain, not one per request
// (package speed measures both). The assertions stay where they were, in
// the spec's own goroutine, in the same order.

// doAll sends the requests at once through c (at most familyWidth in
// flight) and returns the exchanges in request order.
func doAll(ctx context.Context, c *client.Client, requests ...client.Request) []*client.Exchange {
	senders := make([]*client.Client, len(requests))
	for i := range senders {
		senders[i] = c
	}
	return doEach(ctx, senders, requests)
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

// The cases the specs create are deleted when this process's specs are
// done, all at once (deleteTheProcessCases, in the SynchronizedAfterSuite
// that every process runs, interrupted or not), not at the end of each
// spec: a spec's own deletes would add a round trip to nearly every spec.
// Every case carries the run's id, and the final sweep removes any the
// deletes missed.
var toDelete struct {
	sync.Mutex
	cases []caseRef
}

type caseRef struct {
	a    api
	uuid string
}

// deleteLater has a case a spec made (or may have made) deleted when this
// process's specs are done, whatever their outcome. Call it before the
// create is sent.
func deleteLater(a api, uuid string) {
	toDelete.Lock()
	defer toDelete.Unlock()
	toDelete.cases = append(toDelete.cases, caseRef{a, uuid})
}

// forgetDelete takes back a deleteLater of a case the target no longer
// holds (exploration read it back: 404), so that the process's deletes
// are not spent on it.
func forgetDelete(uuid string) {
	toDelete.Lock()
	defer toDelete.Unlock()
	toDelete.cases = slices.DeleteFunc(toDelete.cases, func(c caseRef) bool { return c.uuid == uuid })
}

// deleteTheProcessCases deletes the cases this process's specs created,
// familyWidth at a time, and judges each delete (a case a delete did not
// remove is reported left behind).
func deleteTheProcessCases(ctx context.Context) {
	toDelete.Lock()
	cases := toDelete.cases
	toDelete.cases = nil
	toDelete.Unlock()
	requests := make([]client.Request, len(cases))
	for i, c := range cases {
		requests[i] = deleteRequest(c.a, c.uuid)
	}
	for i, x := range doAll(ctx, env.API, requests...) {
		judgeDelete(cases[i].uuid, x)
	}
}

func readRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.caseByUUID(uuid), Purpose: "read the case back"}
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
