package selftest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/suiterun"
)

// target is a reference server on loopback, as a staging would be: the
// suite reaches it over the network, the test reads it back through the API.
type target struct {
	t        *testing.T
	ref      *reference.Server
	ts       *httptest.Server
	settings map[string]string
	requests atomic.Int64 // every request that reached the server
}

// newTarget serves a reference (wrapped by wrap, when given) and counts requests.
func newTarget(t *testing.T, opts reference.Options, wrap func(*reference.Server, http.Handler) http.Handler) *target {
	t.Helper()
	if opts.FaultTimer == 0 {
		opts.FaultTimer = 100 * time.Millisecond // E504 costs little
	}
	tg := &target{t: t, ref: reference.New(opts)}
	var h http.Handler = tg.ref
	if wrap != nil {
		h = wrap(tg.ref, h)
	}
	tg.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tg.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(tg.ts.Close)
	tg.settings = tg.ref.Settings(tg.ts.URL)
	return tg
}

func (tg *target) env() []string {
	var out []string
	for k, v := range tg.settings {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}

// call sends one request as the full-rights user, bypassing any wrapper
// (straight to the reference), and returns status and body.
func (tg *target) call(method, path string, body any) (int, []byte) {
	tg.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tg.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.SetBasicAuth(tg.settings["CONFORMANCE_USERNAME"], tg.settings["CONFORMANCE_PASSWORD"])
	w := httptest.NewRecorder()
	tg.ref.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

const api = "/fx/api/v1/json"

func (tg *target) projects() []string {
	return []string{tg.settings["CONFORMANCE_PROJECT"], tg.settings["CONFORMANCE_AUTO_PROJECT"], tg.settings["CONFORMANCE_COMPLETED_PROJECT"]}
}

// seed creates, as the admin and through the API, cases the suite did not
// create, in every fixture project: without an external id, with one, and
// ones that look like another conformance run's (its marks, another run id).
func (tg *target) seed() {
	tg.t.Helper()
	for i, p := range tg.projects() {
		bodies := []struct {
			path string
			body map[string]any
		}{
			{"/callcases/?project=" + p, map[string]any{"title": "Иванов И. И.", "comment": "a customer's", "priority": 2,
				"phoneNumbers": map[string]any{"phoneNumber": []map[string]string{{"value": "8000000000", "phoneNumberType": "HOME"}}}}},
			{"/projects/" + p + "/callcases/", map[string]any{"id": fmt.Sprintf("crm seed %d", i), "title": "Петрова А. С."}},
			{"/callcases/?project=" + p, map[string]any{"uuid": fmt.Sprintf("ccotherrn%d01000001", i), "title": "conformance run otherrn" + strconv.Itoa(i) + ": case",
				"id": fmt.Sprintf("conformance otherrn%d-01-000002", i)}},
		}
		for _, b := range bodies {
			if code, body := tg.call(http.MethodPost, api+b.path, b.body); code != http.StatusCreated {
				tg.t.Fatalf("seeding %s: %d %s", b.path, code, body)
			}
		}
	}
}

// state is what the test compares before and after a run: every case of
// every fixture project (its whole body as read back), the main project's
// operators, and the fault hook.
type state struct {
	cases     map[string]string // uuid → body of GET /callcases/{uuid}
	operators string
	faults    string
}

func (tg *target) state() state {
	tg.t.Helper()
	s := state{cases: map[string]string{}}
	for _, p := range tg.projects() {
		for page := 1; page <= 100; page++ {
			code, body := tg.call(http.MethodGet, fmt.Sprintf("%s/callcases/?project=%s&page=%d", api, p, page), nil)
			if code == http.StatusNoContent {
				break
			}
			if code != http.StatusOK {
				tg.t.Fatalf("listing project %s: %d %s", p, code, body)
			}
			var list struct {
				Callcase []struct {
					UUID string `json:"uuid"`
				} `json:"callcase"`
			}
			if err := json.Unmarshal(body, &list); err != nil {
				tg.t.Fatal(err)
			}
			for _, c := range list.Callcase {
				code, body := tg.call(http.MethodGet, api+"/callcases/"+c.UUID, nil)
				if code != http.StatusOK {
					tg.t.Fatalf("reading case %s: %d %s", c.UUID, code, body)
				}
				s.cases[c.UUID] = string(body)
			}
		}
	}
	_, ops := tg.call(http.MethodGet, api+"/projects/"+tg.settings["CONFORMANCE_PROJECT"]+"/operators/", nil)
	s.operators = string(ops)
	_, faults := tg.call(http.MethodGet, "/faults/", nil)
	s.faults = string(faults)
	return s
}

// added lists the uuids of cases in after that are not in before.
func added(before, after state) []string {
	var out []string
	for uuid := range after.cases {
		if _, ok := before.cases[uuid]; !ok {
			out = append(out, uuid)
		}
	}
	slices.Sort(out)
	return out
}

// expectUnchanged fails unless the target holds exactly what it held before.
func expectUnchanged(t *testing.T, before, after state) {
	t.Helper()
	for uuid, body := range before.cases {
		switch got, ok := after.cases[uuid]; {
		case !ok:
			t.Errorf("case %s, which the suite did not create, is gone", uuid)
		case got != body:
			t.Errorf("case %s, which the suite did not create, changed:\nbefore %s\nafter  %s", uuid, body, got)
		}
	}
	if left := added(before, after); len(left) > 0 {
		t.Errorf("the run left %d case(s) on the target: %v", len(left), left)
	}
	if after.operators != before.operators {
		t.Errorf("the main project's operators changed:\nbefore %s\nafter  %s", before.operators, after.operators)
	}
	if !strings.Contains(after.faults, `"dialer":"none"`) || !strings.Contains(after.faults, `"integration":"none"`) {
		t.Errorf("the fault hook is not back to none: %s", after.faults)
	}
}

// suiteRun is one run of the compiled suite (or of the binary, or of
// make) as its own process, and the folder of its reports.
type suiteRun struct {
	*suiterun.Process
	reports string
}

// start starts cmd, whose reports go to reports.
func start(t *testing.T, cmd *exec.Cmd, reports string) *suiteRun {
	t.Helper()
	p, err := suiterun.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return &suiteRun{Process: p, reports: reports}
}

// startSuite starts the compiled suite with the given settings (and none of
// the caller's), in a temporary working folder, reports in it.
func startSuite(t *testing.T, env []string, args ...string) *suiteRun {
	t.Helper()
	dir := t.TempDir()
	reports := filepath.Join(dir, "reports")
	cmd := execSuite(t, args...)
	cmd.Dir = dir
	cmd.Env = suiterun.Env(append([]string{"CONFORMANCE_REPORTS=" + reports}, env...)...)
	return start(t, cmd, reports)
}

// wait waits for the suite, killing it after limit: a suite that hangs is a
// failure of the test, not a hung test.
func (r *suiteRun) wait(t *testing.T, limit time.Duration) {
	t.Helper()
	if _ = r.Wait(limit); r.TimedOut {
		t.Errorf("the suite did not end within %s; killed it", limit)
	}
}

func runSuite(t *testing.T, limit time.Duration, env []string, args ...string) *suiteRun {
	t.Helper()
	r := startSuite(t, env, args...)
	r.wait(t, limit)
	return r
}

func (r *suiteRun) summary(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.reports, "summary.md"))
	if err != nil {
		t.Fatalf("no summary: %v\n%s", err, r.tail())
	}
	return string(b)
}

func (r *suiteRun) tail() string {
	out := r.Output()
	if len(out) > 6000 {
		out = "…" + out[len(out)-6000:]
	}
	return out
}

// signalOnce closes its channel the first time it is fired.
type signalOnce struct {
	fired atomic.Bool
	ch    chan struct{}
}

func newSignal() *signalOnce { return &signalOnce{ch: make(chan struct{})} }

func (s *signalOnce) fire() bool {
	if s.fired.CompareAndSwap(false, true) {
		close(s.ch)
		return true
	}
	return false
}

// holdUntilGone keeps a request open until the client gives up on it (an
// interrupted suite cancels its requests), bounded so a test cannot hang.
func holdUntilGone(r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Minute)
	defer cancel()
	<-ctx.Done()
}

// replay sends a recorded answer.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
