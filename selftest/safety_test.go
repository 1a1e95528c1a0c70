package selftest

// Safety on a shared staging (docs/shared-staging.md): the suite changes nothing it
// did not create, removes what it created however the run ends (or says
// exactly what it could not), never shows a credential, and ends with a
// clear failure, in bounded time and memory, against a target that hangs,
// crawls, breaks connections, floods, answers garbage, redirects or is not
// trusted, and before any request when the configuration is wrong.

import (
	"bytes"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/reference"
)

// fullRun bounds a whole suite run against the reference (about 2 s).
const fullRun = 2 * time.Minute

// A passing run on a target that holds others' cases: it leaves the target
// as it found it, those cases untouched and its own removed, and reports
// nothing left behind.
func TestSuiteCleansUpAfterAPassingRunAndChangesNothingItDidNotCreate(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, reference.Options{}, nil)
	tg.seed()
	before := tg.state()
	r := runSuite(t, fullRun, tg.env())
	expectUnchanged(t, before, tg.state())
	// The seeded cases were modified a moment before the run, inside the
	// window the list specs filter by, as a shared staging's other writers'
	// would be: no condition may fail because of them.
	if failed := failedConditions(r.summary(t)); len(failed) > 0 || r.ExitCode() != 0 {
		t.Errorf("the suite failed %v (exit %d) because of cases it did not create:\n%s", failed, r.ExitCode(), r.tail())
	}
	if strings.Contains(r.summary(t), "left on the target") {
		t.Errorf("a clean run reports leftovers:\n%s", r.summary(t))
	}
}

func TestSuiteCleansUpAfterAFailingRun(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, reference.Options{}, func(ref *reference.Server, _ http.Handler) http.Handler {
		h, err := mutants.Wrap("update-not-applied", ref, reference.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
	tg.seed()
	before := tg.state()
	r := runSuite(t, fullRun, tg.env())
	if r.ExitCode() <= 0 {
		t.Fatalf("the suite passed (or was killed) against a mutant (exit %d):\n%s", r.ExitCode(), r.tail())
	}
	expectUnchanged(t, before, tg.state())
}

// An interrupt (SIGINT, Ctrl-C) at a moment the target chooses: the server
// holds the answer to a request until the suite gives up on it, so the
// request is in flight when the interrupt lands, and its effect (a case
// created, a fault set) happened although the suite never saw the answer.
func TestSuiteCleansUpAfterAnInterrupt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// after: requests to let through first, so that the interrupt lands
		// midway; only for a request every spec sends. The rare ones are
		// caught at their first occurrence, wherever the random spec order
		// puts it.
		after int64
		at    func(r *http.Request, body []byte) bool
		// slow: the target takes a while to answer the request, and drops it
		// if the suite hangs up meanwhile (so a cleanup the interrupt cut
		// short would leave its work undone).
		slow bool
	}{
		{"while a create is in flight", 30, func(r *http.Request, body []byte) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/callcases/") && r.URL.Query().Get("project") != "" &&
				bytes.Contains(body, []byte(`"uuid"`))
		}, false},
		{"while the dialer is down", 0, func(r *http.Request, body []byte) bool {
			return r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/faults/dialer") && bytes.Contains(body, []byte("down"))
		}, false},
		{"while the operator is assigned", 0, func(r *http.Request, body []byte) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/operators/")
		}, false},
		{"while a cleanup unassigns the operator", 0, func(r *http.Request, body []byte) bool {
			return r.Method == http.MethodDelete && strings.Contains(r.URL.Path, "/operators/employee")
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			interrupt := newSignal()
			var seen atomic.Int64
			var held atomic.Pointer[string]
			tg := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(bytes.NewReader(body))
					if seen.Add(1) <= tc.after || interrupt.fired.Load() || !tc.at(r, body) {
						next.ServeHTTP(w, r)
						return
					}
					if tc.slow && interrupt.fire() {
						s := fmt.Sprintf("%s %s, answered after a second unless the suite hung up", r.Method, r.URL)
						held.Store(&s)
						select {
						case <-r.Context().Done():
							return // dropped, undone
						case <-time.After(time.Second):
							next.ServeHTTP(w, r)
							return
						}
					}
					rec := httptest.NewRecorder()
					next.ServeHTTP(rec, r) // applied on the target...
					if rec.Code/100 != 2 || !interrupt.fire() {
						replay(w, rec)
						return
					}
					s := fmt.Sprintf("%s %s %s → %d", r.Method, r.URL, body, rec.Code)
					held.Store(&s)
					holdUntilGone(r) // ...but the answer never reaches the suite
				})
			})
			tg.seed()
			before := tg.state()
			r := startSuite(t, tg.env())
			select {
			case <-interrupt.ch:
				if err := r.Cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
			case <-time.After(fullRun):
				t.Fatal("the suite never sent the request to interrupt at")
			}
			r.wait(t, fullRun)
			t.Logf("interrupted at %s; the suite exited %d", *held.Load(), r.ExitCode())
			if r.ExitCode() <= 0 {
				t.Errorf("an interrupted run must exit non-zero, got %d", r.ExitCode())
			}
			if !strings.Contains(r.Output(), "Interrupted by User") {
				t.Errorf("the output does not say the run was interrupted:\n%s", r.tail())
			}
			if !strings.HasPrefix(r.summary(t), "# Conformance summary: INTERRUPTED") {
				t.Errorf("summary.md does not say INTERRUPTED:\n%s", r.summary(t))
			}
			expectUnchanged(t, before, tg.state())
		})
	}
}

