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
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/callcases/conformance/bundle"
	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/suiterun"
)

// EnvFlakyRuns sets how many runs TestAFlakyNetworkCostsNoVerdict makes
// (default defaultFlakyRuns); EnvFlakySeed seeds the proxy's cuts;
// EnvFlakyPer=request cuts 2% of requests instead of connections.
const (
	EnvFlakyRuns     = "SELFTEST_FLAKY_RUNS"
	EnvFlakySeed     = "SELFTEST_FLAKY_SEED"
	EnvFlakyPer      = "SELFTEST_FLAKY_PER"
	defaultFlakyRuns = 20
	flakyCutRate     = "0.02"
)

// A flaky network must not cost the verdict (docs/shared-staging.md, "A flaky network"): the suite
// binary, against the reference as its own process, through a proxy (its
// own process too) that cuts 2% of connections (each at one of its first
// four requests), half before the request reaches the target and half
// after the target acted and answered, gives
// PASS in at least 19 runs of 20, both formats, never FAIL, and leaves
// nothing behind: no case, no fault, the operator's membership as it was.
//
// A run against the reference takes about 2 s; 20 runs cost about a
// minute of make test on 2 cores, which is why make test runs all 20
// (SELFTEST_FLAKY_RUNS=N runs N, allowing N/20 runs without PASS).
func TestAFlakyNetworkCostsNoVerdict(t *testing.T) {
	t.Parallel()
	runs := defaultFlakyRuns
	if v := os.Getenv(EnvFlakyRuns); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q is not a positive whole number", EnvFlakyRuns, v)
		}
		runs = n
	}
	seed, per := "21", "connection"
	if v := os.Getenv(EnvFlakySeed); v != "" {
		seed = v
	}
	if v := os.Getenv(EnvFlakyPer); v != "" {
		per = v
	}
	settings := startReference(t, "-fault-timer", "100ms")
	direct := setting(t, settings, "CONFORMANCE_TARGET")
	origin := strings.TrimSuffix(direct, "/fx/api/v1")
	proxy := startProxy(t, origin, "-delay", "0", "-cut", flakyCutRate, "-cut-per", per, "-seed", seed)
	flaky := make([]string, 0, len(settings))
	for _, kv := range settings {
		flaky = append(flaky, strings.Replace(kv, origin, proxy.Root, 1))
	}
	user, password := setting(t, settings, "CONFORMANCE_USERNAME"), setting(t, settings, "CONFORMANCE_PASSWORD")
	project := setting(t, settings, "CONFORMANCE_PROJECT")
	membership := func() string {
		t.Helper()
		return readDirect(t, direct+"/json/projects/"+project+"/operators/", user, password)
	}
	before := membership()

	passed, verdicts := 0, map[string]int{}
	var retried, reruns int
	for i := range runs {
		dir := t.TempDir()
		env, _ := isolatedEnv(t, false, flaky...)
		r := startBinary(t, dir, env, "-procs", "2")
		r.wait(t, fullRun)
		res := readResultJSON(t, r.reports)
		verdicts[res.Verdict]++
		retried, reruns = retried+res.RetriedRequests, reruns+len(res.Reruns)
		if res.Verdict == "PASS" {
			passed++
		} else {
			t.Logf("run %d: %s (exit %d): %v\n%s", i+1, res.Verdict, r.ExitCode(), res.RunErrors, notPassed(res))
		}
		for _, e := range res.Results {
			if e.Outcome == report.Failed {
				t.Errorf("run %d: %s (%s) failed, a verdict on a conforming target through a flaky network: %s", i+1, e.ID, e.Format, e.Reason)
			}
		}
	}
	cuts := cutsOf(proxy.Stop())
	t.Logf("%d runs through 2%% of %ss cut (seed %s, %s): %v; %d requests sent again, %d specs run again", runs, per, seed, cuts, verdicts, retried, reruns)
	if !strings.HasPrefix(cuts, "cuts ") || strings.HasPrefix(cuts, "cuts 0 ") {
		t.Fatalf("the proxy cut no connection (%q): this test proves nothing", cuts)
	}
	if allowed := runs / 20; runs-passed > allowed {
		t.Errorf("PASS in %d runs of %d; at most %d without PASS are allowed (19 in 20)", passed, runs, allowed)
	}

	// Nothing left behind: no case of any run, every fault back to none,
	// no lease held, the membership as it was.
	clean := exec.Command(binary(t), "clean", "-dry-run", "-min-age", "0")
	clean.Env, _ = isolatedEnv(t, false, settings...)
	out, err := clean.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "0 earlier run(s)") {
		t.Errorf("the runs left cases on the target (clean -dry-run, exit %v):\n%s", err, out)
	}
	hook := readDirect(t, setting(t, settings, "CONFORMANCE_FAULTS_URL")+"/", user, password)
	var faults struct {
		Dialer, Integration string
		Scoped              map[string]any
		Lease               any
	}
	if err := json.Unmarshal([]byte(hook), &faults); err != nil || faults.Dialer != "none" || faults.Integration != "none" || len(faults.Scoped) > 0 || faults.Lease != nil {
		t.Errorf("the fault hook is not back to none, or a lease is held: %s", hook)
	}
	if after := membership(); after != before {
		t.Errorf("the main project's operators changed:\nbefore %s\nafter  %s", before, after)
	}
}

