package selftest

// callcases-conformance, the binary a vendor runs (cmd/callcases-conformance):
// a passing run with no Go toolchain and no source tree, a bundle that
// verify accepts and that tampering breaks, and Ctrl-C or SIGTERM at any
// moment, through the binary and through make conformance: the run stops,
// cleans up, reports INTERRUPTED, and leaves no process and no file behind.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/callcases/conformance/bundle"
	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/report"
	"github.com/callcases/conformance/suiterun"
)

func binary(t testing.TB) string { return program(t, "callcases-conformance") }

// isolatedEnv is suiterun.Env() without the toolchain (PATH names only an empty
// folder), without make's own variables, and with a private TMPDIR, so that
// a test can see what a run leaves there.
func isolatedEnv(t *testing.T, keepPath bool, extra ...string) ([]string, string) {
	t.Helper()
	tmp := t.TempDir()
	env := slices.DeleteFunc(suiterun.Env(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "TMPDIR" || name == "MAKEFLAGS" || name == "MFLAGS" || name == "MAKELEVEL" || (!keepPath && name == "PATH")
	})
	if !keepPath {
		env = append(env, "PATH="+t.TempDir())
	}
	return append(append(env, "TMPDIR="+tmp), extra...), tmp
}

// startBinary starts callcases-conformance in dir (reports in dir/reports).
func startBinary(t *testing.T, dir string, env []string, args ...string) *suiteRun {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	cmd.Env = env
	return start(t, cmd, filepath.Join(dir, "reports"))
}

