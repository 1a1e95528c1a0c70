package selftest

import (
	"bytes"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/report"
)

// ownedByTheRun matches what only the specs send: a uuid or a title of the run's.
var ownedByTheRun = regexp.MustCompile(`cc[0-9a-z]{8}[0-9]{8}|conformance run [0-9a-z]{8}: `)

// A failure of the transport is an error of the run in every condition,
// with its real cause, never a verdict on the API: however a spec asserts
// (a matcher, an annotated matcher, a helper's error, a fault hook read),
// once the target is gone no spec may be reported failed.
func TestTransportFailuresAreRunErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		goAway bool           // close the listener: nothing answers any more
		cause  *regexp.Regexp // what every run error must say
	}{
		// Requests in flight when it goes meet a broken connection, later ones nobody.
		{"the target goes away mid-run", true, regexp.MustCompile(`nothing answers at the target's address|the target broke the connection`)},
		{"the target closes every connection", false, regexp.MustCompile(`the target broke the connection`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cut := newSignal()
			tg := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(bytes.NewReader(body))
					// The preflight passes; the first request of a spec about
					// the run's own data cuts the target off, for good.
					if !cut.fired.Load() && !ownedByTheRun.MatchString(r.URL.String()+string(body)) {
						next.ServeHTTP(w, r)
						return
					}
					cut.fire()
					conn, _, err := http.NewResponseController(w).Hijack()
					if err == nil {
						_ = conn.Close()
					}
				})
			})
			if tc.goAway {
				go func() {
					<-cut.ch
					_ = tg.ts.Listener.Close()
					tg.ts.CloseClientConnections()
				}()
			}
			r := runSuite(t, fullRun, tg.env())
			if !cut.fired.Load() {
				t.Fatalf("no spec reached the target: this test proves nothing\n%s", r.tail())
			}
			if r.ExitCode() <= 0 {
				t.Errorf("a run that lost its target exited %d", r.ExitCode())
			}
			errs := 0
			for _, sr := range readSpecs(t, filepath.Join(r.reports, "report.json")) {
				row := report.RowOf(sr)
				switch row.Outcome {
				case report.Failed:
					t.Errorf("%s (%s) is reported failed, a verdict on the API, after the target went away: %s", row.Condition.ID, row.Format, row.Reason)
				case report.Error:
					errs++
					if !tc.cause.MatchString(row.Reason) {
						t.Errorf("%s (%s): the run error does not give the real cause (%q): %s", row.Condition.ID, row.Format, tc.cause, row.Reason)
					}
				}
			}
			if errs == 0 {
				t.Errorf("no spec reported a run error:\n%s", r.tail())
			}
			t.Logf("%d specs reported a run error", errs)
		})
	}
}
