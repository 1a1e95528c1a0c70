package explore

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/mutants"
	"github.com/callcases/conformance/reference"
	"pgregory.net/rapid"
)

// target serves h (the reference, or a mutant of it) as a live target.
func target(t testing.TB, h func(*reference.Server) http.Handler) (Target, *sync.Map) {
	t.Helper()
	ref := reference.New(reference.Options{})
	srv := httptest.NewServer(h(ref))
	t.Cleanup(srv.Close)
	settings := ref.Settings(srv.URL)
	c, err := contract.Load(settings["CONFORMANCE_TARGET"])
	if err != nil {
		t.Fatal(err)
	}
	user := client.Credentials{Username: settings["CONFORMANCE_USERNAME"], Password: settings["CONFORMANCE_PASSWORD"]}
	cl, err := client.New(client.Options{Base: settings["CONFORMANCE_TARGET"], Contract: c, Timeout: 10 * time.Second, User: user})
	if err != nil {
		t.Fatal(err)
	}
	var n atomic.Int64
	owned := &sync.Map{}
	return Target{
		Client: cl, User: user, Contract: c,
		Project: settings["CONFORMANCE_PROJECT"], Operator: settings["CONFORMANCE_OPERATOR"],
		Marks: Marks{
			UUID:       func() string { return fmt.Sprintf("explr%06d", n.Add(1)) },
			ExternalID: func() string { return fmt.Sprintf("explore id %06d", n.Add(1)) },
			Title:      "[explore] ",
		},
		Own: func(u string) { owned.Store(u, true) },
	}, owned
}

func asIs(s *reference.Server) http.Handler { return s }

// mutantTarget serves the reference with the named mutant around it.
func mutantTarget(t testing.TB, name string) (Target, *sync.Map) {
	t.Helper()
	return target(t, func(s *reference.Server) http.Handler {
		h, err := mutants.Wrap(name, s, reference.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return h
	})
}

var seedCount = flag.Int("explore.seeds", 2, "seeds per server, kind and format TestNoDivergenceAgainstAConformingServer tries (100 for the full check)")

// TestNoDivergenceAgainstAConformingServer: exploration finds nothing
// against the reference itself, against the liberal variant, and against
// each liberty alone (docs/development.md), in each kind and format, over seeds drawn
// afresh each run (logged, so that a failure repeats): the equivalence
// accepts every liberty the design allows. -explore.seeds=100 is the full
// check (about 100 times the default's time).
func TestNoDivergenceAgainstAConformingServer(t *testing.T) {
	skipUnderRace(t)
	base := uint64(time.Now().UnixNano()%1_000_000) * 1000
	b := DefaultBudget(120, 30*time.Second)
	servers := map[string]func(*reference.Server) http.Handler{"reference": asIs}
	for _, name := range mutants.Variants() {
		servers[name] = func(s *reference.Server) http.Handler {
			h, err := mutants.WrapVariant(name, s)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
	}
	for name, server := range servers {
		for _, format := range []string{"json", "xml"} {
			for _, kind := range []string{Stateful, BadInput} {
				t.Run(name+"/"+format+"/"+kind, func(t *testing.T) {
					t.Parallel()
					tgt, _ := target(t, server)
					steps := 0
					for seed := base + 1; seed <= base+uint64(*seedCount); seed++ {
						r := Explore(context.Background(), tgt, kind, format, seed, b)
						if r.RunError != nil {
							t.Fatalf("seed %d: run error: %v", seed, r.RunError)
						}
						if r.Finding != nil {
							t.Fatalf("seed %d: a divergence against %s, which conforms:\n%s", seed, name, Report(r))
						}
						if r.Steps == 0 {
							t.Fatalf("seed %d: no step ran", seed)
						}
						steps += r.Steps
					}
					t.Logf("seeds %d to %d: %d steps, no divergence", base+1, base+uint64(*seedCount), steps)
				})
			}
		}
	}
}

func TestBadOpsCountTheirBreakages(t *testing.T) {
	tgt, _ := target(t, asIs)
	g := &gen{a: api{"json"}, marks: tgt.Marks, enc: tgt.Client.Body}
	pairs := 0
	for _, o := range badOps {
		for u := pairs; u < pairs+o.n; u++ {
			rapid.Check(t, func(rt *rapid.T) {
				st := g.badPair(rt, &model{slots: []slot{{extID: "x", alive: true}}}, u)
				if !strings.HasPrefix(st.what, o.op+" with ") {
					rt.Fatalf("pair %d is %q, want one of %s", u, st.what, o.op)
				}
				if g.picked != o.n {
					rt.Fatalf("%s: %d breakages, badOps says %d", o.op, g.picked, o.n)
				}
			})
		}
		pairs += o.n
	}
}

var killRate = flag.Bool("explore.killrate", false, "run every exploration mutant against 20 seeds at the default budget (slow)")

// TestMutantsKilledByExploration: each exploration mutant is killed by the
// default budget (explore.DefaultBudget with the settings' defaults) in at
// least 19 of 20 seeds. Without -explore.killrate it tries 2 seeds each
// and wants a kill in one.
func TestMutantsKilledByExploration(t *testing.T) {
	skipUnderRace(t)
	seeds := 2
	if *killRate {
		seeds = 20
	}
	b := DefaultBudget(120, time.Second)
	b.Shrink = 0 // a kill is the first divergence; shrinking is tested apart
	// The request budget is what binds on the embedded reference (120
	// requests take 0.1-0.3 s a row); the mutants run here at once, on a
	// loaded machine, where the time budget would cut some searches short.
	b.Time = 30 * time.Second
	for _, m := range mutants.All() {
		if !slices.ContainsFunc(m.Kills, func(id string) bool { return strings.Contains(id, "explore") }) {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel()
			killed := 0
			var missed []uint64
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				tgt, _ := mutantTarget(t, m.Name)
				found := false
				for _, kind := range []string{Stateful, BadInput} {
					for _, format := range []string{"json", "xml"} {
						if found {
							continue
						}
						r := Explore(context.Background(), tgt, kind, format, seed, b)
						if r.RunError != nil {
							t.Fatalf("seed %d %s %s: %v", seed, kind, format, r.RunError)
						}
						found = r.Finding != nil
					}
				}
				if found {
					killed++
				} else {
					missed = append(missed, seed)
				}
			}
			t.Logf("%s: killed in %d of %d seeds", m.Name, killed, seeds)
			if (seeds == 20 && killed < 19) || killed == 0 {
				t.Errorf("%s: killed in %d of %d seeds (missed %v), want 19 of 20", m.Name, killed, seeds, missed)
			}
		})
	}
}

