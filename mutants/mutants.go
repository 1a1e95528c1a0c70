// Package mutants holds named, deliberate deviations from the contract, each
// a realistic bug wrapped around the conforming reference server. The suite
// must fail against every one of them, in the conditions each names: a suite
// that cannot fail proves nothing.
package mutants

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/callcases/conformance/reference"
)

// Mutant is one deviation.
type Mutant struct {
	Name   string
	Breaks string   // the rule it breaks, in one line
	Kills  []string // the conditions whose specs must fail against it
	// Format is the format whose specs must fail ("xml" for a deviation of
	// the XML representation alone); "" when a spec of either may.
	Format string
	// build makes the mutant's handler, one per server, so that a mutant
	// may keep state.
	build builder
}

// handler handles a call and reports whether it answered; a call it does not
// handle goes to the conforming server.
type handler func(t *target, w http.ResponseWriter, c *call) bool

type builder func() handler

// stateless adapts a handler that keeps no state.
func stateless(f handler) builder {
	return func() handler { return f }
}

// onRead edits the conforming server's 200 answers on a route.
func onRead(route string, edit func(rec *httptest.ResponseRecorder)) builder {
	return on(route, func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		if rec.Code == http.StatusOK {
			edit(rec)
		}
		return rec
	})
}

// on answers a route with the conforming answer edited by edit, which
// returns the answer to send instead (or the same one).
func on(route string, edit func(t *target, c *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.is(route) {
			return false
		}
		replay(w, edit(t, c, t.send(c, nil)))
		return true
	})
}

// recodeOn turns one code into another on one route (any route when route
// is ""): the conforming server acts, the answer names the wrong code.
func recodeOn(route string, from, to int) builder {
	return recodeWhen(route, from, to, nil)
}

// Wrap returns the reference server with the named mutant around it.
// Deviation serves s as the named mutant, or as the named variant when
// mutant is "": harness.Deviation's shape, set where mutants may be linked.
func Deviation(mutant, variant string, s *reference.Server, opts reference.Options) (http.Handler, error) {
	if mutant != "" {
		return Wrap(mutant, s, opts)
	}
	return WrapVariant(variant, s)
}

func Wrap(name string, s *reference.Server, opts reference.Options) (http.Handler, error) {
	m, ok := Get(name)
	if !ok {
		return nil, fmt.Errorf("no mutant %q (go run ./cmd/reference -mutants lists them)", name)
	}
	settings := s.Settings("")
	t := &target{
		next:     s,
		fixtures: s.Fixtures(),
		admin:    [2]string{settings["CONFORMANCE_USERNAME"], settings["CONFORMANCE_PASSWORD"]},
		readOnly: [2]string{settings["CONFORMANCE_READONLY_USERNAME"], settings["CONFORMANCE_READONLY_PASSWORD"]},
	}
	serve := m.build()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := newCall(r)
		w = &formatWriter{ResponseWriter: w, xml: c.inXML()}
		if !serve(t, w, c) {
			replay(w, t.send(c, nil))
		}
	}), nil
}

// Get finds a mutant by name.
func Get(name string) (Mutant, bool) {
	i := slices.IndexFunc(All(), func(m Mutant) bool { return m.Name == name })
	if i < 0 {
		return Mutant{}, false
	}
	return All()[i], true
}

// All lists the mutants.
func All() []Mutant { return slices.Concat(catalogue, xmlCatalogue) }

func isReadOnly(t *target, c *call) bool {
	return c.user == t.readOnly[0] && c.Method != http.MethodGet
}

// readOnlyMay lets the read-only user do what route does, as if it had full rights.
func readOnlyMay(route string) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !isReadOnly(t, c) || !c.is(route) {
			return false
		}
		replay(w, t.send(c, t.asAdmin))
		return true
	})
}

func setJSON(rec *httptest.ResponseRecorder, key string, value any) {
	editJSON(rec, func(m map[string]any) { m[key] = value })
}

// setMember sets a string member at the top of a recorded body, JSON or
// XML, so that the deviation is the same in both formats.
func setMember(rec *httptest.ResponseRecorder, key, value string) {
	setJSON(rec, key, value)
	editXML(rec, func(root *xmlNode) {
		if c := root.child(key); c != nil {
			c.content = []any{value}
		} else {
			root.add(key, value)
		}
	})
}

