package reference

import (
	"net/url"
	"reflect"
	"testing"
)

func TestUnauthorized(t *testing.T) { // E401-*, P-precedence (401 beats 404)
	h := start(t)
	for _, tc := range []struct {
		name string
		opts []option
	}{
		{"no credentials", []option{anonymous()}},
		{"wrong password", []option{as("operator-admin", "wrong")}},
		{"unknown user", []option{as("nobody", "admin-secret")}},
		{"read-only user, full user's password", []option{as("auditor", "admin-secret")}},
		{"empty credentials", []option{as("", "")}},
		{"malformed header", []option{anonymous(), withHeader("Authorization", "Basic !!!not-base64")}},
		{"no colon", []option{anonymous(), withHeader("Authorization", "Basic b3BlcmF0b3ItYWRtaW4=")}},
		{"another scheme", []option{anonymous(), withHeader("Authorization", "Bearer abc")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, target := range []string{
				api("/projects/" + h.fx.Project),
				api("/nosuchpath"),
				"/nosuchpath",
				api("/callcases/nosuchcase"),
				faultsBase + "/",
			} {
				e := h.on(t).do("GET", target, tc.opts...).is(401)
				e.statusBody()
				if got := e.header.Get("WWW-Authenticate"); got != `Basic realm="callcases"` {
					t.Errorf("%s: WWW-Authenticate %q", target, got)
				}
			}
			h.on(t).do("POST", api("/callcases/?project="+h.fx.Project), append(tc.opts, withJSON(map[string]any{"title": "t"}))...).is(401)
		})
	}
	if n := h.caseCount(); n != 0 {
		t.Errorf("%d cases created without credentials", n)
	}
}

func TestReadOnlyUser(t *testing.T) { // E403-*, P-precedence (403 beats 404)
	h := start(t)
	uuid := h.create(map[string]any{"title": "t", "id": "ro"})
	before := h.getCase(uuid)
	p := h.fx.Project
	for _, tc := range []struct {
		name, method, target string
		opts                 []option
	}{
		{"create", "POST", api("/callcases/?project=" + p), []option{withJSON(map[string]any{"title": "t"})}},
		{"create by id", "POST", api("/projects/" + p + "/callcases/"), []option{withJSON(map[string]any{"title": "t", "id": "x"})}},
		{"update", "PUT", api("/callcases/"), []option{withJSON(map[string]any{"uuid": uuid, "title": "changed"})}},
		{"update by id", "PUT", api("/projects/" + p + "/callcases/"), []option{withJSON(map[string]any{"id": "ro", "title": "changed"})}},
		{"delete", "DELETE", api("/callcases/" + uuid), nil},
		{"delete by id", "DELETE", api("/projects/" + p + "/callcases/ro"), nil},
		{"set-state", "POST", api("/callcases/" + uuid + "/set-state"), []option{withForm(url.Values{"state": {"finished"}})}},
		{"batch", "DELETE", batchPath(p), []option{withJSON(map[string]any{"uuid": []string{uuid}})}},
		{"calllist", "POST", api("/projects/" + p + "/calllist/"), []option{withForm(url.Values{"cmd": {"start"}})}},
		{"assign", "POST", api("/projects/" + p + "/operators/"), []option{withJSON(map[string]string{"uuid": h.fx.Operator})}},
		{"unassign", "DELETE", api("/projects/" + h.fx.AutoProject + "/operators/" + h.fx.Operator), nil},
		{"fault hook", "PUT", faultsBase + "/integration", []option{withJSON(map[string]string{"fault": "down"})}},
		{"unknown path", "POST", api("/nosuchpath"), nil},
		{"unknown method", "PATCH", api("/callcases/" + uuid), nil},
		{"bad request", "POST", api("/callcases/"), []option{withRaw("text/plain", "x")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.on(t).do(tc.method, tc.target, append(tc.opts, readOnly())...).is(403).statusBody()
		})
	}
	// nothing changed, and the same user reads
	if after := h.do("GET", api("/callcases/"+uuid), readOnly()).is(200).callCase(); !reflect.DeepEqual(after, before) {
		t.Errorf("the case changed: %+v", after)
	}
	if p := h.project(p); p.State != "stopped" {
		t.Errorf("project %s", p.State)
	}
	if n := h.caseCount(); n != 1 {
		t.Errorf("%d cases", n)
	}
	if v := h.do("GET", faultsBase+"/", readOnly()).is(200); string(v.body) != "{\"dialer\":\"none\",\"integration\":\"none\",\"scopes\":true,\"scoped\":{},\"lease\":null}\n" {
		t.Errorf("faults %s", v.body)
	}
	for _, target := range []string{
		api("/projects/" + p), api("/callcases/?project=" + p), api("/callcases/" + uuid + "/get-state"),
		api("/projects/" + p + "/callcases/ro"), api("/projects/" + p + "/operators/"),
	} {
		h.do("GET", target, readOnly()).is(200)
	}
	h.do("HEAD", api("/callcases/"+uuid), readOnly()).is(200)
	h.do("GET", api("/nosuchpath"), readOnly()).is(404)
}

func TestRouting(t *testing.T) { // unknown paths and methods are 404
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	for _, tc := range []struct{ method, target string }{
		{"GET", "/"},
		{"GET", "/fx/api/v1"},
		{"GET", "/fx/api/v1/"},
		{"GET", api("/nosuchpath")},
		{"GET", xmlAPI("/nosuchpath")},
		{"GET", xmlAPI("/callcases")},
		{"PATCH", xmlAPI("/callcases/" + uuid)},
		{"GET", "/fx/api/v1/xml"},
		{"GET", "/fx/api/v1/yaml/projects/" + h.fx.Project},
		{"GET", api("/callcases")}, // the list is /callcases/
		{"GET", api("/callcases/" + uuid + "/")},
		{"GET", api("/projects/" + h.fx.Project + "/")},
		{"GET", api("/callcases//get-state")},
		{"GET", api("/callcases/" + uuid + "/set-state")},
		{"POST", api("/callcases/" + uuid + "/get-state")},
		{"PATCH", api("/callcases/" + uuid)},
		{"POST", api("/callcases/" + uuid)},
		{"PUT", api("/callcases/" + uuid)},
		{"DELETE", api("/callcases/")},
		{"OPTIONS", api("/callcases/")},
		{"GET", api("/projects/" + h.fx.Project + "/calllist/")},
		{"GET", api("/projects/" + h.fx.Project + "/callcases-batch/")},
		{"GET", api("/projects/" + h.fx.Project + "/callcases/")},
		{"PUT", api("/projects/" + h.fx.Project)},
		{"GET", faultsBase},
		{"GET", faultsBase + "/dialer"},
		{"DELETE", faultsBase + "/"},
		{"PUT", faultsBase + "/"},
		{"GET", "/fx/api/v1/json/../json/projects/" + h.fx.Project},
	} {
		h.do(tc.method, tc.target).is(404).statusBody()
	}
	h.getCase(uuid)
}
