package harness

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/reference"
)

// counting is a probe that counts its calls and answers want.
func counting(want Build) (*atomic.Int32, func(context.Context, config.Config) Build) {
	var calls atomic.Int32
	return &calls, func(context.Context, config.Config) Build { calls.Add(1); return want }
}

var buildCfg = config.Config{Target: "http://staging.invalid/fx/api/v1", FaultsURL: "http://staging.invalid/faults", Timeout: 5 * time.Second}

func TestAtBuildProbesOncePerRun(t *testing.T) {
	dir := t.TempDir()
	want := Build{HookConfigured: true, HookScopes: true}
	calls, answer := counting(want)
	const procs = 8
	var started, done sync.WaitGroup
	started.Add(procs)
	probe := func(ctx context.Context, cfg config.Config) Build {
		started.Wait() // the others are on their way to the lock
		return answer(ctx, cfg)
	}
	got := make([]Build, procs)
	for i := range procs {
		done.Go(func() {
			started.Done()
			got[i] = atBuild(buildCfg, "host-1\n42", dir, probe)
		})
	}
	done.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d processes of one run probed %d times, want once", procs, n)
	}
	for i, b := range got {
		if b.HookConfigured != want.HookConfigured || b.HookScopes != want.HookScopes || b.ClockFine != want.ClockFine {
			t.Errorf("process %d got %+v, want %+v", i+1, b, want)
		}
	}

	// Another run (another parallel host) probes for itself.
	atBuild(buildCfg, "host-2\n42", dir, probe)
	if n := calls.Load(); n != 2 {
		t.Fatalf("another run's process probed: %d probes in all, want 2", n)
	}

	// Once the run is over, its answer is gone, lock included.
	got[0].Forget()
	if left, _ := os.ReadDir(dir); len(left) != 2 { // host-2's file and lock
		t.Fatalf("after Forget the folder holds %d files, want host-2's 2", len(left))
	}
	atBuild(buildCfg, "host-1\n42", dir, probe)
	if n := calls.Load(); n != 3 {
		t.Fatalf("after Forget the run's answer was still read: %d probes, want 3", n)
	}
}

func TestAtBuildDistrustsAStaleOrForeignAnswer(t *testing.T) {
	const run = "host-1\n42"
	recorded := Build{HookConfigured: true, HookScopes: true, ClockFine: true}
	for name, rec := range map[string]buildRecord{
		"older than buildFresh":    {Run: run, Written: time.Now().Add(-buildFresh - time.Minute), Build: recorded},
		"written in the future":    {Run: run, Written: time.Now().Add(buildFresh + time.Minute), Build: recorded},
		"another run's, same name": {Run: "host-9\n42", Written: time.Now(), Build: recorded},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			b, _ := json.Marshal(rec)
			if err := os.WriteFile(buildPath(dir, run), b, 0o600); err != nil {
				t.Fatal(err)
			}
			calls, probe := counting(Build{HookConfigured: true})
			got := atBuild(buildCfg, run, dir, probe)
			if calls.Load() != 1 || got.HookScopes || got.ClockFine {
				t.Fatalf("got %+v after %d probes: the file was trusted", got, calls.Load())
			}
			if again := atBuild(buildCfg, run, dir, probe); calls.Load() != 1 || again.HookScopes {
				t.Fatalf("the fresh answer replacing it was not read: %+v after %d probes", again, calls.Load())
			}
		})
	}
	t.Run("unreadable", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(buildPath(dir, run), []byte(`{"run":`), 0o600); err != nil {
			t.Fatal(err)
		}
		calls, probe := counting(Build{})
		atBuild(buildCfg, run, dir, probe)
		if calls.Load() != 1 {
			t.Fatal("a truncated file was trusted")
		}
	})
}

