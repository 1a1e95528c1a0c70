package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/reference"
)

// jsonOnly is a target that serves only json: /xml/ is 404, as the
// contract says for such a target.
func jsonOnly(ref *reference.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/xml/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":404,"text":"Not Found","message":"Объект или один из параметров запроса не найден"}`))
			return
		}
		ref.ServeHTTP(w, r)
	})
}

func envWithFormats(t *testing.T, h func(*reference.Server) http.Handler, formats string) *Env {
	t.Helper()
	ref := reference.New(reference.Options{})
	ts := httptest.NewServer(h(ref))
	t.Cleanup(ts.Close)
	settings := ref.Settings(ts.URL)
	settings[config.EnvFormats] = formats
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := settings[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	env, err := NewEnv(Shared{Config: cfg, RunID: "abcd1234", Started: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestPreflightStopsAJSONOnlyTargetAskedForXML(t *testing.T) {
	err := envWithFormats(t, jsonOnly, "json,xml").Preflight(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the target does not serve xml") || !strings.Contains(err.Error(), "Set CONFORMANCE_FORMATS=json") {
		t.Errorf("preflight = %v, want it to say to set CONFORMANCE_FORMATS=json", err)
	}
	if err := envWithFormats(t, jsonOnly, "json").Preflight(context.Background()); err != nil {
		t.Errorf("preflight of json alone = %v", err)
	}
	both := func(ref *reference.Server) http.Handler { return ref }
	if err := envWithFormats(t, both, "json,xml").Preflight(context.Background()); err != nil {
		t.Errorf("preflight of a target serving both = %v", err)
	}
}

func TestPreflightTellsAnXMLOnlyRunThatTheTargetServesJSONOnly(t *testing.T) {
	err := envWithFormats(t, jsonOnly, "xml").Preflight(context.Background())
	if err == nil || !strings.Contains(err.Error(), "the target does not serve xml") || !strings.Contains(err.Error(), "Set CONFORMANCE_FORMATS=json") {
		t.Errorf("preflight = %v, want it to say to set CONFORMANCE_FORMATS=json", err)
	}
}
