package selftest

// A shared staging (docs/fault-hook.md, docs/shared-staging.md "Running on a shared
// staging"): two runs at once, the lease, scoped faults, a hook that will
// not reset, a fixture someone else left in the way.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/reference"
)

// verdicts reads the summary's rows: condition (format) → outcome.
func verdicts(summary string) map[string]string {
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\| (\S+) \| \d+ \| (\w+) \| ([a-z ]+) \|`).FindAllStringSubmatch(summary, -1) {
		out[m[1]+" ("+m[2]+")"] = m[3]
	}
	return out
}

// startPipeline starts callcases-conformance as a CI job would: from a
// folder of its own, no Go toolchain on PATH, procs processes.
func startPipeline(t *testing.T, procs int, settings []string) (*suiteRun, string, string) {
	t.Helper()
	dir := t.TempDir()
	env, tmp := isolatedEnv(t, false, settings...)
	return startBinary(t, dir, env, "-procs", strconv.Itoa(procs)), dir, tmp
}

// remote reads a target that runs as its own process, over HTTP, as the admin.
type remote map[string]string

func newRemote(settings []string) remote {
	r := remote{}
	for _, kv := range settings {
		k, v, _ := strings.Cut(kv, "=")
		r[k] = v
	}
	return r
}

func (r remote) get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(r["CONFORMANCE_USERNAME"], r["CONFORMANCE_PASSWORD"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// state is every case of the fixture projects, the main project's
// operators, and the whole fault hook (global, scoped, lease).
func (r remote) state(t *testing.T) (cases map[string]string, operators, hook string) {
	t.Helper()
	cases = map[string]string{}
	for _, p := range []string{r["CONFORMANCE_PROJECT"], r["CONFORMANCE_AUTO_PROJECT"], r["CONFORMANCE_COMPLETED_PROJECT"]} {
		for page := 1; ; page++ {
			code, body := r.get(t, fmt.Sprintf("%s/json/callcases/?project=%s&page=%d", r["CONFORMANCE_TARGET"], p, page))
			if code == http.StatusNoContent {
				break
			}
			var list struct {
				Callcase []json.RawMessage `json:"callcase"`
			}
			if err := json.Unmarshal(body, &list); code != http.StatusOK || err != nil {
				t.Fatalf("listing %s: %d %s", p, code, body)
			}
			for _, c := range list.Callcase {
				var id struct{ UUID string }
				_ = json.Unmarshal(c, &id)
				cases[id.UUID] = string(c)
			}
		}
	}
	_, ops := r.get(t, r["CONFORMANCE_TARGET"]+"/json/projects/"+r["CONFORMANCE_PROJECT"]+"/operators/")
	_, h := r.get(t, r["CONFORMANCE_FAULTS_URL"]+"/")
	return cases, string(ops), string(h)
}

func TestTwoRunsAtOnceGiveTheSameVerdictsAsEachAlone(t *testing.T) {
	t.Parallel()
	settings := startReference(t, "-fault-timer", "300ms")
	target := newRemote(settings)
	casesBefore, opsBefore, _ := target.state(t)

	alone, _, _ := startPipeline(t, 2, settings)
	alone.wait(t, fullRun)
	want := verdicts(alone.summary(t))
	if alone.ExitCode() != 0 || len(want) == 0 {
		t.Fatalf("the run alone failed the reference (exit %d):\n%s", alone.ExitCode(), alone.tail())
	}

	a, dirA, tmpA := startPipeline(t, 2, settings)
	b, dirB, tmpB := startPipeline(t, 2, settings)
	a.wait(t, fullRun)
	b.wait(t, fullRun)
	expectNothingLeft(t, dirA, tmpA, "reports")
	expectNothingLeft(t, dirB, tmpB, "reports")
	for name, r := range map[string]*suiteRun{"first": a, "second": b} {
		got := verdicts(r.summary(t))
		for id, outcome := range want {
			if got[id] != outcome {
				t.Errorf("the %s of two runs at once: %s %s, alone %s", name, id, got[id], outcome)
			}
		}
		if len(got) != len(want) || r.ExitCode() != 0 {
			t.Errorf("the %s run: %d verdicts (alone %d), exit %d:\n%s", name, len(got), len(want), r.ExitCode(), r.tail())
		}
	}
	endA, endB, startLast := a.Started.Add(a.Took), b.Started.Add(b.Took), a.Started
	if b.Started.After(startLast) {
		startLast = b.Started
	}
	if endB.Before(endA) {
		endA = endB
	}
	overlap := endA.Sub(startLast)
	waits := 0 // as the consoles show them (how often runs meet depends on timing: TestTheBinaryShowsALeaseWaitAndCleansEarlierRuns pins it)
	for _, r := range []*suiteRun{a, b} {
		waits += len(regexp.MustCompile(`(?m)^run [0-9a-z]{8}: waiting for the fault hook's lease`).FindAllString(r.Stdout.String(), -1))
	}
	t.Logf("alone %s; together %s and %s, overlapping %s; %d conditions each; %d waits for the lease",
		alone.Took.Round(time.Millisecond), a.Took.Round(time.Millisecond), b.Took.Round(time.Millisecond), overlap.Round(time.Millisecond), len(want), waits)

	casesAfter, opsAfter, hookAfter := target.state(t)
	for uuid := range casesAfter {
		if _, ok := casesBefore[uuid]; !ok {
			t.Errorf("the runs left case %s", uuid)
		}
	}
	if len(casesAfter) != len(casesBefore) || opsAfter != opsBefore {
		t.Errorf("cases %d → %d, operators %s → %s", len(casesBefore), len(casesAfter), opsBefore, opsAfter)
	}
	if hookAfter != `{"dialer":"none","integration":"none","scopes":true,"scoped":{},"lease":null}`+"\n" {
		t.Errorf("the fault hook is not as the runs found it: %s", hookAfter)
	}
}

