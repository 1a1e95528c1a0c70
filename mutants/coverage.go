package mutants

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callcases/conformance/contract"
)

// The mutants of the contract's coverage: one or more per family over the
// operations and per success effect read back, each breaking the rule on
// operations the first catalogue rows never called.
func init() { catalogue = append(catalogue, coverageMutants...) }

// formatOf is the format segment of an API call ("json").
func formatOf(c *call) string {
	rest, _ := strings.CutPrefix(c.URL.Path, apiPrefix)
	format, _, _ := strings.Cut(rest, "/")
	return format
}

// batchStatus answers a batch body with its items, as a conforming server would.
func batchStatus(w http.ResponseWriter, items []any) {
	row, _ := contract.DefaultTable().Lookup(http.StatusOK)
	writeJSON(w, http.StatusOK, map[string]any{"code": http.StatusOK, "text": row.Text, "message": row.Message, "result": items})
}

func batchItem(code int, id, uuid any) map[string]any {
	row, _ := contract.DefaultTable().Lookup(code)
	return map[string]any{"id": id, "uuid": uuid, "code": code, "text": row.Text, "message": row.Message}
}

// withoutQuery re-sends a list without one of its filters.
func withoutQuery(route, param string) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.is(route) || !c.URL.Query().Has(param) {
			return false
		}
		q := c.URL.Query()
		q.Del(param)
		replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() }))
		return true
	})
}