func TestBinaryCertifiesWithoutGoOrSourceTree(t *testing.T) {
	t.Parallel()
	settings := startReference(t, "-fault-timer", "100ms")
	dir := t.TempDir() // empty: no source tree, no go.mod
	env, tmp := isolatedEnv(t, false, settings...)
	r := startBinary(t, dir, env, "-procs", "3")
	r.wait(t, fullRun)
	if r.ExitCode() != 0 {
		t.Fatalf("the binary failed the reference (exit %d):\n%s", r.ExitCode(), r.tail())
	}
	res := readResultJSON(t, r.reports)
	if res.Verdict != "PASS" || res.Counts.Passed == 0 || res.Counts.Failed+res.Counts.Error+res.Counts.NotProvoked > 0 {
		t.Errorf("result.json: verdict %s, counts %+v", res.Verdict, res.Counts)
	}
	for _, f := range []string{"summary.md", "conformance.html", "result.json", "junit.xml", "report.json", bundle.HARFile} {
		if _, err := os.Stat(filepath.Join(r.reports, f)); err != nil {
			t.Errorf("reports: %v", err)
		}
	}
	raw, err := os.ReadFile(filepath.Join(r.reports, bundle.HARFile))
	if err != nil {
		t.Fatal(err)
	}
	if problems := bundle.CheckHAR(raw); len(problems) > 0 {
		t.Errorf("%s is not a HAR 1.2 file: %v", bundle.HARFile, problems)
	}
	// The console: a line per condition, the summary table once, then where the reports are.
	out := r.Stdout.String()
	// A line per spec (a family's condition has one per operation), numbered to the total.
	lines := regexp.MustCompile(`(?m)^\[ *(\d+)/(\d+)\] passed `).FindAllStringSubmatch(out, -1)
	if len(lines) < res.Counts.Passed || lines[len(lines)-1][1] != lines[len(lines)-1][2] || lines[len(lines)-1][2] != strconv.Itoa(len(lines)) {
		t.Errorf("%d progress lines for %d passed conditions, not numbered to the total:\n%s", len(lines), res.Counts.Passed, r.tail())
	}
	if strings.Count(out, "condition ") != 1 || !strings.Contains(out, "Reports in reports") || strings.Contains(out, "\x1b[") ||
		strings.Contains(out, "Captured StdOut") || strings.Contains(out, "•") {
		t.Errorf("the console should show progress, the table once, then the reports, without colour or Ginkgo's own output:\n%s", out)
	}
	expectNothingLeft(t, dir, tmp, "reports")

	// verify accepts the bundle as made...
	v := verifyBundle(t, env, r.reports)
	if v.code != 0 || !strings.Contains(v.out, "ACCEPTED") {
		t.Fatalf("verify rejected a passing bundle (exit %d):\n%s", v.code, v.out)
	}
	// ...and rejects it once one recorded status or one message is altered.
	for _, tc := range []struct {
		name   string
		tamper func(e *bundle.Entry) bool
		says   string
	}{
		{"a status", func(e *bundle.Entry) bool {
			if e.Condition != "E209-duplicate-ext-id" || e.Response.Status != 209 {
				return false
			}
			e.Response.Status = 201
			return true
		}, "E209-duplicate-ext-id"},
		{"a message", func(e *bundle.Entry) bool {
			const m = "Объект или один из параметров запроса не найден"
			if e.Condition != "E404-get" || !strings.Contains(e.Response.Content.Text, m) {
				return false
			}
			e.Response.Content.Text = strings.Replace(e.Response.Content.Text, m, "Не найдено", 1)
			return true
		}, "message"},
		{"a batch item's 209 message", func(e *bundle.Entry) bool {
			const m = "Ошибка возникает при добавлении кейса с уже существующим внешним идентификатором"
			if e.Response.Status != 200 || !strings.Contains(e.Response.Content.Text, m) {
				return false
			}
			e.Response.Content.Text = strings.Replace(e.Response.Content.Text, m, "ACCEPTED", 1)
			return true
		}, "batch item: message"},
	} {
		t.Run("tampered "+tc.name, func(t *testing.T) {
			copyDir := t.TempDir()
			for _, f := range []string{"result.json", bundle.HARFile} {
				b, err := os.ReadFile(filepath.Join(r.reports, f))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(copyDir, f), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			h, err := bundle.ReadHAR(filepath.Join(copyDir, bundle.HARFile))
			if err != nil {
				t.Fatal(err)
			}
			// An exchange verify validates again: not one cut to the caps
			// (an exploration batch of 1,000 items answers 200 with 209
			// items too, and which comes first depends on the timing).
			if !slices.ContainsFunc(h.Log.Entries, func(e *bundle.Entry) bool { return !e.Cut() && tc.tamper(e) }) {
				t.Fatalf("no exchange to tamper with that verify validates")
			}
			b, err := json.Marshal(h)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(copyDir, bundle.HARFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
			v := verifyBundle(t, env, copyDir)
			if v.code == 0 || !strings.Contains(v.out, "REJECTED") || !strings.Contains(v.out, tc.says) {
				t.Errorf("verify (exit %d) did not catch the altered %s:\n%s", v.code, tc.name, v.out)
			}
		})
	}
}

type verified struct {
	code int
	out  string
}

func verifyBundle(t *testing.T, env []string, dir string) verified {
	t.Helper()
	cmd := exec.Command(binary(t), "verify", dir)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return verified{code, string(out)}
}

func readResultJSON(t *testing.T, dir string) report.Result {
	t.Helper()
	var res report.Result
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatalf("no result.json: %v", err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// expectNothingLeft checks that the run's folder holds only what it should,
// that its TMPDIR is empty (no link, no progress file, no build folder), and
// that no process of the run is left (every one of them has tmp on its
// command line: Ginkgo and its processes name the suite link in it, the go
// command's compilers their build folder).
func expectNothingLeft(t *testing.T, dir, tmp string, allowed ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !slices.Contains(allowed, e.Name()) {
			t.Errorf("the run left %s in its folder", e.Name())
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("the run left %v in TMPDIR", names)
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return // no /proc: the exit status and the files must do
	}
	for _, p := range procs {
		cmdline, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err == nil && bytes.Contains(cmdline, []byte(tmp)) {
			t.Errorf("process %s of the run is still there: %s", p.Name(), bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
		}
	}
}

// holdingTarget is a reference that, from the after-th request on, holds
// the first request matching at: applied on the target, but its answer
// never reaches the suite. fired is closed then.
func holdingTarget(t *testing.T, after int64, at func(r *http.Request, body []byte) bool) (*target, *signalOnce) {
	fired := newSignal()
	var seen atomic.Int64
	tg := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if seen.Add(1) <= after || fired.fired.Load() || !at(r, body) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if rec.Code/100 != 2 || !fired.fire() {
				replay(w, rec)
				return
			}
			holdUntilGone(r)
		})
	})
	return tg, fired
}

func aCreate(r *http.Request, body []byte) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/callcases/") && r.URL.Query().Get("project") != "" &&
		bytes.Contains(body, []byte(`"uuid"`))
}

