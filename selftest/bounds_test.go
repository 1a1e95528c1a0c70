package selftest

// Bounded everything, against targets that send too much or too slowly,
// and credentials kept out of every output in every encoding (shared
// staging, docs/fixtures.md): what the suite holds, writes and waits for
// does not grow with what the target does.

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/suiterun"
)

var gzipBomb = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zero := make([]byte, 1<<20)
	for range 64 { // 64 MiB of zeros, about 64 KiB compressed
		_, _ = zw.Write(zero)
	}
	_ = zw.Close()
	return b.Bytes()
})

// trickle writes body a byte a second until the client hangs up.
func trickle(w http.ResponseWriter, r *http.Request, body string) {
	for i := range len(body) {
		if _, err := io.WriteString(w, body[i:i+1]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// reportsSize is the bytes of every file in dir.
func reportsSize(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			t.Logf("  %s: %d KiB", d.Name(), info.Size()>>10)
			total += info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// peakMemory is the suite process's peak resident memory.
func (r *suiteRun) peakMemory() int64 {
	if u, ok := r.Cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return u.Maxrss << 10 // KiB on Linux
	}
	return 0
}

// Targets that flood every answer: the run ends, and neither its reports,
// its output nor its memory grow with the flood. The read-only user may
// write, so that failures print exchanges.
func TestSuiteStaysSmallAgainstAFloodingTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		flood func(rec *httptest.ResponseRecorder)
		after bool // only after the preflight
	}{
		{name: "a 60 KiB header, 100 more and a megabyte of body on every answer", flood: func(rec *httptest.ResponseRecorder) {
			rec.Header().Set("X-Flood", strings.Repeat("f", 60<<10))
			for i := range 100 {
				rec.Header().Set(fmt.Sprintf("X-Flood-%d", i), "many headers")
			}
			if rec.Body.Len() > 0 && strings.Contains(rec.Header().Get("Content-Type"), "json") {
				rec.Body.WriteString(strings.Repeat(" ", 1<<20)) // still the same JSON
			}
		}},
		{name: "a 1 MiB header on every answer after the preflight", after: true, flood: func(rec *httptest.ResponseRecorder) {
			rec.Header().Set("X-Huge", strings.Repeat("h", 1<<20))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var answered sync.Map
			tg := newTarget(t, reference.Options{}, func(ref *reference.Server, _ http.Handler) http.Handler {
				h, err := mutants.Wrap("readonly-may-create", ref, reference.Options{})
				if err != nil {
					t.Fatal(err)
				}
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, r)
					_, seen := answered.LoadOrStore(r.Method+r.URL.String()+r.Header.Get("Authorization"), true)
					preflight := r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/projects/") || strings.Contains(r.URL.Path, "/faults")
					if !tc.after || !preflight || seen {
						tc.flood(rec)
					}
					rec.Header().Del("Content-Length")
					replay(w, rec)
				})
			})
			// One format: what is bounded is each spec's share, and a second
			// format only doubles the number of specs.
			r := runSuite(t, fullRun, append(tg.env(), "CONFORMANCE_FORMATS=json"))
			if r.ExitCode() <= 0 {
				t.Fatalf("the suite passed (or was killed) against a mutant (exit %d):\n%s", r.ExitCode(), r.tail())
			}
			size := reportsSize(t, r.reports)
			out := int64(r.Stdout.Len() + r.Stderr.Len())
			t.Logf("reports %d KiB, output %d KiB, peak memory %d MiB, %s", size>>10, out>>10, r.peakMemory()>>20, r.Took.Round(time.Millisecond))
			if size > 8<<20 {
				t.Errorf("the reports take %d MiB; want a few", size>>20)
			}
			if out > 1<<20 {
				t.Errorf("the output takes %d KiB; want well under a MiB", out>>10)
			}
			if m := r.peakMemory(); m > 512<<20 {
				t.Errorf("the suite peaked at %d MiB of memory", m>>20)
			}
			if !strings.Contains(r.Output(), "more bytes)") && !strings.Contains(r.Output(), "(a huge header: header \"X-Huge\"") {
				t.Errorf("the output never says what it cut or refused:\n%s", r.tail())
			}
		})
	}
}

