package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

// global is the global part of the hook's view.
func global(v faultsView) componentFaults { return v.componentFaults }

func TestFaultHook(t *testing.T) {
	h := start(t)
	read := func() faultsView {
		t.Helper()
		var v faultsView
		h.do("GET", faultsBase+"/").is(200).decode(&v)
		return v
	}
	if v := read(); global(v) != (componentFaults{"none", "none"}) || !v.Scopes || len(v.Scoped) != 0 || v.Lease != nil {
		t.Errorf("initially %+v", v)
	}
	var v faultsView
	h.do("PUT", faultsBase+"/dialer", withJSON(map[string]string{"fault": "down"})).is(200).decode(&v)
	if global(v) != (componentFaults{"down", "none"}) {
		t.Errorf("PUT answered %+v", v)
	}
	h.do("PUT", faultsBase+"/integration", withJSON(map[string]string{"fault": "timeout"})).is(200).decode(&v)
	if global(v) != (componentFaults{"down", "timeout"}) || global(read()) != global(v) {
		t.Errorf("PUT answered %+v", v)
	}
	h.do("PUT", faultsBase+"/modem", withJSON(map[string]string{"fault": "down"})).is(404).statusBody()
	for name, body := range map[string]string{
		"unknown fault": `{"fault":"slow"}`, "no fault": `{}`, "fault a number": `{"fault":1}`,
		"malformed": `{"fault"`, "empty": ``, "upper case": `{"fault":"DOWN"}`,
		"empty scope": `{"fault":"down","scope":""}`, "scope a number": `{"fault":"down","scope":7}`,
		"scope with a newline": `{"fault":"down","scope":"a\nb"}`,
		"scope too long":       `{"fault":"down","scope":"` + strings.Repeat("s", maxNameLength+1) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("PUT", faultsBase+"/dialer", withRaw("application/json", body)).is(400).statusBody()
		})
	}
	h.do("PUT", faultsBase+"/dialer", withRaw("text/plain", `{"fault":"none"}`)).is(400)
	if v := read(); global(v) != (componentFaults{"down", "timeout"}) || len(v.Scoped) != 0 {
		t.Errorf("bad PUTs changed the faults: %+v", v)
	}
	h.setFault("dialer", "none")
	h.setFault("integration", "none")
	if v := read(); global(v) != (componentFaults{"none", "none"}) {
		t.Errorf("after reset %+v", v)
	}
}

func setScoped(h *harness, component, fault, scope string) faultsView {
	h.t.Helper()
	var v faultsView
	h.do("PUT", faultsBase+"/"+component, withJSON(map[string]string{"fault": fault, "scope": scope})).is(200).decode(&v)
	return v
}

func TestScopedFaultsActOnlyOnTheirScope(t *testing.T) {
	h := start(t)
	v := setScoped(h, "integration", "down", "run-a")
	setScoped(h, "dialer", "down", "run-a")
	v = setScoped(h, "dialer", "timeout", "run-b")
	want := map[string]componentFaults{"run-a": {"down", "down"}, "run-b": {"timeout", "none"}}
	if !reflect.DeepEqual(v.Scoped, want) || global(v) != (componentFaults{"none", "none"}) {
		t.Fatalf("view %+v, want global none and scoped %v", v, want)
	}
	read := api("/callcases/?project=" + h.fx.Project)
	h.do("GET", read, withHeader(ScopeHeader, "run-a")).is(503).statusBody()
	h.do("GET", read).is(204)                                   // no scope: served as usual
	h.do("GET", read, withHeader(ScopeHeader, "run-b")).is(204) // run-b's integration is fine
	callList(h, h.fx.Project, "update").is(200)
	h.do("POST", api("/projects/"+h.fx.Project+"/calllist/"), withForm(url.Values{"cmd": {"update"}}), withHeader(ScopeHeader, "run-a")).is(500)

	// A global fault acts on every scope; a scope's own fault wins over it.
	h.setFault("integration", "timeout")
	h.do("GET", read, withHeader(ScopeHeader, "run-a")).is(503)
	h.do("GET", read, withHeader(ScopeHeader, "run-b")).is(504)
	h.setFault("integration", "none")

	// none with a scope clears that scope only; a scope left without faults is not listed.
	v = setScoped(h, "integration", "none", "run-a")
	if !reflect.DeepEqual(v.Scoped, map[string]componentFaults{"run-a": {"down", "none"}, "run-b": {"timeout", "none"}}) {
		t.Errorf("after clearing run-a's integration: %+v", v.Scoped)
	}
	setScoped(h, "dialer", "none", "run-a")
	v = setScoped(h, "dialer", "none", "run-c") // never set: nothing to clear
	if !reflect.DeepEqual(v.Scoped, map[string]componentFaults{"run-b": {"timeout", "none"}}) {
		t.Errorf("after clearing run-a: %+v", v.Scoped)
	}
	h.do("GET", read, withHeader(ScopeHeader, "run-a")).is(204)
	h.do("PUT", faultsBase+"/dialer", withJSON(map[string]string{"fault": "down", "scope": "run-d"}), readOnly()).is(403)
}

func TestScopesAreBounded(t *testing.T) {
	s := New(Options{})
	for i := range maxScopes {
		s.faults.scoped[fmt.Sprint("s", i)] = componentFaults{"down", "none"}
	}
	h := newHarnessFor(t, s)
	h.do("PUT", faultsBase+"/dialer", withJSON(map[string]string{"fault": "down", "scope": "one more"})).is(409).statusBody()
	setScoped(h, "dialer", "none", "s1") // clearing is always possible
	setScoped(h, "dialer", "down", "one more")
}

