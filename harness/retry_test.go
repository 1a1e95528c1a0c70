package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/callcases/conformance/reference"
)

// cutFirst cuts, once, the connection of the first request that matches,
// after the reference acted on it: its answer never reaches the suite.
// sent counts the requests that match.
func cutFirst(match func(*http.Request) bool, cut *atomic.Bool, sent *atomic.Int32) func(*reference.Server) http.Handler {
	return func(ref *reference.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if match(r) {
				sent.Add(1)
			}
			if !match(r) || !cut.CompareAndSwap(false, true) {
				ref.ServeHTTP(w, r)
				return
			}
			ref.ServeHTTP(httptest.NewRecorder(), r)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		})
	}
}

// The cleanup's delete of the run's own case is sent again when its answer
// was lost after the case was deleted: the retry's 404 is done, nothing left.
func TestADeleteWhoseAnswerWasLostIsDoneOnA404(t *testing.T) {
	var cut atomic.Bool
	var deletes atomic.Int32
	e, _ := testEnv(t, cutFirst(func(r *http.Request) bool { return r.Method == http.MethodDelete }, &cut, &deletes))
	uuid := e.UUIDPrefix() + "01000001"
	create(t, e, e.Config.Project, map[string]any{"uuid": uuid, "title": e.TitlePrefix() + "to delete"})
	if left := e.DeleteCase(context.Background(), uuid); left != nil {
		t.Errorf("left behind: %v", left)
	}
	if !cut.Load() {
		t.Fatal("no delete was cut: this test proves nothing")
	}
	// Sent again, and its 404 taken as done: not judged by reading the case back.
	if deletes.Load() != 2 {
		t.Errorf("the delete was sent %d times, want 2 (the lost one, then its retry)", deletes.Load())
	}
	if exists, err := e.CaseExists(context.Background(), uuid); err != nil || exists {
		t.Errorf("the case exists: %v, %v", exists, err)
	}
}

// A fault reset whose answer was lost is sent again, and read back as ever.
func TestAFaultResetWhoseAnswerWasLostIsReadBack(t *testing.T) {
	var cut atomic.Bool
	var puts atomic.Int32
	e, _ := testEnv(t, cutFirst(func(r *http.Request) bool {
		return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/faults/dialer")
	}, &cut, &puts))
	ctx := context.Background()
	if err := e.SetFault(ctx, Dialer, FaultDown); err != nil || !cut.Load() {
		t.Fatalf("setting a fault whose first answer was lost: %v (cut: %v)", err, cut.Load())
	}
	if h := hook(t, e); h.Global[Dialer] != FaultDown {
		t.Fatalf("the fault was not set: %+v", h.Global)
	}
	cut.Store(false) // and the reset's first answer is lost too
	if err := e.ResetFault(ctx, "", Dialer); err != nil || !cut.Load() {
		t.Fatalf("resetting a fault whose first answer was lost: %v (cut: %v)", err, cut.Load())
	}
	if puts.Load() != 4 {
		t.Errorf("%d PUTs reached the hook, want 4 (each of two sent again)", puts.Load())
	}
	if h := hook(t, e); h.Global[Dialer] != FaultNone {
		t.Errorf("the hook reads %+v", h.Global)
	}
}