var coverageMutants = []Mutant{
	// The families.
	{Name: "anonymous-batch-writes", Breaks: "a batch write without credentials is served", Kills: []string{"E401-every-operation"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.Header.Get("Authorization") != "" || !strings.HasSuffix(c.route, "/callcases-batch/") {
				return false
			}
			replay(w, t.send(c, t.asAdmin))
			return true
		})},
	{Name: "body-before-credentials", Breaks: "a malformed JSON body answers 400 before the credentials are checked", Kills: []string{"E401-every-operation", "E403-every-write"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.route == "" || !strings.HasPrefix(c.Header.Get("Content-Type"), "application/json") || json.Valid(c.body) {
				return false
			}
			status(w, http.StatusBadRequest)
			return true
		})},
	{Name: "rights-before-password", Breaks: "the read-only user's write gets 403 before its password is checked", Kills: []string{"E401-readonly-wrong-password"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.user != t.readOnly[0] || c.Method == http.MethodGet || c.Method == http.MethodHead || !strings.HasPrefix(c.URL.Path, apiPrefix) {
				return false
			}
			status(w, http.StatusForbidden)
			return true
		})},
	{Name: "readonly-may-batch-update", Breaks: "the read-only user may update cases in a batch", Kills: []string{"E403-every-write"}, build: readOnlyMay("PUT /projects/{project}/callcases-batch/")},
	{Name: "readonly-may-unassign", Breaks: "the read-only user may unassign operators", Kills: []string{"E403-every-write"}, build: readOnlyMay("DELETE /projects/{project}/operators/{operator}")},
	{Name: "unknown-project-no-operators", Breaks: "listing the operators of an unknown project answers 204", Kills: []string{"E404-unknown-project"},
		build: recodeOn("GET /projects/{project}/operators/", http.StatusNotFound, http.StatusNoContent)},
	{Name: "batch-delete-unknown-project-items", Breaks: "a batch delete in an unknown project answers 200 with a 404 item per case", Kills: []string{"E404-unknown-project"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			if !c.is("DELETE /projects/{project}/callcases-batch/") || body == nil {
				return false
			}
			rec := t.send(c, nil)
			uuids, _ := body["uuid"].([]any)
			if rec.Code != http.StatusNotFound || len(uuids) == 0 {
				replay(w, rec)
				return true
			}
			var items []any
			for range uuids {
				items = append(items, batchItem(http.StatusNotFound, nil, nil))
			}
			batchStatus(w, items)
			return true
		})},
	{Name: "malformed-batch-500", Breaks: "a malformed JSON body to a batch answers 500", Kills: []string{"E400-malformed-body"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !strings.HasSuffix(c.route, "/callcases-batch/") || json.Valid(c.body) {
				return false
			}
			status(w, http.StatusInternalServerError)
			return true
		})},
	{Name: "malformed-update-404", Breaks: "a malformed update body answers 404 (the case is looked up first)", Kills: []string{"E400-malformed-body"},
		build: recodeWhen("PUT /callcases/", http.StatusBadRequest, http.StatusNotFound, func(c *call) bool { return !json.Valid(c.body) })},
	{Name: "integration-down-404-by-external-id", Breaks: "while the integration service is down, calls by external id answer 404 (the id is looked up first)", Kills: []string{"E503-integration-down"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("GET /projects/{project}/callcases/{id}") && !c.is("DELETE /projects/{project}/callcases/{id}") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusServiceUnavailable {
				rec = recode(rec, http.StatusNotFound)
			}
			replay(w, rec)
			return true
		})},
	{Name: "integration-down-spares-state", Breaks: "get-state answers 404 where 503 is due while the integration service is down", Kills: []string{"E503-integration-down"},
		build: recodeOn("GET /callcases/{uuid}/get-state", http.StatusServiceUnavailable, http.StatusNotFound)},
	{Name: "dialer-timeout-500", Breaks: "a call-list command answers 500 where the dialer's timeout is 504", Kills: []string{"E504-timeout"},
		build: recodeOn("POST /projects/{project}/calllist/", http.StatusGatewayTimeout, http.StatusInternalServerError)},
	{Name: "timeout-hangs-on-batches", Breaks: "batch calls hang where 504 is due", Kills: []string{"E504-timeout"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !strings.HasSuffix(c.route, "/callcases-batch/") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code != http.StatusGatewayTimeout {
				replay(w, rec)
				return true
			}
			<-c.Context().Done() // until the client gives up
			return true
		})},

	// Success through its effect.
	{Name: "update-ext-not-applied", Breaks: "an update by external id answers 200 but changes nothing", Kills: []string{"S200-update-ext"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			if !c.is("PUT /projects/{project}/callcases/") || body == nil {
				return false
			}
			id, _ := body["id"].(string)
			if t.get(c, apiPrefix+formatOf(c)+"/projects/"+urlEscape(c.params["project"])+"/callcases/"+urlEscape(id)).Code != http.StatusOK {
				return false
			}
			status(w, http.StatusOK)
			return true
		})},
	{Name: "delete-ext-not-applied", Breaks: "a delete by external id answers 200 but the case stays", Kills: []string{"S200-delete-ext"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("DELETE /projects/{project}/callcases/{id}") || t.get(c, c.URL.EscapedPath()).Code != http.StatusOK {
				return false
			}
			status(w, http.StatusOK)
			return true
		})},
	{Name: "batch-results-reversed", Breaks: "a batch create's result items come in reverse request order", Kills: []string{"S200-batch-create"},
		build: on("POST /projects/{project}/callcases-batch/", func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			editJSON(rec, func(m map[string]any) {
				if items, ok := m["result"].([]any); ok {
					for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
						items[i], items[j] = items[j], items[i]
					}
				}
			})
			return rec
		})},
	{Name: "batch-repeated-id-created", Breaks: "a batch create repeating an earlier item's id creates that case too", Kills: []string{"E209-batch-repeated-id"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			if !c.is("POST /projects/{project}/callcases-batch/") || body == nil {
				return false
			}
			items, _ := body["callcase"].([]any)
			seen := map[string]bool{}
			renamed := map[int]string{}
			for i, it := range items {
				item, _ := it.(map[string]any)
				id, _ := item["id"].(string)
				if id != "" && seen[id] {
					item["id"] = id + " (repeated)"
					renamed[i] = id
				}
				seen[id] = true
			}
			if len(renamed) == 0 {
				return false
			}
			b, _ := json.Marshal(body)
			rec := t.send(c, withBody(b))
			editJSON(rec, func(m map[string]any) {
				results, _ := m["result"].([]any)
				for i, id := range renamed {
					if i < len(results) {
						if r, ok := results[i].(map[string]any); ok {
							r["id"] = id
						}
					}
				}
			})
			replay(w, rec)
			return true
		})},
	{Name: "batch-update-not-applied", Breaks: "a batch update answers 200 with its items but changes no title", Kills: []string{"S200-batch-update"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			if !c.is("PUT /projects/{project}/callcases-batch/") || body == nil {
				return false
			}
			items, _ := body["callcase"].([]any)
			for _, it := range items {
				if item, ok := it.(map[string]any); ok {
					delete(item, "title")
				}
			}
			b, _ := json.Marshal(body)
			replay(w, t.send(c, withBody(b)))
			return true
		})},
	{Name: "batch-delete-by-id-not-applied", Breaks: "a batch delete by id answers 200 with its items but deletes nothing", Kills: []string{"S200-batch-delete"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			ids, _ := body["id"].([]any)
			if !c.is("DELETE /projects/{project}/callcases-batch/") || body == nil || body["uuid"] != nil || len(ids) == 0 {
				return false
			}
			var items []any
			for _, raw := range ids {
				id, _ := raw.(string)
				rec := t.get(c, apiPrefix+formatOf(c)+"/projects/"+urlEscape(c.params["project"])+"/callcases/"+urlEscape(id))
				var found struct {
					UUID string `json:"uuid"`
				}
				if rec.Code == http.StatusOK && json.Unmarshal(rec.Body.Bytes(), &found) == nil {
					items = append(items, batchItem(http.StatusOK, id, found.UUID))
				} else {
					items = append(items, batchItem(http.StatusNotFound, id, nil))
				}
			}
			batchStatus(w, items)
			return true
		})},
	{Name: "state-filter-ignored", Breaks: "a list ignores its state filter", Kills: []string{"S200-list-state"}, build: withoutQuery("GET /callcases/", "state")},
	{Name: "operator-filter-ignored", Breaks: "a list ignores its operator filter", Kills: []string{"S200-list-operator"}, build: withoutQuery("GET /callcases/", "operator")},
	{Name: "modified-bounds-inclusive", Breaks: "modifiedAfter and modifiedBefore include a case modified at the bound", Kills: []string{"S200-list-bounds"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("GET /callcases/") {
				return false
			}
			q := c.URL.Query()
			for name, shift := range map[string]time.Duration{"modifiedAfter": -time.Millisecond, "modifiedBefore": time.Millisecond} {
				if at, err := time.Parse(time.RFC3339Nano, q.Get(name)); err == nil {
					q.Set(name, at.Add(shift).Format(time.RFC3339Nano))
				}
			}
			replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() }))
			return true
		})},
	{Name: "get-state-stale", Breaks: "get-state answers the state a case was created with, not its state", Kills: []string{"S200-state"},
		build: on("GET /callcases/{uuid}/get-state", func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			if rec.Code == http.StatusOK {
				rec.Body.Reset()
				rec.Body.WriteString("new")
			}
			return rec
		})},
	{Name: "date-ignored", Breaks: "set-state ignores its date: scheduledTime is not set", Kills: []string{"S200-state"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			form := c.form()
			if !c.is("POST /callcases/{uuid}/set-state") || !form.Has("date") {
				return false
			}
			form.Del("date")
			replay(w, t.send(c, withBody([]byte(form.Encode()))))
			return true
		})},
	{Name: "unassign-not-applied", Breaks: "unassigning an operator answers 200 but the operator stays listed", Kills: []string{"S200-unassign"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("DELETE /projects/{project}/operators/{operator}") || c.user != t.admin[0] {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusOK {
				b, _ := json.Marshal(map[string]any{"uuid": c.params["operator"]})
				r := httptest.NewRequestWithContext(c.Context(), http.MethodPost, strings.TrimSuffix(c.URL.Path, urlEscape(c.params["operator"])), strings.NewReader(string(b)))
				r.Header.Set("Content-Type", "application/json")
				t.asAdmin(r)
				t.next.ServeHTTP(httptest.NewRecorder(), r)
			}
			replay(w, rec)
			return true
		})},
	{Name: "empty-operators-200", Breaks: "a project without operators lists them as 200 with an empty list instead of 204", Kills: []string{"S204-no-operators"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("GET /projects/{project}/operators/") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusNoContent {
				writeJSON(w, http.StatusOK, map[string]any{"operator": []any{}})
				return true
			}
			replay(w, rec)
			return true
		})},
	{Name: "long-external-id-404", Breaks: "an external id over 255 characters answers 404 instead of 400", Kills: []string{"E400-external-id-too-long"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if (!c.is("GET /projects/{project}/callcases/{id}") && !c.is("DELETE /projects/{project}/callcases/{id}")) || len(c.params["id"]) <= 255 {
				return false
			}
			status(w, http.StatusNotFound)
			return true
		})},
	{Name: "long-external-id-body-truncated", Breaks: "a create or update body's external id over 255 characters is cut to 255 (a VARCHAR(255) column) instead of 400", Kills: []string{"E400-external-id-length-body"},
		build: truncatedExternalIDs(false, "POST /callcases/", "POST /projects/{project}/callcases/", "PUT /callcases/", "PUT /projects/{project}/callcases/")},
	{Name: "batch-long-external-id-truncated", Breaks: "a batch item's external id over 255 characters is cut to 255 instead of a 400 item", Kills: []string{"E400-external-id-length-batch"},
		build: truncatedExternalIDs(true, "POST /projects/{project}/callcases-batch/", "PUT /projects/{project}/callcases-batch/")},
	{Name: "method-not-allowed-405", Breaks: "a method a known path does not have answers 405 Method Not Allowed, a code the table does not have, instead of 404", Kills: []string{"E404-unknown-path"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.route == "" || !c.authOK {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusNotFound && strings.Contains(rec.Body.String(), "no endpoint") {
				rec = recode(rec, http.StatusMethodNotAllowed)
			}
			replay(w, rec)
			return true
		})},
	{Name: "batch-delete-both-by-uuid", Breaks: "a batch delete naming its cases by both uuid and id deletes by uuid and answers 200", Kills: []string{"E400-batch-delete-keys"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("DELETE /projects/{project}/callcases-batch/") {
				return false
			}
			var body []byte
			if c.inXML() {
				root, ok := parseXML(c.body)
				if !ok || root.child("uuid") == nil || root.child("id") == nil {
					return false
				}
				root.drop("id")
				body = root.bytes()
			} else {
				m := c.jsonBody()
				if m["uuid"] == nil || m["id"] == nil {
					return false
				}
				delete(m, "id")
				body, _ = json.Marshal(m)
			}
			replay(w, t.send(c, withBody(body)))
			return true
		})},
	{Name: "update-moves-creation-date", Breaks: "an update rewrites the case's creationDate to the time of the update", Kills: []string{"S200-update"},
		build: func() handler {
			var mu sync.Mutex
			updated := map[string]bool{}
			return func(t *target, w http.ResponseWriter, c *call) bool {
				switch {
				case c.is("PUT /callcases/"):
					rec := t.send(c, nil)
					if uuid, ok := c.member("uuid"); ok && rec.Code == http.StatusOK {
						mu.Lock()
						updated[uuid] = true
						mu.Unlock()
					}
					replay(w, rec)
					return true
				case c.is("GET /callcases/{uuid}"):
					mu.Lock()
					moved := updated[c.params["uuid"]]
					mu.Unlock()
					if !moved {
						return false
					}
					rec := t.send(c, nil)
					if rec.Code == http.StatusOK {
						editJSON(rec, func(m map[string]any) { m["creationDate"] = m["lastModified"] })
						editXML(rec, func(root *xmlNode) {
							if lm, cd := root.child("lastModified"), root.child("creationDate"); lm != nil && cd != nil {
								cd.content = []any{lm.text()}
							}
						})
					}
					replay(w, rec)
					return true
				}
				return false
			}
		}},
	{Name: "priority-unbounded", Breaks: "a create's priority past 2^53 - 1 is cut to 2^53 - 1 instead of 400", Kills: []string{"E400-priority-too-large"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			const most = 1<<53 - 1
			if !c.is("POST /callcases/") {
				return false
			}
			var body []byte
			if c.inXML() {
				root, ok := parseXML(c.body)
				if !ok {
					return false
				}
				p := root.child("priority")
				if p == nil {
					return false
				}
				if n, err := strconv.ParseFloat(strings.TrimSpace(p.text()), 64); err != nil || n <= most {
					return false
				}
				p.content = []any{strconv.Itoa(most)}
				body = root.bytes()
			} else {
				m := c.jsonBody()
				if n, ok := m["priority"].(float64); !ok || n <= most {
					return false
				}
				m["priority"] = most
				body, _ = json.Marshal(m)
			}
			replay(w, t.send(c, withBody(body)))
			return true
		})},
	{Name: "batch-300-item-without-uuids", Breaks: "a batch's 300 item does not list the uuids of the cases found", Kills: []string{"E300-batch"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !strings.HasSuffix(c.route, "/callcases-batch/") {
				return false
			}
			rec := t.send(c, nil)
			editJSON(rec, func(m map[string]any) {
				items, _ := m["result"].([]any)
				for _, it := range items {
					if obj, ok := it.(map[string]any); ok {
						delete(obj, "uuids")
					}
				}
			})
			editXML(rec, func(root *xmlNode) {
				if result := root.child("result"); result != nil {
					for _, item := range result.elements() {
						item.drop("uuids")
					}
				}
			})
			replay(w, rec)
			return true
		})},
	{Name: "empty-parameter-absent", Breaks: "a list's query parameter given with an empty value is taken as absent instead of 400", Kills: []string{"E400-empty-parameter"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("GET /callcases/") {
				return false
			}
			q := c.URL.Query()
			for name, values := range q {
				if len(values) == 1 && values[0] == "" && name != "project" {
					q.Del(name)
				}
			}
			replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() }))
			return true
		})},
	{Name: "uuid-taken-by-external-id-209", Breaks: "a create by external id with a taken uuid answers 209 instead of 409", Kills: []string{"E409-uuid-taken"},
		build: recodeOn("POST /projects/{project}/callcases/", http.StatusConflict, 209)},
}

// truncatedExternalIDs cuts the external ids of a body on routes (of each
// item of a batch's callcase list when batch) to 255 characters before the
// conforming server reads them.
func truncatedExternalIDs(batch bool, routes ...string) builder {
	cut := func(s string) string {
		if r := []rune(s); len(r) > 255 {
			return string(r[:255])
		}
		return s
	}
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !slices.ContainsFunc(routes, c.is) {
			return false
		}
		var body []byte
		if c.inXML() {
			root, ok := parseXML(c.body)
			if !ok {
				return false
			}
			cases := []*xmlNode{root}
			if batch {
				cases = root.elements()
			}
			for _, n := range cases {
				if id := n.child("id"); id != nil {
					id.content = []any{cut(id.text())}
				}
			}
			body = root.bytes()
		} else {
			m := c.jsonBody()
			if m == nil {
				return false
			}
			cases := []any{m}
			if batch {
				cases, _ = m["callcase"].([]any)
			}
			for _, item := range cases {
				if obj, ok := item.(map[string]any); ok {
					if id, ok := obj["id"].(string); ok {
						obj["id"] = cut(id)
					}
				}
			}
			body, _ = json.Marshal(m)
		}
		replay(w, t.send(c, withBody(body)))
		return true
	})
}
