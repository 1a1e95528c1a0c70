package conformance

import (
	"net/http"
	"sync"

	"github.com/callcases/conformance/client"
	. "github.com/onsi/ginkgo/v2"
)

// A spec's independent requests go out together: a slow network costs a spec
// one round trip per step of its dependent chain, not one per request
// (package speed measures both). The assertions stay where they were, in
// the spec's own goroutine, in the same order.

// doAll sends the requests at once through c and returns the exchanges in
// request order.
func doAll(ctx SpecContext, c *client.Client, requests ...client.Request) []*client.Exchange {
	out := make([]*client.Exchange, len(requests))
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() { out[i] = c.Do(ctx, requests[i]) })
	}
	wg.Wait()
	return out
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

// cleanupBatch collects the cases a spec will delete when it ends, so that
// they are deleted at once, in one cleanup.
type cleanupBatch struct {
	mu    sync.Mutex
	cases []caseRef
}

type caseRef struct {
	a    api
	uuid string
}

// pendingDeletes is the spec under way's batch; a BeforeEach starts a new one.
var pendingDeletes *cleanupBatch

var _ = BeforeEach(func() { pendingDeletes = nil })

// deleteAtEnd adds a case to the spec's batch of deletes, registering the
// batch's cleanup with the first one. The cleanup runs where the first
// deleteLater's would have: after everything registered later (a fault is
// put back before the deletes go out).
func deleteAtEnd(a api, uuid string) {
	if pendingDeletes == nil {
		b := &cleanupBatch{}
		pendingDeletes = b
		DeferCleanup(func(ctx SpecContext) { b.run(ctx) })
	}
	pendingDeletes.mu.Lock()
	defer pendingDeletes.mu.Unlock()
	pendingDeletes.cases = append(pendingDeletes.cases, caseRef{a, uuid})
}

func (b *cleanupBatch) run(ctx SpecContext) {
	b.mu.Lock()
	cases := b.cases
	b.cases = nil
	b.mu.Unlock()
	requests := make([]client.Request, len(cases))
	for i, c := range cases {
		requests[i] = deleteRequest(c.a, c.uuid)
	}
	// The leftovers are judged one by one, in this goroutine.
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