// A target whose DELETE answers 500 keeps what the suite made: the run must
// say exactly what it left, in its output and in summary.md.
func TestSuiteSaysWhatItCouldNotCleanUp(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodDelete {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, `{"code":500,"text":"Internal Server Error","message":"Внутренняя ошибка сервера"}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	tg.seed()
	before := tg.state()
	// Exploration is left out: every delete it sends diverges, and its
	// shrinking makes hundreds of cases the target then keeps; the
	// listing of what was left is the point here, not its length.
	r := runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=!area:explore")
	if r.ExitCode() <= 0 {
		t.Fatalf("the suite passed (or was killed) against a target that cannot delete (exit %d):\n%s", r.ExitCode(), r.tail())
	}
	after := tg.state()
	for uuid, body := range before.cases {
		if after.cases[uuid] != body {
			t.Errorf("case %s, which the suite did not create, changed or is gone", uuid)
		}
	}
	left := added(before, after)
	if len(left) == 0 {
		t.Fatal("the target kept nothing: this test proves nothing")
	}
	summary := r.summary(t)
	reported := regexp.MustCompile(`left on the target: case (\w+)`).FindAllStringSubmatch(summary, -1)
	var got []string
	for _, m := range reported {
		got = append(got, m[1])
	}
	slices.Sort(got)
	if !slices.Equal(got, left) {
		t.Errorf("summary.md lists %d leftover case(s), the target holds %d of the run's\nlisted: %v\nheld:   %v", len(got), len(left), got, left)
	}
	operator := tg.settings["CONFORMANCE_OPERATOR"]
	if strings.Contains(after.operators, operator) != strings.Contains(summary, "operator membership "+operator) {
		t.Errorf("the operator's membership is %s, and summary.md says otherwise:\n%s", after.operators, summary)
	}
	out := r.Output()
	for _, uuid := range left {
		if !strings.Contains(out, "  - case "+uuid) {
			t.Errorf("the output's list of leftovers lacks case %s", uuid)
			break
		}
	}
	if !strings.Contains(out, "LEFT ON THE TARGET") {
		t.Errorf("the output has no list of leftovers:\n%s", r.tail())
	}
}

// misbehaving is the setting of a suite run against a target that is not
// the API: the preflight's first request meets the misbehaviour.
func misbehaving(url string, timeout time.Duration, extra ...string) []string {
	return append([]string{
		"CONFORMANCE_TARGET=" + url + "/fx/api/v1",
		"CONFORMANCE_USERNAME=operator-admin", "CONFORMANCE_PASSWORD=admin-secret",
		"CONFORMANCE_PROJECT=corebo00000000000000000000000001",
		"CONFORMANCE_TIMEOUT=" + timeout.String(),
	}, extra...)
}

func TestSuiteFailsClearlyAgainstAMisbehavingTarget(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	// Time to start the suite and write its reports, plus one timeout per
	// request the preflight may send; generous for a loaded machine.
	bound := 3*timeout + 5*time.Second
	quiet := log.New(io.Discard, "", 0)
	var flooded atomic.Int64 // bytes the 1 GiB target managed to write
	bomb := gzipBomb()

	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		tls     bool
		closed  bool   // the server is gone before the run
		want    string // what the failure message must say
	}{
		{name: "never answers", want: "did not answer within the suite's timeout of 1s (CONFORMANCE_TIMEOUT)",
			handler: func(w http.ResponseWriter, r *http.Request) { holdUntilGone(r) }},
		{name: "answers a bit slower than the timeout", want: "did not answer within the suite's timeout of 1s (CONFORMANCE_TIMEOUT)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(timeout * 3 / 2):
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"uuid":"corebo00000000000000000000000001","title":"x","state":"stopped","operatorAssignmentMode":"manual"}`)
			}},
		{name: "closes the connection mid-body", want: "broke the connection mid-body, after 20 bytes (Content-Length 1000)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := http.NewResponseController(w).Hijack()
				if err != nil {
					panic(err)
				}
				_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"uuid\": \"corebo0000")
				_ = buf.Flush()
				_ = conn.Close()
			}},
		{name: "sends a 1 GiB body", want: "body over the suite's cap of 8 MiB (Content-Length 1073741824)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Length", fmt.Sprint(1<<30))
				chunk := bytes.Repeat([]byte(" "), 64<<10)
				for sent := 0; sent < 1<<30; sent += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return // the client hung up: what it read is bounded
					}
					flooded.Add(int64(len(chunk)))
				}
			}},
		{name: "sends a 1 MiB header", want: `response header section over the suite's cap of 64 KiB (a huge header: header "X-Huge", at least `,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("X-Huge", strings.Repeat("h", 1<<20))
				w.WriteHeader(http.StatusOK)
			}},
		{name: "sends a gzip bomb", want: "gzip-compressed body that decompresses to more than the suite's cap of 8 MiB",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write(bomb)
			}},
		{name: "trickles its answer a byte a second", want: "did not finish its answer within the suite's timeout of 1s (CONFORMANCE_TIMEOUT)",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusOK)
				trickle(w, r, `{"uuid":"corebo00000000000000000000000001","title":"x","state":"stopped","operatorAssignmentMode":"manual"}`)
			}},
		{name: "sends invalid JSON", want: "CONFORMANCE_PROJECT: project \"corebo00000000000000000000000001\": the answer is not a project resource",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"uuid": "corebo00000000000000000000000001", "state": `)
			}},
		{name: "answers HTML", want: "answered 200 with Content-Type \"text/html; charset=utf-8\", not JSON; is CONFORMANCE_TARGET the API's base URL?",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				_, _ = io.WriteString(w, "<html><body>Please log in</body></html>")
			}},
		{name: "redirects in a loop", want: "answered a redirect (302 to \"/fx/api/v1/json/projects/corebo00000000000000000000000001\"); the suite does not follow redirects",
			handler: func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }},
		{name: "serves TLS with a certificate the suite does not trust", tls: true, want: "TLS certificate is not trusted (set CONFORMANCE_CA_BUNDLE",
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }},
		{name: "is not there", closed: true, want: "nothing answers at the target's address (check CONFORMANCE_TARGET",
			handler: func(w http.ResponseWriter, r *http.Request) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := httptest.NewUnstartedServer(tc.handler)
			ts.Config.ErrorLog = quiet
			if tc.tls {
				ts.StartTLS()
			} else {
				ts.Start()
			}
			if tc.closed {
				ts.Close()
			} else {
				t.Cleanup(ts.Close)
			}
			r := runSuite(t, time.Minute, misbehaving(ts.URL, timeout))
			if r.ExitCode() <= 0 {
				t.Errorf("the suite exited %d, want a failure", r.ExitCode())
			}
			if r.Took > bound {
				t.Errorf("the suite took %s, want under %s (timeout %s)", r.Took.Round(time.Millisecond), bound, timeout)
			}
			out := r.Output()
			if !strings.Contains(out, "preflight: CONFORMANCE_") || !strings.Contains(out, tc.want) {
				t.Errorf("the output does not say %q in a preflight failure naming the setting:\n%s", tc.want, r.tail())
			}
			summary := r.summary(t)
			if !strings.Contains(summary, tc.want) {
				t.Errorf("summary.md does not say %q:\n%s", tc.want, summary)
			}
			if i := strings.Index(summary, "- run error: "); i >= 0 {
				t.Logf("after %s: %s", r.Took.Round(time.Millisecond), strings.SplitN(summary[i:], "\n", 2)[0])
			}
		})
	}
	t.Cleanup(func() {
		// The client stops reading at its cap; kernel buffers take some more.
		if n := flooded.Load(); n >= 128<<20 {
			t.Errorf("the 1 GiB target wrote %d MiB before the suite hung up; the client reads at most 8 MiB", n>>20)
		}
	})
}

// The TLS options work: with the target's CA, or with verification off, the
// preflight gets past TLS and the specs run.
func TestSuiteTrustsWhatItIsToldTo(t *testing.T) {
	t.Parallel()
	ref := reference.New(reference.Options{FaultTimer: 100 * time.Millisecond})
	ts := httptest.NewUnstartedServer(ref)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for k, v := range ref.Settings(ts.URL) {
		env = append(env, k+"="+v)
	}
	for name, setting := range map[string]string{"CA bundle": "CONFORMANCE_CA_BUNDLE=" + ca, "insecure": "CONFORMANCE_INSECURE=true"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := runSuite(t, fullRun, append(slices.Clone(env), setting), "-ginkgo.label-filter=S200-get || S204-empty-list")
			if r.ExitCode() != 0 || !strings.Contains(r.summary(t), "2 passed") {
				t.Errorf("with %s the suite should pass two specs over TLS (exit %d):\n%s", setting, r.ExitCode(), r.tail())
			}
		})
	}
}

// A configuration the suite cannot use stops the run before any request,
// with a message that names the setting.
func TestSuiteStopsOnABadConfigurationBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	var requests atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	t.Cleanup(ts.Close)
	host := strings.TrimPrefix(ts.URL, "http://")
	good := map[string]string{
		"CONFORMANCE_TARGET": ts.URL + "/fx/api/v1", "CONFORMANCE_FAULTS_URL": ts.URL + "/faults",
		"CONFORMANCE_USERNAME": "operator-admin", "CONFORMANCE_PASSWORD": "admin-secret",
		"CONFORMANCE_PROJECT": "corebo00000000000000000000000001",
	}
	badYAML := filepath.Join(t.TempDir(), "conformance.yaml")
	if err := os.WriteFile(badYAML, []byte("target: [http://"+host+"\nproject: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		change  map[string]string // "" removes the setting
		setting string            // the message must name it
	}{
		{"unknown format", map[string]string{"CONFORMANCE_FORMATS": "yaml"}, "CONFORMANCE_FORMATS"},
		{"malformed URL", map[string]string{"CONFORMANCE_TARGET": host + "/fx/api/v1"}, "CONFORMANCE_TARGET"},
		{"missing required setting", map[string]string{"CONFORMANCE_PROJECT": ""}, "CONFORMANCE_PROJECT"},
		{"YAML file that does not parse", map[string]string{"CONFORMANCE_CONFIG": badYAML}, "CONFORMANCE_CONFIG"},
		{"timeout that is no duration", map[string]string{"CONFORMANCE_TIMEOUT": "10"}, "CONFORMANCE_TIMEOUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var env []string
			for k, v := range good {
				if c, ok := tc.change[k]; ok {
					v = c
				}
				if v != "" {
					env = append(env, k+"="+v)
				}
			}
			for k, v := range tc.change {
				if _, ok := good[k]; !ok {
					env = append(env, k+"="+v)
				}
			}
			r := runSuite(t, time.Minute, env)
			if r.ExitCode() <= 0 {
				t.Errorf("the suite exited %d, want a failure", r.ExitCode())
			}
			if !strings.Contains(r.Output(), "[FAILED] "+tc.setting) {
				t.Errorf("the output does not name %s first:\n%s", tc.setting, r.tail())
			}
			if !strings.Contains(r.summary(t), tc.setting) {
				t.Errorf("summary.md does not name %s", tc.setting)
			}
		})
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the target got %d request(s) from runs whose configuration was wrong", n)
	}
}

// failedConditions lists the summary's failed rows.
func failedConditions(summary string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\| (\S+) \| \d+ \| \w+ \| (failed|error) \|`).FindAllStringSubmatch(summary, -1) {
		out = append(out, m[1])
	}
	return out
}
