package harness

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/reference"
)

// raw sends a request to the target's root as the full-rights user, beside the Env.
func raw(t *testing.T, e *Env, method, path, body string, header ...string) *client.Exchange {
	t.Helper()
	c := e.Faults
	if !strings.HasPrefix(path, "/faults") {
		c = e.API
	}
	r := client.Request{Method: method, Path: strings.TrimPrefix(strings.TrimPrefix(path, "/faults"), "/fx/api/v1"), Raw: []byte(body), ContentType: "application/json", OffContract: true}
	if len(header) == 2 {
		c = c.WithHeader(header[0], header[1])
	}
	x := c.Do(context.Background(), r)
	if x.Err != nil {
		t.Fatal(x.Err)
	}
	return x
}

func hook(t *testing.T, e *Env) Hook {
	t.Helper()
	h, err := e.ReadHook(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestScopedFaultMeetsOnlyItsSpec(t *testing.T) {
	e, _ := testEnv(t, nil)
	ctx := context.Background()
	if err := e.Preflight(ctx); err != nil || !e.Scopes {
		t.Fatalf("preflight %v, scopes %v", err, e.Scopes)
	}
	// Another run's fault, which this run must never touch.
	raw(t, e, http.MethodPut, "/faults/dialer", `{"fault":"down","scope":"otherrun-1-1"}`)
	held, err := e.HoldFault(ctx, Integration, FaultDown)
	if err != nil {
		t.Fatal(err)
	}
	if held.Scope == "" || !strings.HasPrefix(held.Scope, e.RunID+"-") {
		t.Fatalf("scope %q", held.Scope)
	}
	list := client.Request{Method: http.MethodGet, Path: "/json/callcases/", Query: map[string][]string{"project": {e.Config.Project}}}
	if x := held.Client.Do(ctx, list); x.Status != http.StatusServiceUnavailable {
		t.Errorf("the spec's client got %d, want 503", x.Status)
	}
	if x := e.API.Do(ctx, list); x.Status != http.StatusNoContent {
		t.Errorf("the run's other requests got %d, want 204: they must not meet the spec's fault", x.Status)
	}
	if h := hook(t, e); h.Global[Integration] != FaultNone || h.Lease != nil {
		t.Errorf("a scoped fault changed the global state or took the lease: %+v", h)
	}
	// Left on (the spec was killed): the end of the run clears this run's scopes only.
	if err := e.ResetFaults(ctx); err != nil {
		t.Fatal(err)
	}
	h := hook(t, e)
	if _, ok := h.Scoped[held.Scope]; ok || h.Scoped["otherrun-1-1"][Dialer] != FaultDown {
		t.Errorf("after ResetFaults: %+v, want this run's scope gone and the other run's kept", h.Scoped)
	}
	if err := held.Undo(ctx); err != nil {
		t.Errorf("undo after the reset: %v", err)
	}
}

// withoutScopes hides the reference hook's scopes and lease as an older
// hook would: the GET lists only the components, a scope is ignored, and
// /lease is 404 unless lease is true.
func withoutScopes(lease bool) func(*reference.Server) http.Handler {
	return func(ref *reference.Server) http.Handler { return hideScopes(ref, lease) }
}

func hideScopes(ref http.Handler, lease bool) http.Handler {
	{
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.URL.Path == "/faults/lease" && !lease:
				http.Error(w, `{"code":404}`, http.StatusNotFound)
			case r.URL.Path == "/faults/" && r.Method == http.MethodGet:
				rec := httptest.NewRecorder()
				ref.ServeHTTP(rec, r)
				var v map[string]any
				_ = json.Unmarshal(rec.Body.Bytes(), &v)
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"dialer": v["dialer"], "integration": v["integration"]})
			case strings.HasPrefix(r.URL.Path, "/faults/") && r.Method == http.MethodPut && r.URL.Path != "/faults/lease":
				var v map[string]any
				b, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(b, &v)
				delete(v, "scope")
				b, _ = json.Marshal(v)
				r2 := r.Clone(r.Context())
				r2.Body = io.NopCloser(strings.NewReader(string(b)))
				r2.ContentLength = int64(len(b))
				ref.ServeHTTP(w, r2)
			default:
				r.Header.Del(RunHeader)
				ref.ServeHTTP(w, r)
			}
		})
	}
}

