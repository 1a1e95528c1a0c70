package reference

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"
)

func TestFaultHook(t *testing.T) {
	h := start(t)
	read := func() faultsView {
		t.Helper()
		var v faultsView
		h.do("GET", faultsBase+"/").is(200).decode(&v)
		return v
	}
	if v := read(); v != (faultsView{"none", "none"}) {
		t.Errorf("initially %+v", v)
	}
	var v faultsView
	h.do("PUT", faultsBase+"/dialer", withJSON(map[string]string{"fault": "down"})).is(200).decode(&v)
	if v != (faultsView{"down", "none"}) {
		t.Errorf("PUT answered %+v", v)
	}
	h.do("PUT", faultsBase+"/integration", withJSON(map[string]string{"fault": "timeout"})).is(200).decode(&v)
	if v != (faultsView{"down", "timeout"}) || read() != v {
		t.Errorf("PUT answered %+v", v)
	}
	h.do("PUT", faultsBase+"/modem", withJSON(map[string]string{"fault": "down"})).is(404).statusBody()
	for name, body := range map[string]string{
		"unknown fault": `{"fault":"slow"}`, "no fault": `{}`, "fault a number": `{"fault":1}`,
		"malformed": `{"fault"`, "empty": ``, "upper case": `{"fault":"DOWN"}`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("PUT", faultsBase+"/dialer", withRaw("application/json", body)).is(400).statusBody()
		})
	}
	h.do("PUT", faultsBase+"/dialer", withRaw("text/plain", `{"fault":"none"}`)).is(400)
	if v := read(); v != (faultsView{"down", "timeout"}) {
		t.Errorf("bad PUTs changed the faults: %+v", v)
	}
	h.setFault("dialer", "none")
	h.setFault("integration", "none")
	if v := read(); v != (faultsView{"none", "none"}) {
		t.Errorf("after reset %+v", v)
	}
}

// caseEndpoints are one request of every case endpoint, each valid.
func caseEndpoints(h *harness, uuid string) []struct {
	method, target string
	opts           []option
} {
	p := h.fx.Project
	one := []any{map[string]string{"id": "b", "title": "t"}}
	return []struct {
		method, target string
		opts           []option
	}{
		{"POST", api("/callcases/?project=" + p), []option{withJSON(map[string]any{"title": "t"})}},
		{"GET", api("/callcases/?project=" + p), nil},
		{"PUT", api("/callcases/"), []option{withJSON(map[string]any{"uuid": uuid, "title": "changed"})}},
		{"GET", api("/callcases/" + uuid), nil},
		{"DELETE", api("/callcases/" + uuid), nil},
		{"GET", api("/callcases/" + uuid + "/get-state"), nil},
		{"POST", api("/callcases/" + uuid + "/set-state"), []option{withForm(url.Values{"state": {"finished"}})}},
		{"POST", api("/projects/" + p + "/callcases/"), []option{withJSON(map[string]any{"id": "x", "title": "t"})}},
		{"PUT", api("/projects/" + p + "/callcases/"), []option{withJSON(map[string]any{"id": "f", "title": "changed"})}},
		{"GET", api("/projects/" + p + "/callcases/f"), nil},
		{"DELETE", api("/projects/" + p + "/callcases/f"), nil},
		{"POST", batchPath(p), []option{withJSON(map[string]any{"callcase": one})}},
		{"PUT", batchPath(p), []option{withJSON(map[string]any{"callcase": one})}},
		{"DELETE", batchPath(p), []option{withJSON(map[string]any{"uuid": []string{uuid}})}},
		// even a bad request or an unknown one: the fault comes first
		{"POST", api("/callcases/"), []option{withRaw("text/plain", "x")}},
		{"GET", api("/callcases/nosuchcase"), nil},
	}
}

