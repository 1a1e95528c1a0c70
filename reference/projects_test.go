package reference

import (
	"net/url"
	"slices"
	"testing"
)

func TestFixtures(t *testing.T) {
	h := start(t)
	for _, tc := range []struct {
		uuid, state, mode string
	}{
		{h.fx.Project, "stopped", "manual"},
		{h.fx.AutoProject, "stopped", "automatic"},
		{h.fx.CompletedProject, "completed", "manual"},
	} {
		p := h.project(tc.uuid)
		if p.UUID != tc.uuid || p.State != tc.state || p.Mode != tc.mode || p.Title == "" {
			t.Errorf("project %+v, want %s %s", p, tc.state, tc.mode)
		}
	}
	h.do("GET", api("/projects/nosuchproject")).is(404).statusBody()
	// the fixture operator exists and is on no project; the others' lists are not empty
	if ops := operatorsOf(h, h.fx.Project); len(ops) == 0 || slices.Contains(ops, h.fx.Operator) {
		t.Errorf("main project operators %v", ops)
	}
	if ops := operatorsOf(h, h.fx.AutoProject); len(ops) == 0 || slices.Contains(ops, h.fx.Operator) {
		t.Errorf("auto project operators %v", ops)
	}
	h.do("GET", api("/projects/"+h.fx.CompletedProject+"/operators/")).is(204)
	uuid := h.create(map[string]any{"title": "t"})
	h.do("POST", api("/callcases/"+uuid+"/set-state"), withForm(url.Values{"state": {"new"}, "operator": {h.fx.Operator}})).is(200)

	settings := h.s.Settings("http://127.0.0.1:8080/")
	want := map[string]string{
		"CONFORMANCE_TARGET": "http://127.0.0.1:8080/fx/api/v1", "CONFORMANCE_FAULTS_URL": "http://127.0.0.1:8080/faults",
		"CONFORMANCE_USERNAME": "operator-admin", "CONFORMANCE_PASSWORD": "admin-secret",
		"CONFORMANCE_READONLY_USERNAME": "auditor", "CONFORMANCE_READONLY_PASSWORD": "auditor-secret",
		"CONFORMANCE_PROJECT": h.fx.Project, "CONFORMANCE_AUTO_PROJECT": h.fx.AutoProject,
		"CONFORMANCE_COMPLETED_PROJECT": h.fx.CompletedProject, "CONFORMANCE_OPERATOR": h.fx.Operator,
	}
	for k, v := range want {
		if settings[k] != v {
			t.Errorf("%s=%q, want %q", k, settings[k], v)
		}
	}
	if len(settings) != len(want) {
		t.Errorf("settings %v", settings)
	}
}

func TestOptions(t *testing.T) {
	h := newHarness(t, Options{Username: "u", Password: "p", ReadOnlyUsername: "r", ReadOnlyPassword: "q"})
	h.do("GET", api("/projects/"+h.fx.Project), as("u", "p")).is(200)
	h.do("GET", api("/projects/"+h.fx.Project), as("r", "q")).is(200)
	h.do("POST", api("/projects/"+h.fx.Project+"/calllist/"), as("r", "q"), withForm(url.Values{"cmd": {"update"}})).is(403)
	h.do("GET", api("/projects/"+h.fx.Project)).is(401) // the defaults are gone
	if s := h.s.Settings("http://x"); s["CONFORMANCE_USERNAME"] != "u" || s["CONFORMANCE_READONLY_PASSWORD"] != "q" {
		t.Errorf("settings %v", s)
	}
}

func operatorsOf(h *harness, project string) []string {
	h.t.Helper()
	e := h.do("GET", api("/projects/"+project+"/operators/"))
	if e.status == 204 {
		return nil
	}
	var l operatorsView
	e.is(200).decode(&l)
	var out []string
	for _, o := range l.Operator {
		if o.Login == "" || o.Title == "" {
			h.t.Errorf("operator %+v", o)
		}
		out = append(out, o.UUID)
	}
	return out
}

func callList(h *harness, project, cmd string, opts ...option) *exchange {
	h.t.Helper()
	return h.do("POST", api("/projects/"+project+"/calllist/"), append([]option{withForm(url.Values{"cmd": {cmd}})}, opts...)...)
}

func TestCallList(t *testing.T) { // S200-calllist
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	for _, step := range []struct{ cmd, state string }{
		{"stop", "stopped"}, {"update", "stopped"},
		{"start", "running"}, {"update", "running"}, {"stop", "stopped"},
		{"start", "running"}, {"delete", "stopped"},
	} {
		callList(h, h.fx.Project, step.cmd).is(200).statusBody()
		if p := h.project(h.fx.Project); p.State != step.state {
			t.Errorf("after %s: %s, want %s", step.cmd, p.State, step.state)
		}
	}
	h.getCase(uuid) // delete removes the run, not its cases
}

