package mutants

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Bugs nobody listed: each is a realistic deviation that no hand-written
// condition kills and exploration (S200-explore-stateful,
// E400-explore-bad-input) does, in either format.

func init() { catalogue = append(catalogue, explorationMutants...) }

const (
	stateful = "S200-explore-stateful"
	badInput = "E400-explore-bad-input"
)

var explorationMutants = []Mutant{
	// Values altered on their way into storage.
	{Name: "comment-trimmed", Breaks: "a comment is stored without the spaces at either end", Kills: []string{"S200-get"},
		build: storing(func(name, v string) string {
			if name == "comment" {
				return strings.TrimSpace(v)
			}
			return v
		})},
	{Name: "title-trailing-spaces-dropped", Breaks: "a title is stored without its trailing spaces", Kills: []string{"S200-get"},
		build: storing(func(name, v string) string {
			if name == "title" {
				return strings.TrimRight(v, " ")
			}
			return v
		})},
	{Name: "comment-truncated-254", Breaks: "a comment is stored cut to 254 characters", Kills: []string{stateful},
		build: storing(func(name, v string) string {
			if name == "comment" && utf8.RuneCountInString(v) > 254 {
				return string([]rune(v)[:254])
			}
			return v
		})},
	{Name: "title-truncated-254", Breaks: "a title is stored cut to 254 characters", Kills: []string{stateful},
		build: storing(func(name, v string) string {
			if name == "title" && utf8.RuneCountInString(v) > 254 {
				return string([]rune(v)[:254])
			}
			return v
		})},
	{Name: "crlf-stored-as-lf", Breaks: "CRLF in a title or comment is stored as LF", Kills: []string{"S200-get"},
		build: storing(func(name, v string) string {
			if name == "title" || name == "comment" {
				return strings.ReplaceAll(v, "\r\n", "\n")
			}
			return v
		})},
	{Name: "outside-bmp-replaced", Breaks: "characters outside the Basic Multilingual Plane are stored as U+FFFD (a three-byte UTF-8 column)", Kills: []string{"S200-get"},
		build: storing(func(name, v string) string {
			if name != "title" && name != "comment" {
				return v
			}
			return strings.Map(func(r rune) rune {
				if r > 0xFFFF {
					return utf8.RuneError
				}
				return r
			}, v)
		})},
	{Name: "phone-value-trimmed", Breaks: "a phone number's value is stored without the spaces at either end", Kills: []string{stateful},
		build: storing(func(name, v string) string {
			if name == "phoneNumber" {
				return strings.TrimSpace(v)
			}
			return v
		})},
	{Name: "tab-stored-as-space", Breaks: "a tab in a title or comment is stored as a space", Kills: []string{stateful},
		build: storing(func(name, v string) string {
			if name == "title" || name == "comment" {
				return strings.ReplaceAll(v, "\t", " ")
			}
			return v
		})},
	{Name: "external-id-case-folded", Breaks: "external ids are stored in lower case, so ids that differ only in letter case collide", Kills: []string{stateful},
		build: storing(func(name, v string) string {
			if name == "id" {
				return strings.ToLower(v)
			}
			return v
		})},
	{Name: "external-id-trimmed", Breaks: "external ids are stored without the spaces at either end", Kills: []string{stateful},
		build: storing(func(name, v string) string {
			if name == "id" {
				return strings.TrimSpace(v)
			}
			return v
		})},
	{Name: "update-ignores-id", Breaks: "an update by uuid does not change the external id", Kills: []string{"E400-external-id-length-body"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("PUT /callcases/") {
				return false
			}
			b, ok := rewriteCases(c, func(m caseBody) { m.drop("id") })
			if !ok {
				return false
			}
			replay(w, t.send(c, withBody(b)))
			return true
		})},
	{Name: "update-drops-phones", Breaks: "a partial update that carries no phoneNumbers clears them", Kills: []string{stateful},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("PUT /callcases/") && !c.is("PUT /projects/{project}/callcases/") {
				return false
			}
			b, ok := rewriteCases(c, func(m caseBody) {
				if !m.has("phoneNumbers") {
					m.setEmpty("phoneNumbers")
				}
			})
			if !ok {
				return false
			}
			replay(w, t.send(c, withBody(b)))
			return true
		})},
	{Name: "priority-max-rejected", Breaks: "priority 2^53 - 1, the largest allowed, answers 400 (a bound off by one)", Kills: []string{stateful},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !writesCases(c) || !bytes.Contains(c.body, []byte("9007199254740991")) {
				return false
			}
			status(w, http.StatusBadRequest)
			return true
		})},

	{Name: "update-zeroes-priority", Breaks: "a partial update, by uuid or by external id, that carries no priority stores priority 0", Kills: []string{stateful},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("PUT /callcases/") && !c.is("PUT /projects/{project}/callcases/") {
				return false
			}
			b, ok := rewriteCases(c, func(m caseBody) {
				if !m.has("priority") {
					m.put("priority", "0")
				}
			})
			if !ok {
				return false
			}
			replay(w, t.send(c, withBody(b)))
			return true
		})},
	{Name: "external-id-255-refused", Breaks: "an external id of 255 characters, the longest allowed, answers 400 in a body or a path (a bound off by one)", Kills: []string{stateful},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			long := func(id string) bool { return utf8.RuneCountInString(id) == 255 }
			if user, pass, _ := c.BasicAuth(); user != t.admin[0] || pass != t.admin[1] {
				return false // credentials and rights come first
			}
			switch {
			case c.is("GET /projects/{project}/callcases/{id}") || c.is("DELETE /projects/{project}/callcases/{id}"):
				if !long(c.params["id"]) {
					return false
				}
			case writesCases(c) && !strings.Contains(c.route, "batch"):
				id, ok := c.member("id")
				if !ok || !long(id) {
					return false
				}
			default:
				return false
			}
			status(w, http.StatusBadRequest)
			return true
		})},

	// State that outlives what should have removed it, and dates that move.
	{Name: "stale-external-id-after-delete", Breaks: "a case deleted by uuid still answers a read by its external id", Kills: []string{stateful}, build: staleAfterDelete},
	{Name: "stale-external-id-after-change", Breaks: "an external id changed by an update still reads the case", Kills: []string{stateful}, build: staleAfterChange},
	{Name: "read-by-external-id-touches", Breaks: "a read by external id moves the case's lastModified", Kills: []string{stateful},
		build: on("GET /projects/{project}/callcases/{id}", func(t *target, c *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			if rec.Code == http.StatusOK {
				touch(t, c, uuidIn(rec))
			}
			return rec
		})},
	{Name: "batch-delete-keeps-external-id", Breaks: "a case deleted in a batch still answers a read by its external id", Kills: []string{stateful}, build: staleAfterBatchDelete},
	{Name: "set-state-moves-creation-date", Breaks: "after set-state a case's creationDate reads as its lastModified", Kills: []string{stateful}, build: creationMoves},

	// Bad input the server accepts.
	{Name: "trailing-text-accepted", Breaks: "a body with text or a second root after its value is read up to the value's end", Kills: []string{badInput},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if len(c.body) == 0 || c.route == "" || strings.HasSuffix(c.route, "set-state") || strings.HasSuffix(c.route, "calllist/") {
				return false
			}
			b, ok := firstValue(c)
			if !ok {
				return false
			}
			replay(w, t.send(c, withBody(b)))
			return true
		})},
	{Name: "page-parsed-leniently", Breaks: "a page such as 1.5, 2.0 or \" 1\" is read as a number", Kills: []string{"E400-page-not-digits"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			q := c.URL.Query()
			p := q.Get("page")
			if !c.is("GET /callcases/") || p == "" {
				return false
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
			if err != nil || strconv.Itoa(int(f)) == p || f < 1 {
				return false
			}
			q.Set("page", strconv.Itoa(int(f)))
			replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() }))
			return true
		})},
	{Name: "enums-case-insensitive", Breaks: "states and phone number types are read in any letter case (NEW, home)", Kills: []string{badInput},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			switch {
			case c.is("GET /callcases/") && c.URL.Query().Get("state") != strings.ToLower(c.URL.Query().Get("state")):
				q := c.URL.Query()
				q.Set("state", strings.ToLower(q.Get("state")))
				replay(w, t.send(c, func(r *http.Request) { r.URL.RawQuery = q.Encode() }))
			case c.is("POST /callcases/{uuid}/set-state") && c.form().Get("state") != strings.ToLower(c.form().Get("state")):
				f := c.form()
				f.Set("state", strings.ToLower(f.Get("state")))
				replay(w, t.send(c, withBody([]byte(f.Encode()))))
			case writesCases(c) && bytes.Contains(bytes.ToLower(c.body), []byte("home")) && !bytes.Contains(c.body, []byte("HOME")):
				replay(w, t.send(c, withBody(bytes.ReplaceAll(c.body, []byte("home"), []byte("HOME")))))
			default:
				return false
			}
			return true
		})},
	{Name: "user-name-case-insensitive", Breaks: "a user name is matched in any letter case", Kills: []string{badInput},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			user, pass, ok := c.BasicAuth()
			if !ok || user == t.admin[0] || !strings.EqualFold(user, t.admin[0]) {
				return false
			}
			replay(w, t.send(c, func(r *http.Request) { r.SetBasicAuth(t.admin[0], pass) }))
			return true
		})},
	{Name: "user-name-trimmed", Breaks: "a user name is matched without the spaces at either end", Kills: []string{badInput},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			user, pass, ok := c.BasicAuth()
			if !ok || user == strings.TrimSpace(user) || (strings.TrimSpace(user) != t.admin[0] && strings.TrimSpace(user) != t.readOnly[0]) {
				return false
			}
			replay(w, t.send(c, func(r *http.Request) { r.SetBasicAuth(strings.TrimSpace(user), pass) }))
			return true
		})},
	{Name: "password-trimmed", Breaks: "a password is compared without the spaces at either end", Kills: []string{badInput},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			user, pass, ok := c.BasicAuth()
			if !ok || pass == strings.TrimSpace(pass) {
				return false
			}
			replay(w, t.send(c, func(r *http.Request) { r.SetBasicAuth(user, strings.TrimSpace(pass)) }))
			return true
		})},
	{Name: "external-id-256-truncated", Breaks: "an external id of 256 characters in a body is cut to 255 instead of 400", Kills: []string{"E400-external-id-length-body"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !writesCases(c) {
				return false
			}
			changed := false
			b, ok := rewriteCases(c, func(m caseBody) {
				if id, ok := m.get("id"); ok && utf8.RuneCountInString(id) == 256 {
					m.set("id", string([]rune(id)[:255]))
					changed = true
				}
			})
			if !ok || !changed {
				return false
			}
			replay(w, t.send(c, withBody(b)))
			return true
		})},
	{Name: "priority-past-bound-clamped", Breaks: "a priority over 2^53 - 1 is stored as 2^53 - 1 instead of 400", Kills: []string{"E400-priority-too-large"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !writesCases(c) || !bytes.Contains(c.body, []byte("9007199254740992")) {
				return false
			}
			replay(w, t.send(c, withBody(bytes.ReplaceAll(c.body, []byte("9007199254740992"), []byte(strconv.FormatInt(1<<53-1, 10))))))
			return true
		})},
	{Name: "types-juggled", Breaks: "a member of the wrong type is converted instead of refused: a title 5 is stored as \"5\", a priority \"high\" as 0", Kills: []string{badInput},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !writesCases(c) || refusable(c.body) {
				return false
			}
			changed := false
			b, ok := rewriteCases(c, func(m caseBody) {
				if m.j != nil {
					if n, ok := m.j["title"].(json.Number); ok {
						m.j["title"], changed = n.String(), true
					}
					if s, ok := m.j["priority"].(string); ok {
						m.j["priority"], changed = json.Number(strconv.FormatInt(intval(s), 10)), true
					}
					return
				}
				if p := m.x.child("priority"); p != nil {
					if _, err := strconv.ParseFloat(strings.TrimSpace(p.text()), 64); err != nil {
						p.content, changed = []any{strconv.FormatInt(intval(p.text()), 10)}, true
					}
				}
			})
			if !ok || !changed {
				return false
			}
			replay(w, t.send(c, withBody(b)))
			return true
		})},
	{Name: "refused-update-touches", Breaks: "an update refused with 400 still moves the case's lastModified", Kills: []string{badInput},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("PUT /callcases/") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusBadRequest {
				if uuid, ok := c.member("uuid"); ok {
					touch(t, c, uuid)
				}
			}
			replay(w, rec)
			return true
		})},
}