func TestAHookThatWillNotResetIsARunError(t *testing.T) {
	t.Parallel()
	// The hook answers 200 to {"fault":"none"} and keeps the fault.
	var tg *target
	tg = newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/faults/") && r.URL.Path != "/faults/lease" {
				body, _ := io.ReadAll(r.Body)
				if bytes.Contains(body, []byte(`"none"`)) {
					r = httptest.NewRequestWithContext(r.Context(), http.MethodGet, "/faults/", nil)
					r.SetBasicAuth(tg.settings["CONFORMANCE_USERNAME"], tg.settings["CONFORMANCE_PASSWORD"])
				} else {
					r.Body = io.NopCloser(bytes.NewReader(body))
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	r := runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=E503-integration-down")
	if r.ExitCode() <= 0 {
		t.Errorf("exit %d, want a failure", r.ExitCode())
	}
	summary := r.summary(t)
	for _, want := range []string{"| E503-integration-down | 503 | json | error |", "the staging was left broken", "reset it by hand: PUT " + tg.settings["CONFORMANCE_FAULTS_URL"] + "/integration"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, summary)
		}
	}
}

func TestTheOperatorAssignedWithoutAHookIsNotProvoked(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, reference.Options{}, nil)
	delete(tg.settings, "CONFORMANCE_FAULTS_URL")
	operator := tg.settings["CONFORMANCE_OPERATOR"]
	if code, body := tg.call(http.MethodPost, api+"/projects/"+tg.settings["CONFORMANCE_PROJECT"]+"/operators/", map[string]string{"uuid": operator}); code != http.StatusCreated {
		t.Fatalf("assign: %d %s", code, body)
	}
	before := tg.state()
	r := runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=area:operators")
	summary := r.summary(t)
	if failed := failedConditions(summary); len(failed) > 0 || r.ExitCode() != 0 {
		t.Errorf("failed %v, exit %d:\n%s", failed, r.ExitCode(), r.tail())
	}
	for _, id := range []string{"S201-operator", "E409-operator-assigned"} {
		if !regexp.MustCompile(`\| ` + id + ` \| \d+ \| json \| not provoked \| CONFORMANCE_OPERATOR ` + operator + ` is already assigned to the main project`).MatchString(summary) {
			t.Errorf("%s is not reported not provoked with the reason:\n%s", id, summary)
		}
	}
	if after := tg.state(); after.operators != before.operators {
		t.Errorf("the membership someone else made changed: %s → %s", before.operators, after.operators)
	}
}

func TestAForeignExternalIDTakenInTheMainProjectIsNotUsed(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, reference.Options{}, nil)
	main := tg.settings["CONFORMANCE_PROJECT"]
	// What an earlier run that could not clean up leaves: the completed
	// project's first external id, taken in the main project.
	take := func(id string) {
		t.Helper()
		if code, body := tg.call(http.MethodPost, api+"/projects/"+main+"/callcases/", map[string]string{"id": id, "title": "left here"}); code != http.StatusCreated {
			t.Fatalf("seeding %s: %d %s", id, code, body)
		}
	}
	take("crm-1001")
	r := runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=S201-create-ext")
	if got := verdicts(r.summary(t))["S201-create-ext (json)"]; got != "passed" || r.ExitCode() != 0 {
		t.Errorf("with one foreign id taken, S201-create-ext is %q (exit %d), want passed with the other:\n%s", got, r.ExitCode(), r.tail())
	}
	take("crm-1002")
	r = runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=S201-create-ext")
	summary := r.summary(t)
	if got := verdicts(summary)["S201-create-ext (json)"]; got != "not provoked" || !strings.Contains(summary, "is taken in the main project too") || r.ExitCode() != 0 {
		t.Errorf("with every foreign id taken, S201-create-ext is %q (exit %d), want not provoked with the reason:\n%s", got, r.ExitCode(), summary)
	}
}