// notPassed lists a result's entries that did not pass, with their reasons.
func notPassed(res report.Result) string {
	var b strings.Builder
	for _, e := range res.Results {
		if e.Outcome != report.Passed {
			fmt.Fprintf(&b, "  %s (%s) %s: %s\n", e.ID, e.Format, e.Outcome, e.Reason)
		}
	}
	return b.String()
}

// setting is the value of NAME=value among settings.
func setting(t *testing.T, settings []string, name string) string {
	t.Helper()
	for _, kv := range settings {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	t.Fatalf("the reference printed no %s", name)
	return ""
}

// readDirect reads a URL of the reference, not through the proxy: 200's
// body, or "" for 204.
func readDirect(t *testing.T, url, user, password string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		t.Fatalf("GET %s answered %d: %s", url, resp.StatusCode, body)
	}
	return string(body)
}

// startProxy serves cmd/latencyproxy in front of target, stopped when
// the test ends.
func startProxy(t *testing.T, target string, args ...string) *suiterun.Server {
	t.Helper()
	p, err := suiterun.StartProxy(context.Background(), program(t, "latencyproxy"), target, os.Stderr, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Stop() })
	return p
}

// cutsOf is the proxy's count of cuts in what it printed as it stopped
// ("cuts N (before B, after A)"), or "".
func cutsOf(stopped string) string {
	for line := range strings.Lines(stopped) {
		if c, ok := strings.CutPrefix(strings.TrimSpace(line), "# "); ok && strings.HasPrefix(c, "cuts ") {
			return c
		}
	}
	return ""
}

// cutOnce is a wrapper of the target that, once, cuts the connection of the
// first request of a spec (about the run's own data) that matches, after
// the target acted on it: its answer never reaches the suite.
func cutOnce(method string, cut *signalOnce) func(*reference.Server, http.Handler) http.Handler {
	return func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if r.Method != method || !ownedByTheRun.MatchString(r.URL.String()+string(body)) || !cut.fire() {
				next.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(httptest.NewRecorder(), r) // the target acts; the answer is dropped
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		})
	}
}

// harEntries reads a run's HAR.
func harEntries(t *testing.T, reports string) []*bundle.Entry {
	t.Helper()
	h, err := bundle.ReadHAR(filepath.Join(reports, bundle.HARFile))
	if err != nil {
		t.Fatal(err)
	}
	return h.Log.Entries
}