// writesCases: a create or update of cases by any route.
func writesCases(c *call) bool {
	switch c.route {
	case "POST /callcases/", "PUT /callcases/", "POST /projects/{project}/callcases/", "PUT /projects/{project}/callcases/",
		"POST /projects/{project}/callcases-batch/", "PUT /projects/{project}/callcases-batch/":
		return true
	}
	return false
}

// caseBody is one case of a request body, JSON or XML, to edit.
type caseBody struct {
	j map[string]any
	x *xmlNode
}

func (m caseBody) has(name string) bool {
	if m.j != nil {
		_, ok := m.j[name]
		return ok
	}
	return m.x.child(name) != nil
}

func (m caseBody) get(name string) (string, bool) {
	if m.j != nil {
		s, ok := m.j[name].(string)
		return s, ok
	}
	if n := m.x.child(name); n != nil {
		return n.text(), true
	}
	return "", false
}

func (m caseBody) set(name, v string) {
	if m.j != nil {
		m.j[name] = v
		return
	}
	if n := m.x.child(name); n != nil {
		n.content = []any{v}
	}
}

func (m caseBody) drop(name string) {
	if m.j != nil {
		delete(m.j, name)
		return
	}
	m.x.drop(name)
}

func (m caseBody) setEmpty(name string) {
	if m.j != nil {
		m.j[name] = map[string]any{"phoneNumber": []any{}}
		return
	}
	m.x.content = append(m.x.content, &xmlNode{StartElement: xml.StartElement{Name: xml.Name{Local: name}}})
}