// slowAfterPreflight is a reference that answers the preflight's reads at
// once (the projects, the fault hook, the listing of what earlier runs left)
// and everything else through answer.
func slowAfterPreflight(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder)) *target {
	var answered sync.Map
	return newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/faults") { // read when the suite is built, and again by the preflight
				next.ServeHTTP(w, r)
				return
			}
			q := r.URL.Query()
			earlierRuns := strings.HasSuffix(r.URL.Path, "/callcases/") && len(q) == 2 && q.Has("project") && q.Has("page")
			if r.Method == http.MethodGet && (strings.Contains(r.URL.Path, "/projects/") || earlierRuns) {
				if _, seen := answered.LoadOrStore(r.Method+r.URL.String()+r.Header.Get("Authorization"), true); !seen {
					next.ServeHTTP(w, r)
					return
				}
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			answer(w, r, rec)
		})
	})
}

// A target that passes the preflight, then answers everything a byte a
// second: each request costs a timeout, and after a few in a row the suite
// stops waiting on it, so the run ends in seconds, not a timeout per request.
func TestSuiteStopsWaitingOnATricklingTarget(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	tg := slowAfterPreflight(t, func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder) {
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		trickle(w, r, rec.Body.String())
	})
	r := runSuite(t, fullRun, append(tg.env(), "CONFORMANCE_TIMEOUT="+timeout.String()))
	t.Logf("the run took %s", r.Took.Round(time.Millisecond))
	if r.ExitCode() <= 0 {
		t.Errorf("the suite exited %d, want a failure", r.ExitCode())
	}
	// A few timeouts before it stops waiting, a probe now and then, the
	// cleanup's requests refused at once: far below one timeout per spec.
	if bound := 15 * timeout; r.Took > bound {
		t.Errorf("the run took %s with a timeout of %s; want under %s", r.Took.Round(time.Millisecond), timeout, bound)
	}
	// Ginkgo's report.json keeps each failure whole (summary.md cuts a row's
	// detail short, and which specs met the first timeouts depends on the order).
	report, err := os.ReadFile(filepath.Join(r.reports, "report.json"))
	if err != nil {
		t.Fatalf("no report.json: %v\n%s", err, r.tail())
	}
	for _, want := range []string{
		"did not finish its answer within the suite's timeout of 1s",
		"not sent: the target did not answer within the suite's timeout of 1s (CONFORMANCE_TIMEOUT) 3 times in a row",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.json does not say %q: the target trickled\n%s", want, r.summary(t))
		}
	}
}

// A target slow enough to take the run past its deadline, answering each
// request within the timeout: the run ends at its deadline
// (CONFORMANCE_DEADLINE), with cleanup, and the reports say why.
func TestSuiteEndsByItsDeadline(t *testing.T) {
	t.Parallel()
	const deadline = 3 * time.Second
	tg := slowAfterPreflight(t, func(w http.ResponseWriter, r *http.Request, rec *httptest.ResponseRecorder) {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(300 * time.Millisecond):
		}
		replay(w, rec)
	})
	r := runSuite(t, fullRun, append(tg.env(), "CONFORMANCE_DEADLINE="+deadline.String()))
	t.Logf("the run took %s", r.Took.Round(time.Millisecond))
	if r.ExitCode() <= 0 {
		t.Errorf("the suite exited %d, want a failure", r.ExitCode())
	}
	// The deadline, then the cleanup of the specs under way and the final sweep.
	if bound := deadline + 20*time.Second; r.Took > bound {
		t.Errorf("the run took %s with a deadline of %s; want under %s", r.Took.Round(time.Millisecond), deadline, bound)
	}
	summary := r.summary(t)
	if !strings.Contains(summary, "run error: the run's overall deadline (CONFORMANCE_DEADLINE) passed") || !strings.Contains(summary, "| error | not run: the run's overall deadline") {
		t.Errorf("summary.md does not say the deadline stopped the run:\n%s", summary)
	}
	if strings.Contains(summary, "left on the target") {
		t.Errorf("the cleanup did not run after the deadline:\n%s", summary)
	}
}