// TestShrinks: a divergence is shrunk to a short sequence, its last step
// the first divergence, and the report and the replay script show it.
func TestShrinks(t *testing.T) {
	tgt, _ := mutantTarget(t, "comment-trimmed")
	b := DefaultBudget(400, 30*time.Second)
	b.Shrink = 5 * time.Second
	r := Explore(context.Background(), tgt, Stateful, "json", 1, b)
	if r.Finding == nil {
		t.Fatalf("no divergence found: %s", Report(r))
	}
	t.Log(Report(r))
	f := r.Finding
	if len(f.Steps) > 6 || len(f.Steps) > f.Original || f.First != len(f.Steps)-1 || f.Replays == 0 {
		t.Fatalf("shrunk to %d steps from %d (%d replays), first divergence at %d:\n%s", len(f.Steps), f.Original, f.Replays, f.First+1, Report(r))
	}
	if !strings.Contains(Report(r), fmt.Sprintf("=> %d. ", len(f.Steps))) {
		t.Errorf("the report does not mark the first divergence:\n%s", Report(r))
	}
	script := ReplayScript(r, func(x *client.Exchange) string { return "curl " + x.Request.Method + " " + x.Request.Path })
	if got := strings.Count(script, "\ncurl "); got < len(f.Steps) {
		t.Errorf("the replay script has %d requests for %d steps:\n%s", got, len(f.Steps), script)
	}
}

// TestNoShrinkingWhenNoTimeIsGiven: Shrink 0 (CONFORMANCE_EXPLORE_SHRINK=0,
// the kill matrix) reports the divergence as found, replaying nothing, and
// the report says it was not shrunk.
func TestNoShrinkingWhenNoTimeIsGiven(t *testing.T) {
	tgt, _ := mutantTarget(t, "comment-trimmed")
	b := DefaultBudget(400, 30*time.Second)
	b.Shrink = 0
	r := Explore(context.Background(), tgt, Stateful, "json", 1, b)
	if r.Finding == nil {
		t.Fatalf("no divergence found: %s", Report(r))
	}
	f := r.Finding
	if f.Replays != 0 || len(f.Steps) != f.Original || f.First != len(f.Steps)-1 {
		t.Errorf("%d steps of %d found, %d replays, first divergence at %d: want the sequence as found, no replay", len(f.Steps), f.Original, f.Replays, f.First+1)
	}
	if !strings.Contains(Report(r), "not shrunk") {
		t.Errorf("the report does not say the sequence was not shrunk:\n%s", Report(r))
	}
}

// skipUnderRace leaves a search over many servers or mutants to the run
// without the race detector (make explore-check, a step of make test).
func skipUnderRace(t *testing.T) {
	if raceDetector {
		t.Skip("searches many servers or mutants: make explore-check runs it without the race detector")
	}
}