// expectInterrupted checks what an interrupted run must say: INTERRUPTED,
// never PASS, and which selected conditions did not run.
func expectInterrupted(t *testing.T, r *suiteRun) {
	t.Helper()
	if r.ExitCode() == 0 {
		t.Errorf("an interrupted run exited 0")
	}
	if _, err := os.Stat(filepath.Join(r.reports, "result.json")); err != nil {
		t.Fatalf("an interrupted run wrote no reports (exit %d after %s): %v\n%s", r.ExitCode(), r.Took, err, r.tail())
	}
	res := readResultJSON(t, r.reports)
	if res.Verdict != report.Interrupted {
		t.Errorf("result.json says %s, want %s", res.Verdict, report.Interrupted)
	}
	summary := r.summary(t)
	if !strings.Contains(summary, "# Conformance summary: INTERRUPTED") || !strings.Contains(summary, "did not run") {
		t.Errorf("summary.md does not say the run was interrupted and what did not run:\n%s", summary)
	}
	if !strings.Contains(r.Stdout.String(), "INTERRUPTED:") || strings.Contains(r.Stdout.String(), "PASS:") {
		t.Errorf("the console does not end INTERRUPTED:\n%s", r.tail())
	}
}

// Through the binary, in parallel: a signal while a create is in flight
// (applied on the target, the answer never seen).
func TestBinaryStopsCleanlyOnASignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			tg, fired := holdingTarget(t, 20, aCreate)
			tg.seed()
			before := tg.state()
			dir := t.TempDir()
			env, tmp := isolatedEnv(t, false, tg.env()...)
			r := startBinary(t, dir, env, "-procs", "3")
			select {
			case <-fired.ch:
				if err := r.Cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
			case <-time.After(fullRun):
				t.Fatal("the run never sent the request to interrupt at")
			}
			r.wait(t, fullRun)
			t.Logf("%s: exit %d after %s", sig, r.ExitCode(), r.Took)
			if want := 128 + int(sig); r.ExitCode() != want {
				t.Errorf("exit %d, want %d", r.ExitCode(), want)
			}
			expectInterrupted(t, r)
			expectUnchanged(t, before, tg.state())
			expectNothingLeft(t, dir, tmp, "reports")
		})
	}
}