// A target URL without the API's path is CONFORMANCE_TARGET's problem; a
// project the API does not have is CONFORMANCE_PROJECT's.
func TestPreflightNamesTheSettingAtFault(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, reference.Options{}, nil)
	for _, tc := range []struct {
		name, setting, value, want string
	}{
		{"the target URL lacks the API's path", "CONFORMANCE_TARGET", tg.ts.URL, "preflight: CONFORMANCE_TARGET: reading project"},
		{"the project is not there", "CONFORMANCE_PROJECT", "corebo0000000000000000000000nope", "preflight: CONFORMANCE_PROJECT: the target has no project"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var env []string
			for _, kv := range tg.env() {
				if !strings.HasPrefix(kv, tc.setting+"=") {
					env = append(env, kv)
				}
			}
			r := runSuite(t, time.Minute, append(env, tc.setting+"="+tc.value))
			if r.ExitCode() <= 0 {
				t.Errorf("the suite exited %d, want a failure", r.ExitCode())
			}
			if !strings.Contains(r.summary(t), tc.want) {
				t.Errorf("summary.md does not say %q:\n%s", tc.want, r.summary(t))
			}
		})
	}
}

// Relative paths in settings are taken from CONFORMANCE_WORKDIR, the folder
// the user ran the command in, not from where the suite's process runs.
func TestRelativePathsAreTakenFromWhereTheCommandRan(t *testing.T) {
	t.Parallel()
	user := t.TempDir()
	cmd := execSuite(t, "-ginkgo.label-filter=S200-get")
	cmd.Dir = t.TempDir() // where go test would run it: elsewhere
	cmd.Env = suiterun.Env("CONFORMANCE_WORKDIR="+user, "CONFORMANCE_REPORTS=out/reports")
	r := start(t, cmd, filepath.Join(user, "out", "reports"))
	r.wait(t, fullRun)
	if r.ExitCode() != 0 {
		t.Fatalf("the suite failed (exit %d):\n%s", r.ExitCode(), r.tail())
	}
	if !strings.Contains(r.summary(t), "1 passed") {
		t.Errorf("the summary is not in %s or did not pass S200-get:\n%s", r.reports, r.summary(t))
	}
}

// Passwords holding every character an encoding changes, echoed by the
// target in every encoding it might use: no output and no report shows them
// in any form, however the report file encodes what it quotes.
func TestSuiteNeverShowsCredentialsInAnyEncoding(t *testing.T) {
	t.Parallel()
	opts := reference.Options{Username: "admin-qx", Password: `Adm"1n\pw<&>%41-пароль-ÿ`, ReadOnlyUsername: "viewer-qx", ReadOnlyPassword: `R3ad'pw%20&amp;"\\-Ünï/😀`}
	echo := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, pw, _ := r.BasicAuth()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for name, enc := range encodingsOf(pw) {
				rec.Header().Set("X-Echo-"+strings.ReplaceAll(name, " ", "-"), enc)
			}
			var body map[string]any
			if json.Unmarshal(rec.Body.Bytes(), &body) == nil && body["message"] != nil {
				body["message"] = "wrong for " + pw // shown JSON-escaped, and Go-quoted by HaveResult
				b, _ := json.Marshal(body)
				rec.Body = bytes.NewBuffer(b)
			}
			if strings.HasSuffix(r.URL.Path, "/get-state") {
				rec.Body = bytes.NewBufferString("\xff not UTF-8, printed %q: " + pw)
			}
			rec.Header().Del("Content-Length")
			replay(w, rec)
		})
	}
	t.Run("in the specs' exchanges", func(t *testing.T) {
		tg := newTarget(t, opts, func(ref *reference.Server, _ http.Handler) http.Handler {
			h, err := mutants.Wrap("readonly-may-create", ref, opts)
			if err != nil {
				t.Fatal(err)
			}
			return echo(h)
		})
		r := runSuite(t, fullRun, tg.env(), "-ginkgo.v")
		if r.ExitCode() <= 0 {
			t.Fatalf("the suite passed (or was killed) against a mutant (exit %d):\n%s", r.ExitCode(), r.tail())
		}
		if !strings.Contains(r.Output(), "X-Echo-Json: ") || !strings.Contains(r.Output(), "Authorization: Basic [redacted]") {
			t.Fatalf("the output shows no echoing exchange: this test proves nothing\n%s", r.tail())
		}
		expectNoCredential(t, r, opts)
	})
	t.Run("in a preflight failure", func(t *testing.T) {
		tg := newTarget(t, opts, func(ref *reference.Server, next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, pw, _ := r.BasicAuth()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				b, _ := json.Marshal(map[string]string{"error": "bad password " + pw})
				_, _ = w.Write(b)
			})
		})
		r := runSuite(t, fullRun, tg.env())
		if !strings.Contains(r.summary(t), "answered 500") {
			t.Fatalf("the preflight did not quote the answer: this test proves nothing\n%s", r.tail())
		}
		expectNoCredential(t, r, opts)
	})
}