// dropMember removes a member at the top of a recorded body, JSON or XML.
func dropMember(rec *httptest.ResponseRecorder, key string) {
	editJSON(rec, func(m map[string]any) { delete(m, key) })
	editXML(rec, func(root *xmlNode) { root.drop(key) })
}

var catalogue = []Mutant{
	// Successes.
	{Name: "read-drops-phone-numbers", Breaks: "a read returns the case without the phone numbers it was created with", Kills: []string{"S200-get"},
		build: onRead("GET /callcases/{uuid}", func(rec *httptest.ResponseRecorder) {
			setJSON(rec, "phoneNumbers", map[string]any{"phoneNumber": []any{}})
		})},
	{Name: "text-trimmed", Breaks: "a create's title and comment are stored with the spaces at either end trimmed", Kills: []string{"S200-get"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/") {
				return false
			}
			var body []byte
			if c.inXML() {
				root, ok := parseXML(c.body)
				if !ok {
					return false
				}
				for _, name := range []string{"title", "comment"} {
					if n := root.child(name); n != nil {
						n.content = []any{strings.TrimSpace(n.text())}
					}
				}
				body = root.bytes()
			} else {
				m := c.jsonBody()
				if m == nil {
					return false
				}
				for _, name := range []string{"title", "comment"} {
					if s, ok := m[name].(string); ok {
						m[name] = strings.TrimSpace(s)
					}
				}
				body, _ = json.Marshal(m)
			}
			replay(w, t.send(c, withBody(body)))
			return true
		})},
	{Name: "phones-appended", Breaks: "an update carrying phoneNumbers adds them to the stored ones instead of replacing the list", Kills: []string{"S200-update"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			uuid, ok := c.member("uuid")
			if !c.is("PUT /callcases/") || !ok {
				return false
			}
			stored := t.get(c, apiPrefix+"json/callcases/"+urlEscape(uuid))
			var old struct {
				PhoneNumbers struct {
					PhoneNumber []struct {
						Value string `json:"value"`
						Type  string `json:"phoneNumberType"`
					} `json:"phoneNumber"`
				} `json:"phoneNumbers"`
			}
			if stored.Code != http.StatusOK || json.Unmarshal(stored.Body.Bytes(), &old) != nil {
				return false
			}
			var body []byte
			if c.inXML() {
				root, ok := parseXML(c.body)
				if !ok {
					return false
				}
				phones := root.child("phoneNumbers")
				if phones == nil {
					return false
				}
				var kept []any
				for _, p := range old.PhoneNumbers.PhoneNumber {
					kept = append(kept, &xmlNode{StartElement: xml.StartElement{Name: xml.Name{Local: "phoneNumber"},
						Attr: []xml.Attr{{Name: xml.Name{Local: "phoneNumberType"}, Value: p.Type}}}, content: []any{p.Value}})
				}
				phones.content = append(kept, phones.content...)
				body = root.bytes()
			} else {
				m := c.jsonBody()
				phones, _ := m["phoneNumbers"].(map[string]any)
				list, ok := phones["phoneNumber"].([]any)
				if !ok {
					return false
				}
				var kept []any
				for _, p := range old.PhoneNumbers.PhoneNumber {
					kept = append(kept, map[string]any{"value": p.Value, "phoneNumberType": p.Type})
				}
				phones["phoneNumber"] = append(kept, list...)
				body, _ = json.Marshal(m)
			}
			replay(w, t.send(c, withBody(body)))
			return true
		})},
	{Name: "update-not-applied", Breaks: "PUT answers 200 but changes nothing", Kills: []string{"S200-update"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			uuid, ok := c.member("uuid")
			if !c.is("PUT /callcases/") || !ok {
				return false
			}
			rec := t.get(c, apiPrefix+"json/callcases/"+urlEscape(uuid))
			if rec.Code != http.StatusOK {
				return false
			}
			status(w, http.StatusOK)
			return true
		})},
	{Name: "delete-not-applied", Breaks: "DELETE answers 200 but the case stays", Kills: []string{"S200-delete"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("DELETE /callcases/{uuid}") || t.get(c, c.URL.Path).Code != http.StatusOK {
				return false
			}
			status(w, http.StatusOK)
			return true
		})},
	{Name: "date-offset-ignored", Breaks: "set-state reads the date's clock time in the server's zone, dropping its offset", Kills: []string{"S200-state"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/{uuid}/set-state") {
				return false
			}
			form := c.form()
			if d := form.Get("date"); len(d) > 19 {
				form.Set("date", d[:19])
			}
			replay(w, t.send(c, withBody([]byte(form.Encode()))))
			return true
		})},
	{Name: "set-state-reads-query", Breaks: "set-state reads its parameters from the query string too, where they win over the form body", Kills: []string{"S200-state"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/{uuid}/set-state") || len(c.URL.Query()) == 0 {
				return false
			}
			form := c.form()
			for k, v := range c.URL.Query() {
				form[k] = v
			}
			replay(w, t.send(c, withBody([]byte(form.Encode()))))
			return true
		})},
	{Name: "calllist-update-rejected", Breaks: "cmd=update on a stopped project answers 400", Kills: []string{"S200-calllist"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /projects/{project}/calllist/") || c.form().Get("cmd") != "update" {
				return false
			}
			status(w, http.StatusBadRequest)
			return true
		})},
	{Name: "list-drops-last", Breaks: "a list leaves out the last matching case (count still counts it)", Kills: []string{"S200-list", "S204-past-end"},
		build: on("GET /callcases/", func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			editJSON(rec, func(m map[string]any) {
				if l, ok := m["callcase"].([]any); ok && len(l) > 1 {
					m["callcase"] = l[:len(l)-1]
				}
			})
			return rec
		})},
	{Name: "wrong-count", Breaks: "count is one more than the matching cases", Kills: []string{"S200-list", "S204-past-end"},
		build: on("GET /callcases/", func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			editJSON(rec, func(m map[string]any) {
				if n, ok := m["count"].(float64); ok {
					m["count"] = n + 1
				}
			})
			return rec
		})},
	{Name: "page-size-101", Breaks: "a page holds 101 cases instead of 100", Kills: []string{"S204-past-end"}, build: pageSize(101)},
	{Name: "page-size-99", Breaks: "a page holds 99 cases instead of 100", Kills: []string{"S204-past-end"}, build: pageSize(99)},
	{Name: "no-location", Breaks: "201 without Location", Kills: []string{"S201-create"},
		build: on("POST /callcases/", func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			rec.Header().Del("Location")
			return rec
		})},
	{Name: "location-names-another-case", Breaks: "Location names the case created before, not this one", Kills: []string{"S201-create"},
		build: func() handler {
			var mu sync.Mutex
			previous := apiPrefix + "json/callcases/none"
			return func(t *target, w http.ResponseWriter, c *call) bool {
				if !c.is("POST /callcases/") {
					return false
				}
				rec := t.send(c, nil)
				if loc := rec.Header().Get("Location"); loc != "" {
					mu.Lock()
					rec.Header().Set("Location", previous)
					previous = loc
					mu.Unlock()
				}
				replay(w, rec)
				return true
			}
		}},
	{Name: "create-ext-answers-200", Breaks: "a create by external id answers 200 instead of 201", Kills: []string{"S201-create-ext"},
		build: recodeOn("POST /projects/{project}/callcases/", http.StatusCreated, http.StatusOK)},
	{Name: "external-id-global", Breaks: "external ids are unique across projects instead of within one", Kills: []string{"S201-create-ext"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			id, ok := c.member("id")
			if !c.is("POST /projects/{project}/callcases/") || !ok {
				return false
			}
			for _, p := range []string{t.fixtures.Project, t.fixtures.AutoProject, t.fixtures.CompletedProject} {
				if p != c.params["project"] && id != "" && t.get(c, apiPrefix+"json/projects/"+p+"/callcases/"+urlEscape(id)).Code != http.StatusNotFound {
					status(w, 209)
					return true
				}
			}
			return false
		})},
	{Name: "assign-not-applied", Breaks: "assigning an operator answers 201 but the operator is not listed", Kills: []string{"S201-operator"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /projects/{project}/operators/") || c.user != t.admin[0] {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusCreated {
				operator, _ := c.member("uuid")
				r := httptest.NewRequestWithContext(c.Context(), http.MethodDelete, strings.TrimSuffix(c.URL.Path, "/")+"/"+urlEscape(operator), nil)
				t.asAdmin(r)
				t.next.ServeHTTP(httptest.NewRecorder(), r)
			}
			replay(w, rec)
			return true
		})},
	{Name: "empty-list-200", Breaks: "200 with an empty list where 204 is due", Kills: []string{"S204-empty-list", "S204-past-end"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("GET /callcases/") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code != http.StatusNoContent {
				replay(w, rec)
				return true
			}
			page, _ := strconv.Atoi(c.URL.Query().Get("page"))
			writeJSON(w, http.StatusOK, map[string]any{"page": max(page, 1), "count": 0, "callcase": []any{}})
			return true
		})},
	{Name: "past-end-repeats-last-page", Breaks: "a page past the end answers the last page again instead of 204", Kills: []string{"S204-past-end"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("GET /callcases/") {
				return false
			}
			rec := t.send(c, nil)
			page, err := strconv.Atoi(c.URL.Query().Get("page"))
			if rec.Code == http.StatusNoContent && err == nil && page > 1 {
				q := c.URL.Query()
				q.Set("page", strconv.Itoa(page-1))
				rec = t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() })
			}
			replay(w, rec)
			return true
		})},

	// 209 and 300.
	{Name: "409-for-209", Breaks: "409 where 209 is due for an existing external id", Kills: []string{"E209-duplicate-ext-id"},
		build: recodeOn("POST /projects/{project}/callcases/", 209, http.StatusConflict)},
	{Name: "batch-duplicate-created", Breaks: "a batch item with an existing external id is created anyway", Kills: []string{"E209-batch-duplicate"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			if !c.is("POST /projects/{project}/callcases-batch/") || body == nil {
				return false
			}
			rec := t.send(c, nil)
			items, _ := body["callcase"].([]any)
			editJSON(rec, func(m map[string]any) {
				results, _ := m["result"].([]any)
				for i, r := range results {
					item, _ := r.(map[string]any)
					if item == nil || item["code"] != float64(209) || i >= len(items) {
						continue
					}
					one, _ := json.Marshal(items[i])
					direct := t.send(c, func(r *http.Request) {
						r.URL.Path = strings.Replace(r.URL.Path, "callcases-batch/", "", 1)
						r.URL.RawPath = ""
						r.URL.Path = strings.Replace(r.URL.Path, "/projects/"+c.params["project"]+"/", "/callcases/", 1)
						r.URL.RawQuery = "project=" + c.params["project"]
						withBody(one)(r)
					})
					if direct.Code == http.StatusCreated {
						row := recode(direct, http.StatusCreated)
						editJSON(row, func(s map[string]any) { s["id"], s["uuid"] = item["id"], items[i].(map[string]any)["uuid"] })
						var v any
						_ = json.Unmarshal(row.Body.Bytes(), &v)
						results[i] = v
					}
				}
			})
			replay(w, rec)
			return true
		})},
	{Name: "300-without-uuids", Breaks: "300 without uuids", Kills: []string{"E300-get", "E300-put", "E300-delete"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code == http.StatusMultipleChoices {
				dropMember(rec, "uuids")
			}
			replay(w, rec)
			return true
		})},
	{Name: "300-incomplete-uuids", Breaks: "300 whose uuids miss one of the cases found", Kills: []string{"E300-get", "E300-put", "E300-delete"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code == http.StatusMultipleChoices {
				editJSON(rec, func(m map[string]any) {
					if u, ok := m["uuids"].([]any); ok && len(u) > 0 {
						m["uuids"] = append(u[:len(u)-1:len(u)-1], "0000000000")
					}
				})
			}
			replay(w, rec)
			return true
		})},
	{Name: "multiple-get-first", Breaks: "reading a shared external id returns the first case instead of 300", Kills: []string{"E300-get"},
		build: firstOfMultiple("GET /projects/{project}/callcases/{id}", func(t *target, c *call, uuid string) *httptest.ResponseRecorder {
			return t.get(c, apiPrefix+"json/callcases/"+uuid)
		})},
	{Name: "multiple-put-first", Breaks: "updating a shared external id updates the first case instead of 300", Kills: []string{"E300-put"},
		build: firstOfMultiple("PUT /projects/{project}/callcases/", func(t *target, c *call, uuid string) *httptest.ResponseRecorder {
			body := c.jsonBody()
			body["uuid"] = uuid
			b, _ := json.Marshal(body)
			return t.send(c, func(r *http.Request) { r.URL.Path, r.URL.RawPath = apiPrefix+"json/callcases/", ""; withBody(b)(r) })
		})},
	{Name: "multiple-delete-first", Breaks: "deleting a shared external id deletes the first case instead of 300", Kills: []string{"E300-delete"},
		build: firstOfMultiple("DELETE /projects/{project}/callcases/{id}", func(t *target, c *call, uuid string) *httptest.ResponseRecorder {
			return t.send(c, func(r *http.Request) { r.URL.Path, r.URL.RawPath = apiPrefix+"json/callcases/"+uuid, "" })
		})},

	// 400.
	{Name: "empty-body-creates", Breaks: "an empty create body makes an untitled case", Kills: []string{"E400-empty-body"},
		build: createWith(func(c *call) []byte {
			if len(c.body) != 0 {
				return nil
			}
			if c.inXML() {
				return []byte(`<callcase><title>untitled</title></callcase>`)
			}
			return []byte(`{"title":"untitled"}`)
		})},
	{Name: "no-title-accepted", Breaks: "a create without title is accepted", Kills: []string{"E400-no-title"},
		build: createWith(func(c *call) []byte {
			if c.inXML() {
				root, ok := parseXML(c.body)
				if !ok || root.child("title") != nil {
					return nil
				}
				root.add("title", "untitled")
				return root.bytes()
			}
			body := c.jsonBody()
			if body == nil || body["title"] != nil {
				return nil
			}
			body["title"] = "untitled"
			b, _ := json.Marshal(body)
			return b
		})},
	{Name: "malformed-json-500", Breaks: "a malformed body (JSON, or XML under xml) answers 500", Kills: []string{"E400-malformed-json"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/") || len(c.body) == 0 || c.wellFormed() {
				return false
			}
			status(w, http.StatusInternalServerError)
			return true
		})},
	{Name: "content-type-ignored", Breaks: "a body declared text/plain is accepted as the format of the path", Kills: []string{"E400-wrong-content-type"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/") || strings.HasPrefix(c.Header.Get("Content-Type"), c.mediaType()) {
				return false
			}
			replay(w, t.send(c, func(r *http.Request) { r.Header.Set("Content-Type", c.mediaType()) }))
			return true
		})},
	{Name: "no-project-404", Breaks: "a create without the project parameter answers 404", Kills: []string{"E400-no-project"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/") || c.URL.Query().Has("project") {
				return false
			}
			status(w, http.StatusNotFound)
			return true
		})},
	{Name: "unknown-state-404", Breaks: "set-state to an unknown state answers 404", Kills: []string{"E400-unknown-state"},
		build: recodeWhen("POST /callcases/{uuid}/set-state", http.StatusBadRequest, http.StatusNotFound, func(c *call) bool { return c.form().Get("date") == "" })},
	{Name: "bad-date-ignored", Breaks: "set-state ignores a date it cannot read", Kills: []string{"E400-bad-date"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/{uuid}/set-state") {
				return false
			}
			form := c.form()
			if rec := t.send(c, nil); rec.Code != http.StatusBadRequest || form.Get("date") == "" {
				replay(w, rec)
				return true
			}
			form.Del("date")
			replay(w, t.send(c, withBody([]byte(form.Encode()))))
			return true
		})},
	{Name: "page-zero-is-first", Breaks: "page 0 answers the first page", Kills: []string{"E400-page-zero"}, build: badPageIsFirst("0")},
	{Name: "page-abc-is-first", Breaks: "a page that is no number answers the first page", Kills: []string{"E400-page-abc"}, build: badPageIsFirst("abc")},
	{Name: "unknown-cmd-ignored", Breaks: "an unknown call-list command answers 200", Kills: []string{"E400-unknown-cmd"},
		build: recodeOn("POST /projects/{project}/calllist/", http.StatusBadRequest, http.StatusOK)},
	{Name: "empty-batch-200", Breaks: "an empty batch answers 200", Kills: []string{"E400-empty-batch"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			if !c.is("POST /projects/{project}/callcases-batch/") || body == nil {
				return false
			}
			if items, ok := body["callcase"].([]any); !ok || len(items) != 0 {
				return false
			}
			status(w, http.StatusOK)
			return true
		})},
	{Name: "batch-limit-1001", Breaks: "a batch of 1001 items is accepted", Kills: []string{"E400-batch-over-1000"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			body := c.jsonBody()
			items, _ := body["callcase"].([]any)
			if !c.is("POST /projects/{project}/callcases-batch/") || len(items) != 1001 {
				return false
			}
			head, _ := json.Marshal(map[string]any{"callcase": items[:1000]})
			tail, _ := json.Marshal(map[string]any{"callcase": items[1000:]})
			first, second := t.send(c, withBody(head)), t.send(c, withBody(tail))
			editJSON(first, func(m map[string]any) {
				var more map[string]any
				_ = json.Unmarshal(second.Body.Bytes(), &more)
				a, _ := m["result"].([]any)
				b, _ := more["result"].([]any)
				m["result"] = append(a, b...)
			})
			replay(w, first)
			return true
		})},
	{Name: "bad-request-422", Breaks: "422, a code the table does not have, for a bad request", Kills: []string{"E400-no-title", "E400-malformed-json"},
		build: recodeOn("", http.StatusBadRequest, http.StatusUnprocessableEntity)},
	{Name: "english-message-400", Breaks: "the 400 message is in English", Kills: []string{"E400-no-title", "E400-page-zero"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code == http.StatusBadRequest {
				setMember(rec, "message", "Bad request: a parameter is wrong or missing")
			}
			replay(w, rec)
			return true
		})},

	// 401 and 403.
	{Name: "anonymous-reads", Breaks: "a GET without credentials is served", Kills: []string{"E401-no-credentials"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.Header.Get("Authorization") != "" || c.Method != http.MethodGet || c.route == "" {
				return false
			}
			replay(w, t.send(c, t.asAdmin))
			return true
		})},
	{Name: "password-not-checked", Breaks: "a known user is let in with any password", Kills: []string{"E401-wrong-password"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.user != t.admin[0] {
				return false
			}
			replay(w, t.send(c, t.asAdmin))
			return true
		})},
	{Name: "unknown-user-403", Breaks: "an unknown user gets 403 instead of 401", Kills: []string{"E401-unknown-user"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.authOK || c.user == t.admin[0] || c.user == t.readOnly[0] {
				return false
			}
			status(w, http.StatusForbidden)
			return true
		})},
	{Name: "malformed-auth-400", Breaks: "a malformed Authorization header answers 400", Kills: []string{"E401-malformed-header"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.Header.Get("Authorization") == "" || c.authOK {
				return false
			}
			status(w, http.StatusBadRequest)
			return true
		})},
	{Name: "no-www-authenticate", Breaks: "401 without WWW-Authenticate", Kills: []string{"E401-no-credentials", "E401-wrong-password", "E401-unknown-user", "E401-malformed-header", "P-401-before-404"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			rec.Header().Del("WWW-Authenticate")
			replay(w, rec)
			return true
		})},
	{Name: "basic-lookalike-challenge", Breaks: "a 401 challenges with a scheme that only starts like Basic (Basic-Legacy)", Kills: []string{"E401-no-credentials", "E401-wrong-password", "E401-unknown-user", "E401-malformed-header", "P-401-before-404"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code == http.StatusUnauthorized {
				rec.Header().Set("WWW-Authenticate", `Basic-Legacy realm="callcases"`)
			}
			replay(w, rec)
			return true
		})},
	{Name: "route-before-auth", Breaks: "a request without credentials to a missing resource gets 404 before 401", Kills: []string{"P-401-before-404"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if c.Header.Get("Authorization") != "" {
				return false
			}
			if rec := t.send(c, t.asAdmin); rec.Code == http.StatusNotFound {
				replay(w, rec)
				return true
			}
			return false
		})},
	{Name: "route-before-rights", Breaks: "the read-only user's write to a missing path gets 404 before 403", Kills: []string{"P-403-before-404"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !isReadOnly(t, c) || c.route != "" || !strings.HasPrefix(c.URL.Path, apiPrefix) {
				return false
			}
			status(w, http.StatusNotFound)
			return true
		})},
	{Name: "readonly-may-create", Breaks: "the read-only user may create cases", Kills: []string{"E403-create"}, build: readOnlyMay("POST /callcases/")},
	{Name: "readonly-may-update", Breaks: "the read-only user may update cases", Kills: []string{"E403-update"}, build: readOnlyMay("PUT /callcases/")},
	{Name: "readonly-may-delete", Breaks: "the read-only user may delete cases", Kills: []string{"E403-delete"}, build: readOnlyMay("DELETE /callcases/{uuid}")},
	{Name: "readonly-may-set-state", Breaks: "the read-only user may change states", Kills: []string{"E403-set-state"}, build: readOnlyMay("POST /callcases/{uuid}/set-state")},
	{Name: "readonly-may-assign", Breaks: "the read-only user may assign operators", Kills: []string{"E403-operators"}, build: readOnlyMay("POST /projects/{project}/operators/")},
	{Name: "readonly-may-set-faults", Breaks: "the read-only user may set faults", Kills: []string{"E403-fault-hook"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !isReadOnly(t, c) || !strings.HasPrefix(c.URL.Path, "/faults/") {
				return false
			}
			replay(w, t.send(c, t.asAdmin))
			return true
		})},
	{Name: "forbidden-wrong-message", Breaks: "403 on the call list says «Access denied» in English", Kills: []string{"E403-calllist"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !isReadOnly(t, c) || !c.is("POST /projects/{project}/calllist/") {
				return false
			}
			rec := t.send(c, nil)
			setMember(rec, "message", "Access denied")
			replay(w, rec)
			return true
		})},

	// 404.
	{Name: "unknown-uuid-400", Breaks: "reading an unknown uuid answers 400", Kills: []string{"E404-get"}, build: recodeOn("GET /callcases/{uuid}", http.StatusNotFound, http.StatusBadRequest)},
	{Name: "unknown-uuid-update-200", Breaks: "updating an unknown uuid answers 200", Kills: []string{"E404-put"}, build: recodeOn("PUT /callcases/", http.StatusNotFound, http.StatusOK)},
	{Name: "delete-idempotent-200", Breaks: "deleting an unknown uuid answers 200", Kills: []string{"E404-delete"}, build: recodeOn("DELETE /callcases/{uuid}", http.StatusNotFound, http.StatusOK)},
	{Name: "unknown-uuid-state-200", Breaks: "set-state of an unknown uuid answers 200", Kills: []string{"E404-state"}, build: recodeOn("POST /callcases/{uuid}/set-state", http.StatusNotFound, http.StatusOK)},
	{Name: "unknown-project-defaults", Breaks: "a create in an unknown project lands in the main project", Kills: []string{"E404-project-param"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/") || !c.URL.Query().Has("project") || t.get(c, apiPrefix+"json/projects/"+urlEscape(c.URL.Query().Get("project"))).Code != http.StatusNotFound {
				return false
			}
			replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = "project=" + t.fixtures.Project }))
			return true
		})},
	{Name: "unknown-external-id-204", Breaks: "reading an unknown external id answers 204", Kills: []string{"E404-external-id"},
		build: recodeOn("GET /projects/{project}/callcases/{id}", http.StatusNotFound, http.StatusNoContent)},
	{Name: "calllist-unknown-project-200", Breaks: "a command to an unknown project answers 200", Kills: []string{"E404-calllist-project"}, build: recodeOn("POST /projects/{project}/calllist/", http.StatusNotFound, http.StatusOK)},
	{Name: "unknown-operator-201", Breaks: "assigning an operator that does not exist answers 201", Kills: []string{"E404-operator"}, build: recodeOn("POST /projects/{project}/operators/", http.StatusNotFound, http.StatusCreated)},
	{Name: "wrong-message-404", Breaks: "404 says «Объект не найден» instead of the table's message", Kills: []string{"E404-get", "E404-delete", "S200-delete"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code == http.StatusNotFound {
				setMember(rec, "message", "Объект не найден")
			}
			replay(w, rec)
			return true
		})},

	// 409.
	{Name: "uuid-taken-overwrites", Breaks: "a create with a taken uuid replaces the case", Kills: []string{"E409-uuid-taken"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			uuid, ok := c.member("uuid")
			if !c.is("POST /callcases/") || !ok || c.user != t.admin[0] {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusConflict {
				r := httptest.NewRequestWithContext(c.Context(), http.MethodDelete, apiPrefix+"json/callcases/"+urlEscape(uuid), nil)
				t.asAdmin(r)
				t.next.ServeHTTP(httptest.NewRecorder(), r)
				rec = t.send(c, nil)
			}
			replay(w, rec)
			return true
		})},
	{Name: "wrong-text-409", Breaks: "409 says text «Duplicate» instead of «Conflict»", Kills: []string{"E409-uuid-taken", "E409-operator-assigned"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code == http.StatusConflict {
				setMember(rec, "text", "Duplicate")
			}
			replay(w, rec)
			return true
		})},
	{Name: "reassign-201", Breaks: "assigning an operator already assigned answers 201", Kills: []string{"E409-operator-assigned"}, build: recodeOn("POST /projects/{project}/operators/", http.StatusConflict, http.StatusCreated)},

	// 500, 501, 503, 504.
	{Name: "completed-run-starts", Breaks: "start on a completed run answers 200", Kills: []string{"E500-start-completed"},
		build: recodeOn("POST /projects/{project}/calllist/", http.StatusInternalServerError, http.StatusOK)},
	{Name: "dialer-down-503", Breaks: "503 where the dialer's 500 is due", Kills: []string{"E500-dialer-down"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /projects/{project}/calllist/") || c.form().Get("cmd") == "start" {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusInternalServerError {
				rec = recode(rec, http.StatusServiceUnavailable)
			}
			replay(w, rec)
			return true
		})},
	{Name: "automatic-mode-managed", Breaks: "operators are managed on an automatic-mode project", Kills: []string{"E501-operators-mode"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code == http.StatusNotImplemented {
				code := http.StatusOK
				if c.Method == http.MethodPost {
					code = http.StatusCreated
				}
				rec = recode(rec, code)
			}
			replay(w, rec)
			return true
		})},
	{Name: "integration-down-500", Breaks: "500 where 503 is due while the integration service is down", Kills: []string{"E503-integration-down"},
		build: recodeOn("", http.StatusServiceUnavailable, http.StatusInternalServerError)},
	{Name: "integration-down-writes", Breaks: "a create is applied although the integration service is down", Kills: []string{"E503-integration-down"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusServiceUnavailable {
				// Write behind the fault's back: a fault hook that only gates
				// the answer. The fault is lifted where it acts: in the
				// request's scope, if it has one, else for everyone.
				setFault := func(fault string) {
					body, _ := json.Marshal(map[string]string{"fault": fault})
					if scope := c.Header.Get(reference.ScopeHeader); scope != "" {
						body, _ = json.Marshal(map[string]string{"fault": fault, "scope": scope})
					}
					r := httptest.NewRequestWithContext(c.Context(), http.MethodPut, "/faults/integration", bytes.NewReader(body))
					r.Header.Set("Content-Type", "application/json")
					t.asAdmin(r)
					t.next.ServeHTTP(httptest.NewRecorder(), r)
				}
				setFault("none")
				t.send(c, nil)
				setFault("down")
			}
			replay(w, rec)
			return true
		})},
	{Name: "timeout-hangs", Breaks: "the server hangs where it must answer 504", Kills: []string{"E504-timeout"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			rec := t.send(c, nil)
			if rec.Code != http.StatusGatewayTimeout {
				replay(w, rec)
				return true
			}
			<-c.Context().Done() // until the client gives up
			return true
		})},
	{Name: "timeout-503", Breaks: "503 where 504 is due when the integration service times out", Kills: []string{"E504-timeout"},
		build: recodeOn("", http.StatusGatewayTimeout, http.StatusServiceUnavailable)},

	// The contract's shapes.
	{Name: "forbidden-field", Breaks: "a case read carries a named member with a value the schema forbids (its state as a bare string)", Kills: []string{"S200-get"},
		build: onRead("GET /callcases/{uuid}", func(rec *httptest.ResponseRecorder) {
			setMember(rec, "state", "new")
		})},
	{Name: "missing-required-field", Breaks: "a case read lacks lastModified", Kills: []string{"S200-get"},
		build: onRead("GET /callcases/{uuid}", func(rec *httptest.ResponseRecorder) {
			dropMember(rec, "lastModified")
		})},
	{Name: "priority-as-string", Breaks: "priority is written as a string", Kills: []string{"S200-get"},
		build: onRead("GET /callcases/{uuid}", func(rec *httptest.ResponseRecorder) {
			editJSON(rec, func(m map[string]any) { m["priority"] = fmt.Sprint(m["priority"]) })
		})},
}
