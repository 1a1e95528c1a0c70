package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/reference"
)

func testEnv(t *testing.T, h func(*reference.Server) http.Handler) (*Env, *reference.Server) {
	t.Helper()
	ref := reference.New(reference.Options{})
	var handler http.Handler = ref
	if h != nil {
		handler = h(ref)
	}
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	settings := ref.Settings(ts.URL)
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := settings[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	env, err := NewEnv(Shared{Config: cfg, RunID: "abcd1234", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	env.RunFolder = t.TempDir() // the tests share a run id, not a run
	return env, ref
}

func create(t *testing.T, e *Env, project string, body map[string]any) {
	t.Helper()
	x := e.API.Do(context.Background(), client.Request{Method: http.MethodPost, Path: "/json/callcases/", Query: map[string][]string{"project": {project}}, JSON: body})
	if x.Err != nil || x.Status != http.StatusCreated {
		t.Fatalf("create %v: %v %d %s", body, x.Err, x.Status, x.Body)
	}
}

func TestSweepRemovesOnlyThisRunsCases(t *testing.T) {
	e, _ := testEnv(t, nil)
	ctx := context.Background()
	p := e.Config.Project
	create(t, e, p, map[string]any{"uuid": e.UUIDPrefix() + "01000001", "title": "marked by uuid"})
	create(t, e, p, map[string]any{"title": e.TitlePrefix() + "marked by title"})
	create(t, e, e.Config.AutoProject, map[string]any{"id": e.ExternalIDPrefix() + "01-000003", "title": "marked by external id"})
	others := []string{"ccabcd123501000001", "abcd1234"} // another run's uuid; this run's id, but not its mark
	for _, uuid := range others {
		create(t, e, p, map[string]any{"uuid": uuid, "title": "conformance run abcd1235: someone else's"})
	}

	removed, left, err := e.Sweep(ctx)
	if err != nil || len(left) > 0 {
		t.Fatalf("sweep: %v, left %v", err, left)
	}
	if len(removed) != 3 || !slices.Contains(removed, e.UUIDPrefix()+"01000001") {
		t.Errorf("removed %v, want this run's three cases", removed)
	}
	for _, uuid := range others {
		if ok, err := e.CaseExists(ctx, uuid); err != nil || !ok {
			t.Errorf("case %s of another run: exists %v, %v", uuid, ok, err)
		}
	}
}

func TestCleanupSaysWhatIsLeft(t *testing.T) {
	e, _ := testEnv(t, func(ref *reference.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			ref.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()
	kept := e.UUIDPrefix() + "01000001"
	create(t, e, e.Config.Project, map[string]any{"uuid": kept, "title": e.TitlePrefix() + "kept", "id": "crm-7"})

	if l := e.DeleteCase(ctx, e.UUIDPrefix()+"01000099"); l != nil {
		t.Errorf("a case never created is reported left: %v", l)
	}
	l := e.DeleteCase(ctx, kept)
	if l == nil || l.ID != kept || !strings.Contains(l.Reason, "DELETE answered 500; it is still there") {
		t.Errorf("DeleteCase of a kept case = %v", l)
	}
	_, left, err := e.Sweep(ctx)
	if err != nil || len(left) != 1 || left[0].Key() != "case "+kept || left[0].ExternalID != "crm-7" {
		t.Errorf("sweep left %v, %v; want the kept case with its external id", left, err)
	}
}

func TestPreflightNamesARedirect(t *testing.T) {
	e, _ := testEnv(t, func(*reference.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/login", http.StatusFound) })
	})
	err := e.Preflight(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "preflight: CONFORMANCE_TARGET: ") || !strings.Contains(err.Error(), `answered a redirect (302 to "/login")`) {
		t.Errorf("preflight = %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("an unreachable target is one problem, not a list: %v", err)
	}
}