// A signal while a process is still starting: the target holds the fault
// hook's question that each process asks as its packages load (the front
// first, then Ginkgo's CLI, then the spec processes), so the process that
// asked is before any signal handler when the signal comes. The run must
// still stop, clean up and write its reports: a spec process signalled there
// would die at once, and process 1 writes no reports without every
// process's account; the front would die before it wrote anything.
func TestBinaryStopsCleanlyOnASignalWhileStarting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		question int64
		sig      syscall.Signal
	}{
		{"front loading", 1, syscall.SIGTERM},
		{"spec process loading", 3, syscall.SIGINT},
		{"spec process loading", 3, syscall.SIGTERM},
	} {
		sig := tc.sig
		t.Run(tc.name+" "+sig.String(), func(t *testing.T) {
			held, signalled := newSignal(), newSignal()
			var questions atomic.Int64
			var hookPath atomic.Pointer[string] // set once the target's address is known
			tg := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodGet && hookPath.Load() != nil && strings.TrimSuffix(r.URL.Path, "/") == *hookPath.Load() && questions.Add(1) == tc.question && held.fire() {
						select {
						case <-signalled.ch:
						case <-r.Context().Done():
							return
						}
					}
					next.ServeHTTP(w, r)
				})
			})
			u, err := url.Parse(tg.settings["CONFORMANCE_FAULTS_URL"])
			if err != nil {
				t.Fatal(err)
			}
			p := strings.TrimSuffix(u.Path, "/")
			hookPath.Store(&p)
			before := tg.state()
			dir := t.TempDir()
			env, tmp := isolatedEnv(t, false, tg.env()...)
			r := startBinary(t, dir, env, "-procs", "3")
			select {
			case <-held.ch:
				if err := r.Cmd.Process.Signal(sig); err != nil {
					t.Fatal(err)
				}
				signalled.fire()
			case <-time.After(fullRun):
				t.Fatal("no process asked for the fault hook as it loaded")
			}
			r.wait(t, fullRun)
			t.Logf("%s: exit %d after %s", sig, r.ExitCode(), r.Took)
			if want := 128 + int(sig); r.ExitCode() != want {
				t.Errorf("exit %d, want %d", r.ExitCode(), want)
			}
			expectInterrupted(t, r)
			expectUnchanged(t, before, tg.state())
			expectNothingLeft(t, dir, tmp, "reports")
		})
	}
}