func TestIntegrationDown(t *testing.T) { // E503-integration-down
	h := start(t)
	uuid := h.create(map[string]any{"title": "t", "id": "f"})
	before := h.getCase(uuid)
	h.setFault("integration", "down")
	for _, ep := range caseEndpoints(h, uuid) {
		h.do(ep.method, ep.target, ep.opts...).is(503).statusBody()
	}
	// not case endpoints: unaffected
	h.project(h.fx.Project)
	callList(h, h.fx.Project, "update").is(200)
	h.do("GET", api("/projects/"+h.fx.Project+"/operators/")).is(200)
	// 401 and 403 still come first
	h.do("GET", api("/callcases/"+uuid), anonymous()).is(401)
	h.do("DELETE", api("/callcases/"+uuid), readOnly()).is(403)

	h.setFault("integration", "none")
	if after := h.getCase(uuid); !reflect.DeepEqual(after, before) {
		t.Errorf("the case changed while the integration was down: %+v", after)
	}
	if n := h.caseCount(); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

func TestIntegrationTimeout(t *testing.T) { // E504-timeout
	const timer = 50 * time.Millisecond
	h := newHarness(t, Options{FaultTimer: timer})
	uuid := h.create(map[string]any{"title": "t", "id": "f"})
	h.setFault("integration", "timeout")
	for _, ep := range caseEndpoints(h, uuid)[:3] {
		began := time.Now()
		h.do(ep.method, ep.target, ep.opts...).is(504).statusBody()
		if took := time.Since(began); took < timer || took > timer+5*time.Second {
			t.Errorf("%s %s answered 504 after %s, want the timer's %s", ep.method, ep.target, took, timer)
		}
	}
	h.project(h.fx.Project) // not a case endpoint: no wait
	h.setFault("integration", "none")
	if n := h.caseCount(); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

func TestTimeoutEndsWithTheClient(t *testing.T) {
	s := New(Options{FaultTimer: time.Hour})
	s.faults.integration = faultTimeout
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, "GET", api("/callcases/x"), nil)
	req.SetBasicAuth("operator-admin", "admin-secret")
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		s.ServeHTTP(rec, req)
		close(done)
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler still waits after the client went away")
	}
	if rec.Code != http.StatusGatewayTimeout {
		t.Errorf("answered %d, want 504", rec.Code)
	}
}

func TestDialerDown(t *testing.T) { // E500-dialer-down
	h := start(t)
	h.setFault("dialer", "down")
	for _, cmd := range []string{"stop", "update", "delete"} {
		callList(h, h.fx.Project, cmd).is(500).statusBody()
	}
	// the call list's own answers come first
	callList(h, h.fx.Project, "pause").is(400)
	callList(h, "nosuchproject", "stop").is(404)
	// case endpoints do not use the dialer
	h.create(map[string]any{"title": "t"})
	h.setFault("dialer", "none")

	callList(h, h.fx.Project, "start").is(200)
	h.setFault("dialer", "down")
	callList(h, h.fx.Project, "stop").is(500)
	if p := h.project(h.fx.Project); p.State != "running" {
		t.Errorf("the dialer was down, yet the project is %s", p.State)
	}
	h.setFault("dialer", "none")
	callList(h, h.fx.Project, "stop").is(200)
}

func TestDialerTimeout(t *testing.T) {
	const timer = 50 * time.Millisecond
	h := newHarness(t, Options{FaultTimer: timer})
	h.setFault("dialer", "timeout")
	began := time.Now()
	callList(h, h.fx.Project, "update").is(504).statusBody()
	if took := time.Since(began); took < timer {
		t.Errorf("504 after %s, before the timer's %s", took, timer)
	}
	callList(h, h.fx.CompletedProject, "start").is(500) // before the dialer's fault
	if p := h.project(h.fx.Project); p.State != "stopped" {
		t.Errorf("project %s", p.State)
	}
}

func TestFaultViewIsJSON(t *testing.T) {
	h := start(t)
	e := h.do("GET", faultsBase+"/").is(200)
	var m map[string]string
	if err := json.Unmarshal(e.body, &m); err != nil || len(m) != 2 || e.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("fault view %q %q: %v", e.header.Get("Content-Type"), e.body, err)
	}
}