func TestStartCompletedRun(t *testing.T) { // E500-start-completed
	h := start(t)
	callList(h, h.fx.CompletedProject, "start").is(500).statusBody()
	for _, cmd := range []string{"stop", "update", "delete"} {
		callList(h, h.fx.CompletedProject, cmd).is(200)
	}
	if p := h.project(h.fx.CompletedProject); p.State != "completed" {
		t.Errorf("the completed project is %s", p.State)
	}
}

func TestCallListBadRequests(t *testing.T) { // E400 unknown cmd; E404 unknown project in calllist
	h := start(t)
	target := api("/projects/" + h.fx.Project + "/calllist/")
	for name, form := range map[string]string{"unknown cmd": "cmd=pause", "no cmd": "", "empty cmd": "cmd=", "upper case": "cmd=START", "malformed": "cmd=%zz"} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("POST", target, withRaw("application/x-www-form-urlencoded", form)).is(400).statusBody()
		})
	}
	h.do("POST", target, withRaw("application/json", `{"cmd":"stop"}`)).is(400)
	h.do("POST", target+"?cmd=stop", withRaw("", "")).is(400)
	callList(h, "nosuchproject", "stop").is(404).statusBody()
	callList(h, "nosuchproject", "pause").is(400) // 400 before 404
	if p := h.project(h.fx.Project); p.State != "stopped" {
		t.Errorf("main project %s", p.State)
	}
}

func TestOperators(t *testing.T) { // S201-operator, E409-operator-assigned
	h := start(t)
	target := api("/projects/" + h.fx.Project + "/operators/")
	before := operatorsOf(h, h.fx.Project)
	h.do("POST", target, withJSON(map[string]string{"uuid": h.fx.Operator})).is(201).statusBody()
	if ops := operatorsOf(h, h.fx.Project); !slices.Contains(ops, h.fx.Operator) || len(ops) != len(before)+1 {
		t.Errorf("after assigning: %v", ops)
	}
	h.do("POST", target, withJSON(map[string]string{"uuid": h.fx.Operator})).is(409).statusBody()
	h.do("DELETE", target+h.fx.Operator).is(200).statusBody()
	if ops := operatorsOf(h, h.fx.Project); !slices.Equal(ops, before) {
		t.Errorf("after unassigning: %v, want %v", ops, before)
	}
	h.do("DELETE", target+h.fx.Operator).is(404).statusBody() // not assigned
	// the completed project (manual) takes operators too; its empty list is 204
	h.do("POST", api("/projects/"+h.fx.CompletedProject+"/operators/"), withJSON(map[string]string{"uuid": h.fx.Operator})).is(201)
	h.do("DELETE", api("/projects/"+h.fx.CompletedProject+"/operators/"+h.fx.Operator)).is(200)
	h.do("GET", api("/projects/"+h.fx.CompletedProject+"/operators/")).is(204)
}

func TestOperatorsErrors(t *testing.T) { // E404 unknown operator, E501-operators-mode
	h := start(t)
	target := api("/projects/" + h.fx.Project + "/operators/")
	for name, body := range map[string]string{
		"no uuid": `{}`, "null uuid": `{"uuid":null}`, "empty uuid": `{"uuid":""}`, "uuid shape": `{"uuid":"Op-1"}`,
		"uuid a number": `{"uuid":1}`, "malformed": `{"uuid"`, "empty body": ``, "an array": `["x"]`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("POST", target, withRaw("application/json", body)).is(400).statusBody()
		})
	}
	h.do("POST", target, withRaw("application/x-www-form-urlencoded", "uuid="+h.fx.Operator)).is(400)
	h.do("POST", target, withJSON(map[string]string{"uuid": "nosuchoperator"})).is(404)
	h.do("DELETE", target+"nosuchoperator").is(404)
	h.do("GET", api("/projects/nosuchproject/operators/")).is(404)
	h.do("POST", api("/projects/nosuchproject/operators/"), withJSON(map[string]string{"uuid": h.fx.Operator})).is(404)
	h.do("DELETE", api("/projects/nosuchproject/operators/"+h.fx.Operator)).is(404)

	auto := api("/projects/" + h.fx.AutoProject + "/operators/")
	before := operatorsOf(h, h.fx.AutoProject)
	h.do("POST", auto, withJSON(map[string]string{"uuid": h.fx.Operator})).is(501).statusBody()
	h.do("POST", auto, withJSON(map[string]string{"uuid": before[0]})).is(501) // 501 before 409
	h.do("DELETE", auto+before[0]).is(501)
	h.do("DELETE", auto+h.fx.Operator).is(501) // 501 before the 404 of membership
	h.do("POST", auto, withJSON(map[string]string{"uuid": "nosuchoperator"})).is(404)
	if after := operatorsOf(h, h.fx.AutoProject); !slices.Equal(after, before) {
		t.Errorf("automatic project operators %v, want %v", after, before)
	}
}