func TestGlobalFaultHoldsTheLease(t *testing.T) {
	e, _ := testEnv(t, withoutScopes(true))
	ctx := context.Background()
	if err := e.Preflight(ctx); err != nil || e.Scopes {
		t.Fatalf("preflight %v, scopes %v", err, e.Scopes)
	}
	held, err := e.HoldFault(ctx, Dialer, FaultDown)
	if err != nil {
		t.Fatal(err)
	}
	h := hook(t, e)
	if held.Scope != "" || h.Global[Dialer] != FaultDown {
		t.Errorf("a hook without scopes: scope %q, global %v", held.Scope, h.Global)
	}
	// The reference still shows its lease to a direct reader.
	x := raw(t, e, http.MethodPut, "/faults/lease", `{"holder":"another run","ttl":"60s"}`)
	if x.Status != http.StatusConflict || !strings.Contains(string(x.Body), e.LeaseHolder()) {
		t.Errorf("while the fault is held the lease is %d %s, want held by %s", x.Status, x.Body, e.LeaseHolder())
	}
	if err := held.Undo(ctx); err != nil {
		t.Fatal(err)
	}
	if h := hook(t, e); h.Global[Dialer] != FaultNone {
		t.Errorf("after undo %v", h.Global)
	}
	if x := raw(t, e, http.MethodPut, "/faults/lease", `{"holder":"another run","ttl":"60s"}`); x.Status != http.StatusOK {
		t.Errorf("the lease was not released: %d %s", x.Status, x.Body)
	}
}

func TestLeaseWaitsAndSaysSo(t *testing.T) {
	e, _ := testEnv(t, nil)
	ctx := context.Background()
	raw(t, e, http.MethodPut, "/faults/lease", `{"holder":"otherrun-2","ttl":"60s"}`)
	var mu sync.Mutex
	var said []string
	e.Notify = func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		said = append(said, msg)
		if len(said) == 1 { // the other run finishes once this one waits
			go e.Faults.Do(ctx, client.Request{Method: http.MethodDelete, Path: "/lease", Query: map[string][]string{"holder": {"otherrun-2"}}})
		}
	}
	release, err := e.AcquireLease(ctx, "change the operator's membership")
	if err != nil {
		t.Fatal(err)
	}
	if err := release(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(said) != 2 || !strings.Contains(said[0], `waiting for the fault hook's lease to change the operator's membership; "otherrun-2" holds it until`) ||
		!strings.Contains(said[0], "CONFORMANCE_LEASE_WAIT") || !strings.Contains(said[1], "got the fault hook's lease") {
		t.Errorf("said %q", said)
	}

	// Bounded: a lease that stays taken is a run error naming the setting.
	raw(t, e, http.MethodPut, "/faults/lease", `{"holder":"otherrun-3","ttl":"60s"}`)
	e.Notify = nil
	e.Config.LeaseWait = time.Millisecond
	if _, err := e.AcquireLease(ctx, "set a global fault"); err == nil || !strings.Contains(err.Error(), `held by "otherrun-3"`) || !strings.Contains(err.Error(), "CONFORMANCE_LEASE_WAIT") {
		t.Errorf("AcquireLease = %v", err)
	}
}

// keepsFaults is a hook that answers 200 to a reset but keeps the fault.
func keepsFaults(ref http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/faults/") && r.URL.Path != "/faults/lease" {
			b, _ := io.ReadAll(r.Body)
			if strings.Contains(string(b), `"none"`) {
				r.Method = http.MethodGet // answer with the view, unchanged
				r.URL.Path = "/faults/"
			}
			r.Body = io.NopCloser(strings.NewReader(string(b)))
		}
		ref.ServeHTTP(w, r)
	})
}

func TestAResetThatDoesNotTakeIsARunError(t *testing.T) {
	for _, scoped := range []bool{true, false} {
		name := map[bool]string{true: "scoped", false: "global"}[scoped]
		t.Run(name, func(t *testing.T) {
			wrap := func(ref *reference.Server) http.Handler { return keepsFaults(ref) }
			if !scoped {
				wrap = func(ref *reference.Server) http.Handler { return hideScopes(keepsFaults(ref), true) }
			}
			e, _ := testEnv(t, wrap)
			ctx := context.Background()
			if err := e.Preflight(ctx); err != nil {
				t.Fatal(err)
			}
			held, err := e.HoldFault(ctx, Integration, FaultTimeout)
			if err != nil {
				t.Fatal(err)
			}
			err = held.Undo(ctx)
			if err == nil {
				t.Fatal("a reset the hook did not apply passed")
			}
			for _, want := range []string{"the staging was left broken", `reading it back shows integration still "timeout"`,
				"CONFORMANCE_FAULTS_URL", "reset it by hand: PUT " + e.Config.FaultsURL + "/integration with body"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q:\n%v", want, err)
				}
			}
			if scoped != strings.Contains(err.Error(), `"scope":"`+held.Scope+`"`) {
				t.Errorf("the by-hand reset names the scope only for a scoped fault:\n%v", err)
			}
			if err := e.ResetFaults(ctx); err == nil || !strings.Contains(err.Error(), "the staging was left broken") {
				t.Errorf("the end of the run's reset = %v", err)
			}
		})
	}
}