// A second signal skips the cleanup: the target holds the create in flight
// at the first signal, then the cleanup's delete of that very case; the
// second signal must end the run without waiting for it, without the rest
// of the cleanup and without the final sweep, so the case stays.
func TestBinarySecondSignalSkipsCleanup(t *testing.T) {
	t.Parallel()
	first, second := newSignal(), newSignal()
	var seen atomic.Int64
	var held atomic.Pointer[string] // the uuid of the case whose create was held
	tg := newTarget(t, reference.Options{}, func(_ *reference.Server, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if seen.Add(1) > 20 && aCreate(r, body) && !first.fired.Load() {
				var c struct{ UUID string }
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, r)
				if json.Unmarshal(body, &c) == nil && rec.Code == http.StatusCreated && first.fire() {
					held.Store(&c.UUID)
					holdUntilGone(r)
					return
				}
				replay(w, rec)
				return
			}
			if uuid := held.Load(); uuid != nil && r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/"+*uuid) && second.fire() {
				holdUntilGone(r) // never applied
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	dir := t.TempDir()
	// The held delete would hold a run that waited for it until this
	// timeout: the second signal must end it long before.
	const timeout = time.Minute
	env, tmp := isolatedEnv(t, false, append(tg.env(), "CONFORMANCE_TIMEOUT="+timeout.String())...)
	r := startBinary(t, dir, env, "-procs", "3")
	for _, s := range []*signalOnce{first, second} {
		select {
		case <-s.ch:
			if err := r.Cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
		case <-time.After(fullRun):
			t.Fatalf("the run never sent the request to interrupt at:\n%s", r.tail())
		}
	}
	r.wait(t, 2*timeout)
	t.Logf("exit %d after %s", r.ExitCode(), r.Took)
	if r.Took >= timeout/2 {
		t.Errorf("the run ended %s after it started: after the second signal it waited for the held delete (CONFORMANCE_TIMEOUT %s) instead of skipping the cleanup", r.Took, timeout)
	}
	expectInterrupted(t, r)
	if code, _ := tg.call(http.MethodGet, api+"/callcases/"+*held.Load(), nil); code != http.StatusOK {
		t.Errorf("the second interrupt should have skipped the cleanup, but case %s is gone (%d):\n%s", *held.Load(), code, r.tail())
	}
	if !strings.Contains(r.Stdout.String(), "skipping the cleanup") {
		t.Errorf("the console does not say the cleanup is skipped:\n%s", r.tail())
	}
	// The lease is given back all the same: held, it would keep other runs'
	// shared specs waiting for its ttl.
	_, hook := tg.call(http.MethodGet, "/faults/", nil)
	t.Logf("hook after: %s", hook)
	if !strings.Contains(string(hook), `"lease":null`) {
		t.Errorf("the run left the fault hook's lease held: %s", hook)
	}
	expectNothingLeft(t, dir, tmp, "reports")
}

// make conformance: SIGTERM to make alone (what CI sends on cancel) while
// a create is in flight, and while the binary is still being built.
func TestMakeConformanceStopsCleanlyOnSIGTERM(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	startMake := func(t *testing.T, env []string) *suiteRun {
		reports := filepath.Join(t.TempDir(), "reports")
		cmd := exec.Command("make", "-s", "conformance", "PROCS=3")
		cmd.Dir = root
		cmd.Env = append(env, "CONFORMANCE_REPORTS="+reports)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that the test can see the whole of it
		return start(t, cmd, reports)
	}
	groupGone := func(t *testing.T, r *suiteRun) {
		t.Helper()
		if err := syscall.Kill(-r.Cmd.Process.Pid, 0); err == nil {
			t.Errorf("processes of make's group are still running after make exited")
			_ = syscall.Kill(-r.Cmd.Process.Pid, syscall.SIGKILL)
		}
	}

	t.Run("mid-run", func(t *testing.T) {
		tg, fired := holdingTarget(t, 20, aCreate)
		tg.seed()
		before := tg.state()
		env, tmp := isolatedEnv(t, true, tg.env()...)
		untracked := gitUntracked(t, root)
		r := startMake(t, env)
		select {
		case <-fired.ch:
			if err := r.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		case <-time.After(fullRun):
			t.Fatalf("the run never sent the request to interrupt at:\n%s", r.tail())
		}
		r.wait(t, fullRun)
		t.Logf("make exited %d after %s", r.ExitCode(), r.Took)
		expectInterrupted(t, r)
		expectUnchanged(t, before, tg.state())
		groupGone(t, r)
		expectNothingLeft(t, t.TempDir(), tmp)
		if now := gitUntracked(t, root); !slices.Equal(now, untracked) {
			t.Errorf("make conformance left untracked files: before %v, after %v", untracked, now)
		}
	})

	t.Run("while building", func(t *testing.T) {
		tg := newTarget(t, reference.Options{}, nil)
		env, tmp := isolatedEnv(t, true, tg.env()...)
		r := startMake(t, env)
		// The go command's build folder appears in TMPDIR as the build starts.
		deadline := time.Now().Add(time.Minute)
		for !building(tmp) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond) // no event to wait for: poll the folder
		}
		if err := r.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		r.wait(t, fullRun)
		t.Logf("make exited %d after %s; %d requests reached the target", r.ExitCode(), r.Took, tg.requests.Load())
		if r.ExitCode() == 0 {
			t.Errorf("make exited 0 after SIGTERM:\n%s", r.tail())
		}
		if res, err := os.ReadFile(filepath.Join(r.reports, "result.json")); err == nil && bytes.Contains(res, []byte(`"verdict": "PASS"`)) {
			t.Errorf("a run stopped by SIGTERM reports PASS")
		}
		groupGone(t, r)
		expectNothingLeft(t, t.TempDir(), tmp)
	})
}

// gitUntracked lists the untracked files of the checkout, nil without git.
func gitUntracked(t *testing.T, root string) []string {
	t.Helper()
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=all")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil
	}
	var files []string
	for line := range strings.Lines(string(out)) {
		if name, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "?? "); ok {
			files = append(files, name)
		}
	}
	return files
}

// building says whether a go command is building in tmp.
func building(tmp string) bool {
	entries, _ := os.ReadDir(tmp)
	return slices.ContainsFunc(entries, func(e os.DirEntry) bool { return strings.HasPrefix(e.Name(), "go-build") })
}