// strings calls alter on each string member a case body names (phone
// numbers' values as "phoneNumber").
func (m caseBody) strings(alter func(name, v string) string) {
	for _, name := range []string{"title", "comment", "id"} {
		if v, ok := m.get(name); ok {
			m.set(name, alter(name, v))
		}
	}
	if m.j != nil {
		phones, _ := m.j["phoneNumbers"].(map[string]any)
		list, _ := phones["phoneNumber"].([]any)
		for _, p := range list {
			if pm, ok := p.(map[string]any); ok {
				if v, ok := pm["value"].(string); ok {
					pm["value"] = alter("phoneNumber", v)
				}
			}
		}
		return
	}
	if phones := m.x.child("phoneNumbers"); phones != nil {
		for _, p := range phones.elements() {
			p.content = []any{alter("phoneNumber", p.text())}
		}
	}
}

// put sets a member to a scalar written as text (a JSON number when it
// reads as one), adding it when absent.
func (m caseBody) put(name, v string) {
	if m.j != nil {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			m.j[name] = json.Number(v)
		} else {
			m.j[name] = v
		}
		return
	}
	if n := m.x.child(name); n != nil {
		n.content = []any{v}
		return
	}
	m.x.add(name, v)
}

// intval reads a number as a lenient reader does: the integer its text
// starts with, 0 when none.
func intval(s string) int64 {
	s = strings.TrimSpace(s)
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

// rewriteCases edits every case a create or update body carries (one, or
// a batch's items), JSON or XML; false when the body is not one.
func rewriteCases(c *call, edit func(caseBody)) ([]byte, bool) {
	if c.inXML() {
		root, ok := parseXML(c.body)
		if !ok {
			return nil, false
		}
		switch root.Name.Local {
		case "callcase":
			edit(caseBody{x: root})
		case "callcases":
			for _, item := range root.elements() {
				edit(caseBody{x: item})
			}
		default:
			return nil, false
		}
		return root.bytes(), true
	}
	d := json.NewDecoder(bytes.NewReader(c.body))
	d.UseNumber()
	var m map[string]any
	if d.Decode(&m) != nil || d.More() {
		return nil, false
	}
	if items, ok := m["callcase"].([]any); ok {
		for _, it := range items {
			if im, ok := it.(map[string]any); ok {
				edit(caseBody{j: im})
			}
		}
	} else {
		edit(caseBody{j: m})
	}
	b, err := json.Marshal(m)
	return b, err == nil
}

// storing alters the strings of every case written, before the conforming
// server stores them.
func storing(alter func(name, v string) string) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !writesCases(c) || refusable(c.body) {
			return false
		}
		b, ok := rewriteCases(c, func(m caseBody) { m.strings(alter) })
		if !ok {
			return false
		}
		replay(w, t.send(c, withBody(b)))
		return true
	})
}

