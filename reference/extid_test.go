package reference

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func extPath(project, id string) string {
	return api("/projects/" + project + "/callcases/" + url.PathEscape(id))
}

func TestCreateByExternalID(t *testing.T) { // S201-create-ext
	h := start(t)
	const id = "crm 42/7 ☎"
	e := h.do("POST", api("/projects/"+h.fx.Project+"/callcases/"), withJSON(map[string]any{"id": id, "title": "Петров"})).is(201)
	e.statusBody()
	uuid := e.created(h)
	c := h.getCase(uuid)
	if deref(c.ID) != `"`+id+`"` || c.Title != "Петров" {
		t.Errorf("Location %s reads %+v", e.header.Get("Location"), c)
	}
	// a slash in the id travels percent-encoded
	if got := h.do("GET", extPath(h.fx.Project, id)).is(200).callCase(); got.UUID != uuid {
		t.Errorf("by id: %s, want %s", got.UUID, uuid)
	}
	// ids are per project: the same id elsewhere is another case
	h.do("POST", api("/projects/"+h.fx.AutoProject+"/callcases/"), withJSON(map[string]any{"id": id, "title": "t"})).is(201)
	h.do("GET", extPath(h.fx.AutoProject, id)).is(200)
}

func TestDuplicateExternalID(t *testing.T) { // E209-duplicate-ext-id
	h := start(t)
	target := api("/projects/" + h.fx.Project + "/callcases/")
	h.do("POST", target, withJSON(map[string]any{"id": "dup", "title": "first"})).is(201)
	h.do("POST", target, withJSON(map[string]any{"id": "dup", "title": "second"})).is(209).statusBody()
	// 209 before 409: the data's external id decides first
	h.do("POST", target, withJSON(map[string]any{"id": "dup", "title": "t", "uuid": h.fx.Project})).is(209)
	h.do("POST", target, withJSON(map[string]any{"id": "other", "title": "t", "uuid": h.fx.Project})).is(409)
	if n := h.caseCount(); n != 1 {
		t.Errorf("%d cases, want only the first", n)
	}
	if c := h.do("GET", extPath(h.fx.Project, "dup")).is(200).callCase(); c.Title != "first" {
		t.Errorf("the case is %q", c.Title)
	}
}

func TestCreateByExternalIDBadRequests(t *testing.T) {
	h := start(t)
	target := api("/projects/" + h.fx.Project + "/callcases/")
	for name, body := range map[string]string{
		"no id":                                `{"title":"t"}`,
		"null id":                              `{"id":null,"title":"t"}`,
		"empty id":                             `{"id":"","title":"t"}`,
		"id a number":                          `{"id":7,"title":"t"}`,
		"id with a character XML cannot carry": `{"id":"a\u0001b","title":"t"}`,
		"no title":                             `{"id":"x"}`,
		"malformed":                            `{`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("POST", target, withRaw("application/json", body)).is(400).statusBody()
		})
	}
	h.do("POST", api("/projects/nosuchproject/callcases/"), withJSON(map[string]any{"id": "x", "title": "t"})).is(404)
	// 400 before 404
	h.do("POST", api("/projects/nosuchproject/callcases/"), withJSON(map[string]any{"title": "t"})).is(400)
	if n := h.caseCount(); n != 0 {
		t.Errorf("%d cases after bad requests", n)
	}
}

// twins makes two cases sharing an external id, as only POST /callcases/ can.
func twins(h *harness, id string) []string {
	h.t.Helper()
	return []string{
		h.create(map[string]any{"id": id, "title": "one"}),
		h.create(map[string]any{"id": id, "title": "two"}),
	}
}

func TestSharedExternalID(t *testing.T) { // E300-get, E300-put, E300-delete
	h := start(t)
	both := twins(h, "twin")
	for _, e := range []*exchange{
		h.do("GET", extPath(h.fx.Project, "twin")),
		h.do("PUT", api("/projects/"+h.fx.Project+"/callcases/"), withJSON(map[string]any{"id": "twin", "title": "changed"})),
		h.do("DELETE", extPath(h.fx.Project, "twin")),
	} {
		sb := e.is(300).statusBody()
		if !slices.Equal(sb.UUIDs, both) {
			t.Errorf("%s: uuids %v, want %v", e.req, sb.UUIDs, both)
		}
	}
	for i, uuid := range both {
		if c := h.getCase(uuid); c.Title != []string{"one", "two"}[i] || c.LastModified != c.CreationDate {
			t.Errorf("case %s changed: %+v", uuid, c)
		}
	}
	// once one of them has another id, the id is unique again
	h.do("PUT", api("/callcases/"), withJSON(map[string]any{"uuid": both[1], "id": "single"})).is(200)
	h.do("GET", extPath(h.fx.Project, "twin")).is(200)
}

func TestUpdateByExternalID(t *testing.T) {
	h := start(t)
	uuid := h.create(map[string]any{"id": "e1", "title": "old", "comment": "keep"})
	h.do("PUT", api("/projects/"+h.fx.Project+"/callcases/"), withJSON(map[string]any{"id": "e1", "title": "new", "priority": 5, "uuid": "ignored0uuid"})).is(200).statusBody()
	c := h.getCase(uuid)
	if c.Title != "new" || c.Priority != 5 || c.Comment != "keep" || deref(c.ID) != `"e1"` {
		t.Errorf("after update by id: %+v", c)
	}
	target := api("/projects/" + h.fx.Project + "/callcases/")
	h.do("PUT", target, withJSON(map[string]any{"id": "nosuchid", "title": "t"})).is(404).statusBody()
	h.do("PUT", api("/projects/nosuchproject/callcases/"), withJSON(map[string]any{"id": "e1", "title": "t"})).is(404)
	for name, body := range map[string]string{
		"no id":       `{"title":"t"}`,
		"empty id":    `{"id":"","title":"t"}`,
		"empty title": `{"id":"e1","title":""}`,
		"malformed":   `{"id":`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("PUT", target, withRaw("application/json", body)).is(400)
		})
	}
	if c := h.getCase(uuid); c.Title != "new" {
		t.Errorf("bad updates changed the title to %q", c.Title)
	}
}

func TestReadAndDeleteByExternalID(t *testing.T) { // E404 unknown external id
	h := start(t)
	uuid := h.create(map[string]any{"id": "e1", "title": "t"})
	h.do("GET", extPath(h.fx.Project, "nosuchid")).is(404).statusBody()
	h.do("DELETE", extPath(h.fx.Project, "nosuchid")).is(404)
	h.do("GET", extPath("nosuchproject", "e1")).is(404)
	h.do("GET", extPath(h.fx.AutoProject, "e1")).is(404) // ids are looked up per project
	h.do("GET", extPath(h.fx.Project, strings.Repeat("x", 256))).is(400)
	h.do("DELETE", extPath(h.fx.Project, "e1")).is(200).statusBody()
	h.do("GET", api("/callcases/"+uuid)).is(404)
	h.do("GET", extPath(h.fx.Project, "e1")).is(404)
}