// A spec whose POST lost its answer is run again from the start, with a new
// case, and says so; the case the lost attempt made is cleaned up.
func TestASpecThatLostAnAnswerRunsAgain(t *testing.T) {
	t.Parallel()
	cut := newSignal()
	tg := newTarget(t, reference.Options{}, cutOnce(http.MethodPost, cut))
	r := runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=S200-update && format:json")
	if !cut.fired.Load() {
		t.Fatalf("no request was cut: this test proves nothing\n%s", r.tail())
	}
	if r.ExitCode() != 0 {
		t.Fatalf("exit %d:\n%s", r.ExitCode(), r.tail())
	}
	summary := r.summary(t)
	if !regexp.MustCompile(`(?m)^- S200-update \(json\): passed on attempt 2; attempt 1: no answer to POST /fx/api/v1/json/callcases/\?project=\S+: the target broke the connection after the request was sent`).MatchString(summary) ||
		!strings.Contains(summary, "1 spec lost an answer it could not judge and was run again") {
		t.Errorf("summary.md does not say the spec passed on attempt 2, and why:\n%s", summary)
	}
	res := readResultJSON(t, r.reports)
	if len(res.Reruns) != 1 || !strings.HasPrefix(res.Reruns[0], "S200-update (json): passed on attempt 2; attempt 1: no answer to POST") {
		t.Errorf("result.json reruns: %q", res.Reruns)
	}
	page, err := os.ReadFile(filepath.Join(r.reports, "conformance.html"))
	if err != nil || !strings.Contains(string(page), `id="network"`) || !strings.Contains(string(page), "passed on attempt 2") {
		t.Errorf("conformance.html does not say the spec ran again (%v)", err)
	}
	posts := map[int]int{}
	for _, e := range harEntries(t, r.reports) {
		if e.Condition == "S200-update" && e.Request.Method == http.MethodPost {
			posts[max(e.SpecAttempt, 1)]++
		}
	}
	if posts[1] != 1 || posts[2] != 1 {
		t.Errorf("the HAR holds the POSTs of attempts %v; want one of attempt 1 and one of attempt 2", posts)
	}
	// Both attempts' cases are gone.
	if status, body := tg.call(http.MethodGet, "/fx/api/v1/json/callcases/?project="+tg.settings["CONFORMANCE_PROJECT"], nil); status != http.StatusNoContent {
		t.Errorf("the main project lists cases after the run (%d): %s", status, body)
	}
}

// A wrong answer is a verdict at the first attempt, retries on: a read
// whose connection was cut is sent again, and the mutant's wrong answer
// after it fails the spec, which is not run again.
func TestAWrongAnswerIsAVerdictAtTheFirstAttempt(t *testing.T) {
	t.Parallel()
	cut := newSignal()
	tg := newTarget(t, reference.Options{}, func(s *reference.Server, _ http.Handler) http.Handler {
		mutant, err := mutants.Wrap("update-not-applied", s, reference.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return cutOnce(http.MethodGet, cut)(s, mutant)
	})
	r := runSuite(t, fullRun, append(tg.env(), "CONFORMANCE_RETRIES=2"), "-ginkgo.label-filter=S200-update && format:json")
	if !cut.fired.Load() {
		t.Fatalf("no request was cut: this test proves nothing\n%s", r.tail())
	}
	summary := r.summary(t)
	if !strings.Contains(summary, "| S200-update | 200 | json | failed |") {
		t.Fatalf("the mutant was not killed:\n%s", summary)
	}
	res := readResultJSON(t, r.reports)
	if res.RetriedRequests != 1 || len(res.Reruns) != 0 {
		t.Errorf("result.json: %d requests retried (want the one cut GET), reruns %q (want none)", res.RetriedRequests, res.Reruns)
	}
	// The GET went on a pooled connection: Go's transport resends it on a
	// fresh one by itself (the HAR says so), else the client does.
	retried := 0
	for _, e := range harEntries(t, r.reports) {
		if e.SpecAttempt > 1 {
			t.Errorf("the HAR holds an exchange of spec attempt %d: %s", e.SpecAttempt, e.Comment)
		}
		if e.Retried {
			retried++
		}
		retried += e.Resent
	}
	if retried != 1 {
		t.Errorf("the HAR marks %d exchanges as sent again, want the cut GET", retried)
	}
}