// refusable tells a body the conforming server must refuse for its size
// (over 16 MiB) or its characters (not UTF-8, a control character, an
// escape or a reference that may spell one): a storing mutant leaves it alone, so that it
// breaks only how values are stored, not how bad input is refused.
func refusable(body []byte) bool {
	if len(body) > maxBody { // over 16 MiB: refused before anything is read
		return true
	}
	if !utf8.Valid(body) {
		return true
	}
	for _, r := range string(body) {
		if r < 0x20 && r != '\t' && r != '\r' && r != '\n' {
			return true
		}
	}
	lower := bytes.ToLower(body)
	return bytes.Contains(lower, []byte(`\u00`)) || bytes.Contains(lower, []byte(`\ud`)) || bytes.Contains(lower, []byte("&#"))
}

// uuidIn is the uuid of a case in a recorded read, JSON or XML.
func uuidIn(rec *httptest.ResponseRecorder) string {
	if isXML(rec) {
		if root, ok := parseXML(rec.Body.Bytes()); ok && root.child("uuid") != nil {
			return root.child("uuid").text()
		}
		return ""
	}
	var m struct {
		UUID string `json:"uuid"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return m.UUID
}

// touch writes a case without changing it, as the admin: the conforming
// server moves its lastModified.
func touch(t *target, c *call, uuid string) {
	if uuid == "" {
		return
	}
	r := httptest.NewRequestWithContext(c.Context(), http.MethodPut, apiPrefix+"json/callcases/", strings.NewReader(`{"uuid":`+strconv.Quote(uuid)+`}`))
	r.Header.Set("Content-Type", "application/json")
	t.asAdmin(r)
	t.next.ServeHTTP(httptest.NewRecorder(), r)
}

// readAs reads a case by uuid in a format, as the admin.
func readAs(t *target, c *call, format, uuid string) *httptest.ResponseRecorder {
	return t.get(c, apiPrefix+format+"/callcases/"+url.PathEscape(uuid))
}

// staleReads are reads of cases a delete removed, by project and external
// id, each in both formats: the stale-external-id mutants answer a later
// read by that external id with them.
type staleReads struct {
	mu   sync.Mutex
	kept map[string]map[string]*httptest.ResponseRecorder // project + id -> format -> read
}

// read reads the case with uuid in both formats, as the admin, and gives
// the key it is kept under; ok is false when it has no external id.
func (s *staleReads) read(t *target, c *call, uuid string) (key string, reads map[string]*httptest.ResponseRecorder, ok bool) {
	js := readAs(t, c, "json", uuid)
	var v struct {
		ID     *string `json:"id"`
		Parent struct {
			UUID string `json:"uuid"`
		} `json:"parent"`
	}
	if js.Code != http.StatusOK || json.Unmarshal(js.Body.Bytes(), &v) != nil || v.ID == nil {
		return "", nil, false
	}
	return v.Parent.UUID + "\x00" + *v.ID, map[string]*httptest.ResponseRecorder{"json": js, "xml": readAs(t, c, "xml", uuid)}, true
}

func (s *staleReads) keep(key string, reads map[string]*httptest.ResponseRecorder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kept == nil {
		s.kept = map[string]map[string]*httptest.ResponseRecorder{}
	}
	s.kept[key] = reads
}

// answer serves a read by external id: the kept read where the server
// answers 404.
func (s *staleReads) answer(t *target, w http.ResponseWriter, c *call) {
	rec := t.send(c, nil)
	s.mu.Lock()
	old := s.kept[c.params["project"]+"\x00"+c.params["id"]]
	s.mu.Unlock()
	if rec.Code == http.StatusNotFound && old != nil {
		rec = old[c.format]
	}
	replay(w, rec)
}

// staleAfterDelete remembers each case deleted by uuid, in both formats,
// and answers a later read by its external id with it.
func staleAfterDelete() handler {
	var stale staleReads
	return func(t *target, w http.ResponseWriter, c *call) bool {
		switch {
		case c.is("DELETE /callcases/{uuid}"):
			if key, reads, ok := stale.read(t, c, c.params["uuid"]); ok {
				stale.keep(key, reads)
			}
			return false
		case c.is("GET /projects/{project}/callcases/{id}"):
			stale.answer(t, w, c)
			return true
		}
		return false
	}
}

// staleAfterChange keeps a case findable by the external id an update by
// uuid changed away from.
func staleAfterChange() handler {
	var mu sync.Mutex
	old := map[string]string{} // project + old id -> uuid
	return func(t *target, w http.ResponseWriter, c *call) bool {
		switch {
		case c.is("PUT /callcases/"):
			uuid, ok := c.member("uuid")
			newID, changes := c.member("id")
			if !ok || !changes {
				return false
			}
			before := readAs(t, c, "json", uuid)
			rec := t.send(c, nil)
			var v struct {
				ID     *string `json:"id"`
				Parent struct {
					UUID string `json:"uuid"`
				} `json:"parent"`
			}
			if rec.Code == http.StatusOK && before.Code == http.StatusOK && json.Unmarshal(before.Body.Bytes(), &v) == nil && v.ID != nil && *v.ID != newID {
				mu.Lock()
				old[v.Parent.UUID+"\x00"+*v.ID] = uuid
				mu.Unlock()
			}
			replay(w, rec)
			return true
		case c.is("GET /projects/{project}/callcases/{id}"):
			rec := t.send(c, nil)
			mu.Lock()
			uuid, stale := old[c.params["project"]+"\x00"+c.params["id"]]
			mu.Unlock()
			if rec.Code == http.StatusNotFound && stale {
				if r := readAs(t, c, c.format, uuid); r.Code == http.StatusOK {
					rec = r
				}
			}
			replay(w, rec)
			return true
		}
		return false
	}
}

// batchKeys are the uuids and the external ids a batch delete names, JSON
// or XML.
func batchKeys(c *call) (uuids, ids []string) {
	if c.inXML() {
		root, _ := parseXML(c.body)
		for _, e := range root.elements() {
			switch e.Name.Local {
			case "uuid":
				uuids = append(uuids, e.text())
			case "id":
				ids = append(ids, e.text())
			}
		}
		return uuids, ids
	}
	var v struct {
		UUID []any `json:"uuid"`
		ID   []any `json:"id"`
	}
	_ = json.Unmarshal(c.body, &v)
	for _, u := range v.UUID {
		if s, ok := u.(string); ok {
			uuids = append(uuids, s)
		}
	}
	for _, id := range v.ID {
		if s, ok := id.(string); ok {
			ids = append(ids, s)
		}
	}
	return uuids, ids
}

// staleAfterBatchDelete remembers each case a batch delete removed, in
// both formats, and answers a later read by its external id with it.
func staleAfterBatchDelete() handler {
	var stale staleReads
	return func(t *target, w http.ResponseWriter, c *call) bool {
		switch {
		case c.is("DELETE /projects/{project}/callcases-batch/"):
			uuids, ids := batchKeys(c)
			for _, id := range ids {
				if u := uuidIn(t.get(c, apiPrefix+"json/projects/"+urlEscape(c.params["project"])+"/callcases/"+urlEscape(id))); u != "" {
					uuids = append(uuids, u)
				}
			}
			type before struct {
				uuid, key string
				reads     map[string]*httptest.ResponseRecorder
			}
			var cases []before
			for _, u := range uuids {
				if key, reads, ok := stale.read(t, c, u); ok {
					cases = append(cases, before{u, key, reads})
				}
			}
			rec := t.send(c, nil)
			for _, b := range cases {
				if readAs(t, c, "json", b.uuid).Code == http.StatusNotFound {
					stale.keep(b.key, b.reads)
				}
			}
			replay(w, rec)
			return true
		case c.is("GET /projects/{project}/callcases/{id}"):
			stale.answer(t, w, c)
			return true
		}
		return false
	}
}

// creationMoves reads, after a set-state, a case's creationDate as its
// lastModified.
func creationMoves() handler {
	var mu sync.Mutex
	moved := map[string]bool{}
	return func(t *target, w http.ResponseWriter, c *call) bool {
		switch {
		case c.is("POST /callcases/{uuid}/set-state"):
			rec := t.send(c, nil)
			if rec.Code == http.StatusOK {
				mu.Lock()
				moved[c.params["uuid"]] = true
				mu.Unlock()
			}
			replay(w, rec)
			return true
		case c.is("GET /callcases/{uuid}"):
			rec := t.send(c, nil)
			mu.Lock()
			m := moved[c.params["uuid"]]
			mu.Unlock()
			if m && rec.Code == http.StatusOK {
				editJSON(rec, func(v map[string]any) { v["creationDate"] = v["lastModified"] })
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
}

// firstValue is the call's body up to the end of its first JSON value or
// XML root element; false when there is nothing after it.
func firstValue(c *call) ([]byte, bool) {
	if c.inXML() {
		d := xml.NewDecoder(bytes.NewReader(c.body))
		depth := 0
		for {
			tok, err := d.Token()
			if err != nil {
				return nil, false
			}
			switch tok.(type) {
			case xml.StartElement:
				depth++
			case xml.EndElement:
				depth--
				if depth == 0 {
					end := d.InputOffset()
					if len(bytes.TrimSpace(c.body[end:])) == 0 {
						return nil, false
					}
					return c.body[:end], true
				}
			}
		}
	}
	d := json.NewDecoder(bytes.NewReader(c.body))
	var v json.RawMessage
	if d.Decode(&v) != nil {
		return nil, false
	}
	rest, _ := io.ReadAll(d.Buffered())
	if len(bytes.TrimSpace(rest)) == 0 && d.InputOffset() >= int64(len(bytes.TrimSpace(c.body))) {
		return nil, false
	}
	return c.body[:d.InputOffset()], true
}

// dropEmpty removes the parameters given with an empty value; false when
// there is none.
func dropEmpty(v url.Values) bool {
	found := false
	for k, vs := range v {
		if len(vs) == 1 && vs[0] == "" {
			delete(v, k)
			found = true
		}
	}
	return found
}
