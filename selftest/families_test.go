package selftest

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/callcases/conformance/reference"
)

// A family sends its rows' calls at once, before its first row runs; a run
// that selects some rows sends only theirs.
func TestAFamilySendsOnlyTheCallsOfTheRowsARunSelects(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var unauthenticated []string
	tg := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "" {
				mu.Lock()
				unauthenticated = append(unauthenticated, r.Method+" "+r.URL.Path)
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	})
	// getCallCase's rows of E401-every-operation: one without credentials
	// and one with a wrong password, per format.
	r := runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=E401-every-operation && op:getCallCase")
	if r.ExitCode() != 0 {
		t.Fatalf("exit %d:\n%s", r.ExitCode(), r.tail())
	}
	summary := r.summary(t)
	for _, format := range []string{"json", "xml"} {
		if !strings.Contains(summary, "| E401-every-operation | 401 | "+format+" | passed |") {
			t.Errorf("summary.md lacks E401-every-operation passed in %s:\n%s", format, summary)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(unauthenticated)
	if len(unauthenticated) != 2 || !strings.HasPrefix(unauthenticated[0], "GET /fx/api/v1/json/callcases/") || !strings.HasPrefix(unauthenticated[1], "GET /fx/api/v1/xml/callcases/") {
		t.Errorf("requests without credentials: %q; want one GET of a case per format (the rows the filter selects, no others)", unauthenticated)
	}
}