// serialSpecs lists, from a dry run with these settings, the conditions
// whose specs Ginkgo runs Serial.
func serialSpecs(t *testing.T, env []string) []string {
	t.Helper()
	report := dryRun(t, append([]string{"CONFORMANCE_FORMATS=json"}, env...)...)
	known := map[string]bool{}
	for _, c := range catalogue.All() {
		known[c.ID] = true
	}
	var serial []string
	for _, s := range readSpecs(t, report) {
		if !s.IsSerial {
			continue
		}
		for _, l := range s.Labels() {
			if _, ok := known[l]; ok {
				serial = append(serial, l)
			}
		}
	}
	slices.Sort(serial)
	return slices.Compact(serial) // a family has a spec per operation
}

// sharing are the ids of the catalogue's rows that share s, sorted.
func sharing(s catalogue.Share) []string {
	var ids []string
	for _, c := range catalogue.All() {
		if c.Shares == s {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestFaultSpecsRunInParallelOnAHookWithScopes(t *testing.T) {
	t.Parallel()
	// The rows that share each state, from the catalogue: Serial on the
	// target that makes that state global (catalogue.Share.Alone).
	windows := sharing(catalogue.SharesWindow) // Serial only on a coarse clock
	faults := sharing(catalogue.SharesFaults)
	membership := sharing(catalogue.SharesMembership)
	if len(windows) == 0 || len(faults) == 0 || len(membership) == 0 {
		t.Fatalf("the catalogue shares no window %v, no faults %v or no membership %v", windows, faults, membership)
	}

	withScopes := newTarget(t, reference.Options{}, nil)
	noScopes := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == "/faults/" {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				body := bytes.Replace(rec.Body.Bytes(), []byte(`"scopes":true`), []byte(`"scopes":false`), 1)
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	noHook := newTarget(t, reference.Options{}, nil)
	delete(noHook.settings, "CONFORMANCE_FAULTS_URL")
	wholeSeconds := regexp.MustCompile(`("lastModified":"[^"]*T\d\d:\d\d:\d\d)\.\d+`)
	coarseClock := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				if k != "Content-Length" {
					w.Header()[k] = v
				}
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(wholeSeconds.ReplaceAll(rec.Body.Bytes(), []byte("$1")))
		})
	})
	for _, c := range []struct {
		name string
		env  []string
		want []string
	}{
		{"the embedded reference", nil, nil},
		{"a live hook with scopes", withScopes.env(), nil},
		{"a live hook without scopes", noScopes.env(), faults},
		{"no hook", noHook.env(), membership},
		{"a target whose clock writes whole seconds", coarseClock.env(), windows},
	} {
		if got := serialSpecs(t, c.env); !slices.Equal(got, c.want) {
			t.Errorf("%s: Serial specs %v, want %v", c.name, got, c.want)
		}
	}
}

func TestARunListsWhatEarlierRunsLeftAndTouchesNothing(t *testing.T) {
	t.Parallel()
	tg := newTarget(t, reference.Options{}, nil)
	tg.seed() // in each fixture project, a case of run otherrn0, otherrn1, otherrn2
	before := tg.state()
	r := runSuite(t, fullRun, tg.env(), "-ginkgo.label-filter=S204-empty-list")
	for i := range 3 {
		if want := fmt.Sprintf("earlier run otherrn%d left 1 marked case(s), last changed", i); !strings.Contains(r.Output(), want) {
			t.Errorf("the output lacks %q:\n%s", want, r.tail())
		}
	}
	if !strings.Contains(r.Output(), "callcases-conformance clean, or make conformance-clean, removes them") || r.ExitCode() != 0 {
		t.Errorf("exit %d:\n%s", r.ExitCode(), r.tail())
	}
	expectUnchanged(t, before, tg.state())
}

