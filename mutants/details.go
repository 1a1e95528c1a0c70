package mutants

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
)

// The mutants of rules of docs/rules.md that no condition certified at
// first: the body's size limit, lastModified moving forward, a case
// created without a comment, the commands a completed run takes, and
// uuids taken across projects.
func init() { catalogue = append(catalogue, detailMutants...) }

// maxBody is the size past which a request body is 400 (docs/rules.md, media types).
const maxBody = 16 << 20

var detailMutants = []Mutant{
	{Name: "body-too-large-413", Breaks: "a body over 16 MiB answers 413 Request Entity Too Large (a proxy's limit), a code the table does not have, instead of 400", Kills: []string{"E400-body-too-large"},
		build: recodeWhen("", http.StatusBadRequest, http.StatusRequestEntityTooLarge, func(c *call) bool { return len(c.body) > maxBody })},

	{Name: "update-keeps-last-modified", Breaks: "an update leaves lastModified where the create put it: a case reads back with lastModified its creationDate", Kills: []string{"S200-last-modified"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny("GET /callcases/{uuid}", "GET /projects/{project}/callcases/{id}") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusOK {
				editJSON(rec, func(m map[string]any) { m["lastModified"] = m["creationDate"] })
				editXML(rec, func(root *xmlNode) {
					if lm, cd := root.child("lastModified"), root.child("creationDate"); lm != nil && cd != nil {
						lm.content = []any{cd.text()}
					}
				})
			}
			replay(w, rec)
			return true
		})},

	{Name: "comment-null-string", Breaks: `a case created without a comment is stored with the comment "null" (a null written as text)`, Kills: []string{"S200-comment-absent"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny("POST /callcases/", "POST /projects/{project}/callcases/") {
				return false
			}
			// The body goes on as it came, so that one the server must refuse
			// still is; the stored "null" is written behind the answer.
			rec := t.send(c, nil)
			if rec.Code != http.StatusCreated {
				replay(w, rec)
				return true
			}
			if _, given := c.member("comment"); !given {
				uuid := path.Base(rec.Header().Get("Location"))
				body, _ := json.Marshal(map[string]string{"uuid": uuid, "comment": "null"})
				r := httptest.NewRequestWithContext(c.Context(), http.MethodPut, apiPrefix+"json/callcases/", bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				t.asAdmin(r)
				t.next.ServeHTTP(httptest.NewRecorder(), r)
			}
			replay(w, rec)
			return true
		})},
	{Name: "empty-comment-dropped", Breaks: "a case's empty comment reads back absent, not as the empty comment it was created with", Kills: []string{"S200-comment-absent"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny("GET /callcases/{uuid}", "GET /projects/{project}/callcases/{id}") {
				return false
			}
			rec := t.send(c, nil)
			if rec.Code == http.StatusOK {
				editJSON(rec, func(m map[string]any) {
					if m["comment"] == "" {
						delete(m, "comment")
					}
				})
				editXML(rec, func(root *xmlNode) {
					if n := root.child("comment"); n != nil && n.text() == "" {
						root.drop("comment")
					}
				})
			}
			replay(w, rec)
			return true
		})},

	{Name: "completed-run-delete-500", Breaks: "delete on a completed run answers 500, as start does, instead of 200", Kills: []string{"S200-calllist-completed"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /projects/{project}/calllist/") || c.form().Get("cmd") != "delete" || projectState(t, c, c.params["project"]) != "completed" {
				return false
			}
			status(w, http.StatusInternalServerError)
			return true
		})},
	{Name: "completed-run-stop-stops", Breaks: "stop or delete on a completed run answers 200 and leaves the project stopped, not completed", Kills: []string{"S200-calllist-completed"},
		build: func() handler {
			var mu sync.Mutex
			stopped := map[string]bool{}
			return func(t *target, w http.ResponseWriter, c *call) bool {
				switch {
				case c.is("POST /projects/{project}/calllist/"):
					project, cmd := c.params["project"], c.form().Get("cmd")
					completed := projectState(t, c, project) == "completed"
					rec := t.send(c, nil)
					if completed && rec.Code == http.StatusOK && (cmd == "stop" || cmd == "delete") {
						mu.Lock()
						stopped[project] = true
						mu.Unlock()
					}
					replay(w, rec)
					return true
				case c.is("GET /projects/{project}"):
					mu.Lock()
					moved := stopped[c.params["project"]]
					mu.Unlock()
					if !moved {
						return false
					}
					rec := t.send(c, nil)
					if rec.Code == http.StatusOK {
						setMember(rec, "state", "stopped")
					}
					replay(w, rec)
					return true
				}
				return false
			}
		}},

	{Name: "uuid-taken-per-project", Breaks: "a create checks a client uuid within its project only: one another project's case has is written over it (the case moves), 201 instead of 409", Kills: []string{"E409-uuid-taken-other-project"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.isAny("POST /callcases/", "POST /projects/{project}/callcases/") || c.user != t.admin[0] {
				return false
			}
			uuid, ok := c.member("uuid")
			project := c.params["project"]
			if c.is("POST /callcases/") {
				project = c.URL.Query().Get("project")
			}
			if !ok || uuid == "" || project == "" {
				return false
			}
			stored := t.get(c, apiPrefix+"json/callcases/"+urlEscape(uuid))
			var old struct {
				Parent struct {
					UUID string `json:"uuid"`
				} `json:"parent"`
			}
			if stored.Code != http.StatusOK || json.Unmarshal(stored.Body.Bytes(), &old) != nil || old.Parent.UUID == project {
				return false
			}
			r := httptest.NewRequestWithContext(c.Context(), http.MethodDelete, apiPrefix+"json/callcases/"+urlEscape(uuid), nil)
			t.asAdmin(r)
			t.next.ServeHTTP(httptest.NewRecorder(), r)
			replay(w, t.send(c, nil))
			return true
		})},
}

// projectState reads a project's state from the conforming server; "" when
// it cannot.
func projectState(t *target, c *call, project string) string {
	rec := t.get(c, apiPrefix+"json/projects/"+urlEscape(project))
	var p struct {
		State string `json:"state"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
		return ""
	}
	return strings.TrimSpace(p.State)
}
