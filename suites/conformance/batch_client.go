package conformance

import (
	"fmt"
	"net/http"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// batchesClient is the batches of the main project, in one format: create,
// update and delete many cases with one request
// (/projects/{p}/callcases-batch/). post, put and delete build the
// request under test, which the spec sends (on or off the contract); of
// judges its answer into the batch's result; create is groundwork, many
// cases made with one request, which fails as an error of the run.
type batchesClient struct{ a api }

// batches is the client of the main project's batches in a's format.
func batches(a api) batchesClient { return batchesClient{a} }

// batchResult is a batch's answer: its result items, in request order, and
// the exchange, for failure messages.
type batchResult struct {
	Items []client.Item
	X     *client.Exchange
}

// post is a batch create of items, the body's callcase list as it is sent:
// cases, or, off the contract, items that are none (a string, a number).
func (b batchesClient) post(items any) client.Request {
	return client.Request{Method: http.MethodPost, Path: b.a.batch(env.Config.Project), JSON: map[string]any{"callcase": items}}
}

// put is a batch update of items, the body's callcase list as it is sent.
func (b batchesClient) put(items any) client.Request {
	return client.Request{Method: http.MethodPut, Path: b.a.batch(env.Config.Project), JSON: map[string]any{"callcase": items}}
}

// delete is a batch delete whose body is keys: {"uuid": [...]} or
// {"id": [...]} on the contract, anything else off it.
func (b batchesClient) delete(keys map[string]any) client.Request {
	return client.Request{Method: http.MethodDelete, Path: b.a.batch(env.Config.Project), JSON: keys}
}

// of holds a batch's answer to 200 with one result item per case, n in
// all, and returns them.
func (batchesClient) of(x *client.Exchange, n int) batchResult {
	GinkgoHelper()
	Expect(x).To(HaveResult(http.StatusOK))
	sb := statusBodyOf(x)
	Expect(sb.Result).To(HaveLen(n), "one result item per case, in request order"+Shown(x))
	return batchResult{sb.Result, x}
}

// expectItem holds item i to its code and, when given, its id and uuid.
func (r batchResult) expectItem(i, code int, id, uuid *string) {
	GinkgoHelper()
	what := fmt.Sprintf("batch result item %d (items are in request order)", i)
	Expect(r.Items[i]).To(HaveItemResult(code), what+Shown(r.X))
	if id != nil {
		Expect(r.Items[i].ID).To(HaveValue(Equal(*id)), what+": its id"+Shown(r.X))
	}
	if uuid != nil {
		Expect(r.Items[i].UUID).To(HaveValue(Equal(*uuid)), what+": its uuid"+Shown(r.X))
	}
}

// create makes n cases in the main project with one batch request (a
// spec that needs many cases does not pay n round trips) and returns their
// uuids; they are deleted with one batch request when the spec ends.
func (b batchesClient) create(ctx SpecContext, n int) []string {
	GinkgoHelper()
	uuids := make([]string, n)
	items := make([]map[string]any, n)
	for i := range items {
		uuids[i] = newUUID()
		items[i] = map[string]any{"uuid": uuids[i], "id": newExternalID(), "title": newTitle("one of many")}
	}
	deleteManyLater(b.a, uuids)
	r := b.post(items)
	r.Purpose = fmt.Sprintf("create %d cases", n)
	x := env.API.Do(ctx, r)
	setup(x, http.StatusOK, fmt.Sprintf("create %d cases in a batch", n))
	sb := statusBodyOf(x)
	for i, item := range sb.Result {
		if item.Code != http.StatusCreated {
			runError("setup could not create %d cases: item %d answered %d", n, i, item.Code)
		}
	}
	return uuids
}