// expectNoCredential looks for the users' credentials, in every encoding, in
// the run's output and in every report, raw and decoded.
func expectNoCredential(t *testing.T, r *suiteRun, opts reference.Options) {
	t.Helper()
	forms := map[string]string{}
	for _, u := range [][2]string{{opts.Username, opts.Password}, {opts.ReadOnlyUsername, opts.ReadOnlyPassword}} {
		for name, enc := range encodingsOf(u[1]) {
			forms[name+" of "+u[1]] = enc
		}
		forms["Basic of "+u[1]] = base64.StdEncoding.EncodeToString([]byte(u[0] + ":" + u[1]))
	}
	places := map[string]string{"stdout": r.Stdout.String(), "stderr": r.Stderr.String()}
	err := filepath.WalkDir(r.reports, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		name := filepath.Base(path)
		places[name] = string(b)
		for i, view := range decodedViews(t, name, b) {
			places[fmt.Sprintf("%s (decoded, part %d)", name, i)] = view
		}
		return err
	})
	if err != nil || len(places) < 6 {
		t.Fatalf("reading the reports (%d places): %v", len(places), err)
	}
	for where, text := range places {
		for form, s := range forms {
			if strings.Contains(text, s) {
				t.Errorf("%s shows the credential as %s: %q", where, form, s)
			}
		}
	}
}

// execSuite is the compiled suite as a command, not started.
func execSuite(t testing.TB, args ...string) *exec.Cmd {
	return exec.Command(program(t, "conformance.test"), append([]string{"-ginkgo.no-color"}, args...)...)
}

// encodingsOf is a secret as each place that can show it writes it.
func encodingsOf(s string) map[string]string {
	j, _ := json.Marshal(s)
	var x strings.Builder
	_ = xml.EscapeText(&x, []byte(s))
	return map[string]string{
		"raw": s, "JSON": strings.Trim(string(j), `"`), "XML": x.String(), "HTML": html.EscapeString(s),
		"URL": url.QueryEscape(s), "URL-path": url.PathEscape(s),
		"Go-quoted": strings.Trim(strconv.Quote(s), `"`), "Go-quoted-ASCII": strings.Trim(strconv.QuoteToASCII(s), `"`),
	}
}

// decodedViews undoes a report file's own encoding, so that a secret the
// file holds in its escaped form is seen as it was written: every string of
// a JSON file, the text and attributes of an XML file, the text of a page.
func decodedViews(t *testing.T, name string, b []byte) []string {
	var views []string
	switch filepath.Ext(name) {
	case ".json":
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s is no longer JSON after redaction: %v", name, err)
			return nil
		}
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				views = append(views, v)
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for k, e := range v {
					views = append(views, k)
					walk(e)
				}
			}
		}
		walk(v)
	case ".xml":
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s is no longer XML after redaction: %v", name, err)
				break
			}
			switch tok := tok.(type) {
			case xml.CharData:
				views = append(views, string(tok))
			case xml.StartElement:
				for _, a := range tok.Attr {
					views = append(views, a.Value)
				}
			}
		}
	case ".html":
		views = append(views, html.UnescapeString(string(b)))
	}
	return views
}