// TestTheBinaryShowsALeaseWaitAndCleansEarlierRuns: what a user sees of a
// shared staging through callcases-conformance (no toolchain, a folder of
// its own): what earlier runs left, a spec waiting for another run's lease
// and getting it, each on a line of its own before its progress line; then
// `callcases-conformance clean` removes what the earlier runs left, and
// nothing else.
func TestTheBinaryShowsALeaseWaitAndCleansEarlierRuns(t *testing.T) {
	t.Parallel()
	const other = "othrrun0-1" // another run's process holds the lease
	var conflicts atomic.Int64
	var tg *target
	release := func() {
		r := httptest.NewRequest(http.MethodDelete, "/faults/lease", strings.NewReader(`{"holder":"`+other+`"}`))
		r.Header.Set("Content-Type", "application/json")
		r.SetBasicAuth(tg.settings["CONFORMANCE_USERNAME"], tg.settings["CONFORMANCE_PASSWORD"])
		w := httptest.NewRecorder()
		tg.ref.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Errorf("releasing the other run's lease: %d %s", w.Code, w.Body)
		}
	}
	tg = newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPut || r.URL.Path != "/faults/lease" {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			// The other run is done once the suite has asked twice: it said it waits before asking again.
			if rec.Code == http.StatusConflict && conflicts.Add(1) == 2 {
				release()
			}
			replay(w, rec)
		})
	})
	tg.seed() // in each fixture project, a case of run otherrn0, otherrn1, otherrn2
	if code, body := tg.call(http.MethodPut, "/faults/lease", map[string]string{"holder": other, "ttl": "5m"}); code != http.StatusOK {
		t.Fatalf("taking the lease as another run: %d %s", code, body)
	}
	before := tg.state()

	dir := t.TempDir()
	// One format: the lease is waited for once, by the one spec.
	env, tmp := isolatedEnv(t, false, append(tg.env(), "CONFORMANCE_FORMATS=json")...)
	r := startBinary(t, dir, env, "-procs", "2", "-label-filter", "S201-operator")
	r.wait(t, fullRun)
	out := r.Stdout.String()
	if r.ExitCode() != 0 || verdicts(r.summary(t))["S201-operator (json)"] != "passed" {
		t.Fatalf("exit %d, want S201-operator passed after the wait:\n%s", r.ExitCode(), r.tail())
	}
	line := func(pattern string) int {
		loc := regexp.MustCompile(`(?m)^` + pattern + `$`).FindStringIndex(out)
		if loc == nil {
			t.Errorf("the console lacks a line %s:\n%s", pattern, out)
			return -1
		}
		return loc[0]
	}
	for i := range 3 {
		line(fmt.Sprintf(`earlier run otherrn%d left 1 marked case\(s\), last changed .* ago; this run does not touch them \(callcases-conformance clean, or make conformance-clean, removes them\)`, i))
	}
	waiting := line(`run [0-9a-z]{8}: waiting for the fault hook's lease to .*; "` + other + `" holds it until .*CONFORMANCE_LEASE_WAIT\)`)
	got := line(`run [0-9a-z]{8}: got the fault hook's lease`)
	passed := line(`\[1/1\] passed +S201-operator \(json\)`)
	if !(0 <= waiting && waiting < got && got < passed) {
		t.Errorf("the wait, the lease and the spec's line are not in that order:\n%s", out)
	}
	if n := conflicts.Load(); n != 2 {
		t.Errorf("the suite met the other run's lease %d times, want 2", n)
	}
	expectUnchanged(t, before, tg.state())
	expectNothingLeft(t, dir, tmp, "reports")

	clean := func(args ...string) string {
		t.Helper()
		c := exec.Command(binary(t), append([]string{"clean"}, args...)...)
		c.Dir, c.Env = dir, env
		b, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("callcases-conformance clean %v: %v\n%s", args, err, b)
		}
		return string(b)
	}
	if listed := clean("-dry-run", "-min-age", "0"); !strings.Contains(listed, "3 earlier run(s); nothing removed (-dry-run)") {
		t.Errorf("clean -dry-run:\n%s", listed)
	}
	expectUnchanged(t, before, tg.state())
	if cleaned := clean("-min-age", "0"); !strings.Contains(cleaned, "3 removed, 0 kept as recent, 0 could not be removed") {
		t.Errorf("clean:\n%s", cleaned)
	}
	after := tg.state()
	for uuid, body := range before.cases {
		_, kept := after.cases[uuid]
		if marked := strings.HasPrefix(uuid, "ccotherrn"); kept == marked {
			t.Errorf("case %s (marked by an earlier run: %v) kept: %v\n%s", uuid, marked, kept, body)
		}
	}
	if len(after.cases) != len(before.cases)-3 || after.operators != before.operators {
		t.Errorf("clean changed more than the 3 marked cases: %d → %d cases, operators %s → %s", len(before.cases), len(after.cases), before.operators, after.operators)
	}
}