func TestLease(t *testing.T) {
	s := New(Options{})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	s.faults.now = func() time.Time { return now }
	h := newHarnessFor(t, s)
	take := func(holder, ttl string) *exchange {
		t.Helper()
		body := map[string]string{"holder": holder}
		if ttl != "" {
			body["ttl"] = ttl
		}
		return h.do("PUT", faultsBase+"/lease", withJSON(body))
	}
	var granted leaseView
	take("run-a", "60s").is(200).decode(&granted)
	if granted != (leaseView{"run-a", now.Add(time.Minute).Format(time.RFC3339Nano)}) {
		t.Errorf("granted %+v", granted)
	}
	var conflict leaseConflict
	take("run-b", "60s").is(409).decode(&conflict)
	if conflict.Code != 409 || conflict.Holder != "run-a" || conflict.Expires != granted.Expires {
		t.Errorf("409 says %+v", conflict)
	}
	now = now.Add(30 * time.Second)
	take("run-a", "60s").is(200).decode(&granted) // the holder renews
	if granted.Expires != now.Add(time.Minute).Format(time.RFC3339Nano) {
		t.Errorf("renewed until %s", granted.Expires)
	}
	var v faultsView
	h.do("GET", faultsBase+"/", readOnly()).is(200).decode(&v)
	if v.Lease == nil || *v.Lease != granted {
		t.Errorf("the hook shows lease %+v, want %+v", v.Lease, granted)
	}
	h.do("DELETE", faultsBase+"/lease", withJSON(map[string]string{"holder": "run-b"})).is(409)
	h.do("DELETE", faultsBase+"/lease?holder=run-a").is(200).statusBody()
	take("run-b", "").is(200).decode(&granted) // free again; the ttl defaults to 60s
	if granted.Expires != now.Add(defaultTTL).Format(time.RFC3339Nano) {
		t.Errorf("default ttl: until %s", granted.Expires)
	}
	now = now.Add(defaultTTL) // expired: anyone may take it, and a late release does no harm
	h.do("GET", faultsBase+"/").is(200).decode(&v)
	if v.Lease != nil {
		t.Errorf("an expired lease is shown: %+v", v.Lease)
	}
	take("run-a", "1s").is(200)
	h.do("DELETE", faultsBase+"/lease", withJSON(map[string]string{"holder": "run-a"})).is(200)
	h.do("DELETE", faultsBase+"/lease", withJSON(map[string]string{"holder": "run-a"})).is(200) // already free

	for name, body := range map[string]string{
		"no holder": `{"ttl":"60s"}`, "empty holder": `{"holder":""}`, "bad ttl": `{"holder":"x","ttl":"soon"}`,
		"zero ttl": `{"holder":"x","ttl":"0s"}`, "ttl over an hour": `{"holder":"x","ttl":"2h"}`, "not an object": `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("PUT", faultsBase+"/lease", withRaw("application/json", body)).is(400).statusBody()
		})
	}
	h.do("DELETE", faultsBase+"/lease").is(400)
	h.do("PUT", faultsBase+"/lease", withJSON(map[string]string{"holder": "x"}), readOnly()).is(403)
	h.do("DELETE", faultsBase+"/lease?holder=x", readOnly()).is(403)
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
	s.faults.global.Integration = faultTimeout
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
	var m map[string]any
	if err := json.Unmarshal(e.body, &m); err != nil || m["dialer"] != "none" || m["integration"] != "none" || m["scopes"] != true || e.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("fault view %q %q: %v", e.header.Get("Content-Type"), e.body, err)
	}
}

// newHarnessFor serves a server the test prepared (a clock, many scopes).
func newHarnessFor(t *testing.T, s *Server) *harness {
	t.Helper()
	s.onPanic = func(v any) { t.Errorf("a request reached the panic recovery: %v", v) }
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &harness{t: t, s: s, ts: ts, fx: s.Fixtures()}
}

// validateLease checks an answer of the lease: the lease on 200 to a PUT, a
// status body on any other, with the holder and expiry on 409.
func validateLease(t testing.TB, req *http.Request, e *exchange) {
	t.Helper()
	var v struct {
		statusBody
		Holder  string `json:"holder"`
		Expires string `json:"expires"`
	}
	dec := json.NewDecoder(bytes.NewReader(e.body))
	dec.DisallowUnknownFields()
	err := dec.Decode(&v)
	_, timeErr := time.Parse(time.RFC3339Nano, v.Expires)
	switch {
	case err != nil:
		t.Errorf("%s → %d: the lease answered %q: %v", e.req, e.status, e.body, err)
	case e.status == http.StatusOK && req.Method == http.MethodPut:
		if v.Code != 0 || v.Holder == "" || timeErr != nil {
			t.Errorf("%s: a granted lease is {holder, expires}: %s", e.req, e.body)
		}
	case v.Code != e.status:
		t.Errorf("%s → %d: not a status body: %s", e.req, e.status, e.body)
	case e.status == http.StatusConflict && (v.Holder == "" || timeErr != nil):
		t.Errorf("%s: a 409 names the holder and the expiry: %s", e.req, e.body)
	}
}