func TestTheRunsProcessesShareTheLease(t *testing.T) {
	one, _ := testEnv(t, nil)
	two := *one // another process of the same run: same id and folder
	two.Process = 2
	ctx := context.Background()
	puts := func() int {
		n := 0
		for _, x := range one.Log.Take() {
			if x.Request.Method == http.MethodPut && x.Request.Path == "/lease" {
				n++
			}
		}
		return n
	}
	puts()
	releaseOne, err := one.AcquireLease(ctx, "change the operator's membership")
	if err != nil {
		t.Fatal(err)
	}
	releaseTwo, err := two.AcquireLease(ctx, "list a window")
	if err != nil {
		t.Fatal(err)
	}
	if n := puts(); n != 1 {
		t.Errorf("two holders of one run took the lease with %d requests, want 1", n)
	}
	other := `{"holder":"another run","ttl":"60s"}`
	if err := releaseOne(ctx); err != nil {
		t.Fatal(err)
	}
	if x := raw(t, one, http.MethodPut, "/faults/lease", other); x.Status != http.StatusConflict {
		t.Errorf("with one holder left the lease is %d %s, want still the run's", x.Status, x.Body)
	}
	if err := releaseTwo(ctx); err != nil {
		t.Fatal(err)
	}
	if x := raw(t, one, http.MethodPut, "/faults/lease", other); x.Status != http.StatusOK {
		t.Errorf("after the last holder the lease is %d %s, want free", x.Status, x.Body)
	}
}

// A give-back that fails (a second signal ended its request) is owed: the
// end of the run gives the lease back, though no process holds it any more.
func TestEndLeaseGivesBackALeaseWhoseReleaseFailed(t *testing.T) {
	var refuse atomic.Bool // the hook fails the give-back while set
	e, _ := testEnv(t, func(ref *reference.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if refuse.Load() && r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/lease") {
				http.Error(w, "gone away", http.StatusServiceUnavailable)
				return
			}
			ref.ServeHTTP(w, r)
		})
	})
	release, err := e.AcquireLease(context.Background(), "change the operator's membership")
	if err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	if err := release(context.Background()); err == nil {
		t.Fatal("a give-back the hook refused succeeded")
	}
	refuse.Store(false)
	other := `{"holder":"another run","ttl":"60s"}`
	if x := raw(t, e, http.MethodPut, "/faults/lease", other); x.Status != http.StatusConflict {
		t.Fatalf("after the failed give-back the lease is %d %s, want still the run's", x.Status, x.Body)
	}
	if err := e.EndLease(context.Background()); err != nil {
		t.Fatal(err)
	}
	if x := raw(t, e, http.MethodPut, "/faults/lease", other); x.Status != http.StatusOK {
		t.Errorf("after EndLease the lease is %d %s, want free", x.Status, x.Body)
	}
}

func TestExclusiveKeepsTheRunsProcessesApart(t *testing.T) {
	one, _ := testEnv(t, nil)
	two := *one
	ctx := context.Background()
	unlock, err := one.Exclusive(ctx, "membership")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func())
	go func() {
		u, err := two.Exclusive(ctx, "membership")
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	other, err := two.Exclusive(ctx, "list-window") // another state: no wait
	if err != nil {
		t.Fatal(err)
	}
	other()
	select {
	case <-got:
		t.Fatal("a second holder of the same state did not wait")
	case <-time.After(50 * time.Millisecond): // a bound on a wait that must not end, not a synchronisation
	}
	unlock()
	(<-got)()

	cancelled, cancel := context.WithCancel(ctx)
	unlock, _ = one.Exclusive(ctx, "membership")
	defer unlock()
	cancel()
	if _, err := two.Exclusive(cancelled, "membership"); err == nil {
		t.Error("a cancelled wait returned the lock")
	}
}