func TestProbeAtBuildAsksALiveTarget(t *testing.T) {
	ref := reference.New(reference.Options{})
	ts := httptest.NewServer(ref)
	defer ts.Close()
	settings := ref.Settings(ts.URL)
	cfg, err := config.Load(func(k string) (string, bool) { v, ok := settings[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if got := probeAtBuild(context.Background(), cfg); !got.HookConfigured || !got.HookScopes || !got.ClockFine {
		t.Fatalf("the reference, as a live target: %+v, want a hook with scopes and a fine clock", got)
	}
	cfg.FaultsURL = ""
	if got := probeAtBuild(context.Background(), cfg); got.HookConfigured || got.HookScopes || !got.ClockFine {
		t.Fatalf("without a hook: %+v", got)
	}
}

func TestAFailedProbeGivesTheSafeAnswersToTheWholeRun(t *testing.T) {
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for name, base := range map[string]string{"answering 503": failing.URL, "not listening": closed.URL} {
		t.Run(name, func(t *testing.T) {
			cfg := config.Config{Target: base + "/fx/api/v1", FaultsURL: base + "/faults", Project: "p1", AutoProject: "p2", CompletedProject: "p3", Timeout: 5 * time.Second}
			dir := t.TempDir()
			var calls atomic.Int32
			probe := func(ctx context.Context, cfg config.Config) Build { calls.Add(1); return probeAtBuild(ctx, cfg) }
			safe := Build{HookConfigured: true}
			for i := range 2 {
				got := atBuild(cfg, "host-1\n42", dir, probe)
				if got.HookConfigured != safe.HookConfigured || got.HookScopes != safe.HookScopes || got.ClockFine != safe.ClockFine {
					t.Fatalf("process %d: %+v, want the safe side %+v", i+1, got, safe)
				}
			}
			if calls.Load() != 1 {
				t.Fatalf("%d probes, want 1: the failure is the run's answer too", calls.Load())
			}
		})
	}
}

func TestTheFirstProjectWithADateDecidesTheClock(t *testing.T) {
	page := func(date string) string {
		if date == "" {
			return `{"callcase":[]}`
		}
		return `{"callcase":[{"uuid":"x","lastModified":"` + date + `"}]}`
	}
	for name, tc := range map[string]struct {
		completed, auto, main string
		want                  bool
	}{
		"first in whole seconds, a later one finer": {"2016-10-18T09:58:24+03:00", "2016-10-18T09:58:24.594+03:00", "", false},
		"first finer, a later one in seconds":       {"2016-10-18T09:58:24.594+03:00", "2016-10-18T09:58:24+03:00", "", true},
		"first without cases, the next finer":       {"", "2016-10-18T09:58:24.594+03:00", "2016-10-18T09:58:24+03:00", true},
		"no dates at all":                           {"", "", "", false},
	} {
		t.Run(name, func(t *testing.T) {
			later := make(chan struct{}) // the first project answers only once the last has asked
			var once sync.Once
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				date := map[string]string{"completed": tc.completed, "auto": tc.auto, "main": tc.main}[r.URL.Query().Get("project")]
				switch r.URL.Query().Get("project") {
				case "completed":
					<-later
				case "main":
					once.Do(func() { close(later) })
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(page(date)))
			}))
			defer ts.Close()
			cfg := config.Config{Target: ts.URL + "/fx/api/v1", CompletedProject: "completed", AutoProject: "auto", Project: "main", Timeout: 5 * time.Second}
			if got := probeAtBuild(context.Background(), cfg); got.ClockFine != tc.want {
				t.Fatalf("ClockFine %v, want %v", got.ClockFine, tc.want)
			}
		})
	}
}

func TestParallelHostIsFoundInTheCommandLine(t *testing.T) {
	for want, args := range map[string][]string{
		"http://127.0.0.1:4000": {"--test.timeout=0", "--ginkgo.parallel.process=2", "--ginkgo.parallel.total=16", "--ginkgo.parallel.host=http://127.0.0.1:4000"},
		"http://127.0.0.1:4001": {"-ginkgo.parallel.host", "http://127.0.0.1:4001"},
		"":                      {"-test.v", "--", "--ginkgo.parallel.host=http://127.0.0.1:4002"},
	} {
		if got := parallelHost(args); got != want {
			t.Errorf("parallelHost(%q) = %q, want %q", args, got, want)
		}
	}
	if got := parallelHost(nil); got != "" {
		t.Errorf("a serial run's parallelHost = %q", got)
	}
}
