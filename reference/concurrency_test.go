package reference

import (
	"fmt"
	"net/url"
	"sync"
	"testing"
)

// TestConcurrentClients runs writers and readers of every kind at once; under
// go test -race it proves the store's locking, and the counts prove that no
// write was lost.
func TestConcurrentClients(t *testing.T) {
	h := start(t)
	const workers, each = 8, 15
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("w%d-%d", w, i)
				h.do("POST", api("/projects/"+h.fx.Project+"/callcases/"), withJSON(map[string]any{"id": id, "title": "t"})).is(201)
				h.do("PUT", api("/projects/"+h.fx.Project+"/callcases/"), withJSON(map[string]any{"id": id, "comment": "c"})).is(200)
				uuid := h.create(map[string]any{"title": "shared", "id": "shared"})
				h.do("POST", api("/callcases/"+uuid+"/set-state"), withForm(url.Values{"state": {"refused"}, "operator": {h.fx.Operator}})).is(200)
				h.do("GET", api("/callcases/?project="+h.fx.Project+"&state=refused")).is(200)
				h.do("DELETE", api("/callcases/"+uuid)).is(200)
				h.do("POST", batchPath(h.fx.Project), withJSON(map[string]any{"callcase": []any{map[string]string{"id": "race", "title": "t"}}})).is(200)
				callList(h, h.fx.Project, "update").is(200)
				h.do("GET", faultsBase+"/").is(200)
			}
		})
	}
	wg.Wait()
	if n := h.caseCount(); n != workers*each+1 {
		t.Errorf("%d cases, want %d by id and one \"race\"", n, workers*each+1)
	}
	h.do("GET", extPath(h.fx.Project, "race")).is(200) // created once: every other batch item got 209
	h.do("GET", extPath(h.fx.Project, "shared")).is(404)
}
