package explore

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/reference"
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

var testBudget = Budget{Requests: 400, Time: time.Minute, Steps: 20, Shrink: 30 * time.Second}

func TestNoDivergenceAgainstTheReference(t *testing.T) {
	for _, format := range []string{"json", "xml"} {
		for _, kind := range []string{Stateful, BadInput} {
			t.Run(format+"/"+kind, func(t *testing.T) {
				tgt, _ := target(t, asIs)
				for seed := uint64(1); seed <= 3; seed++ {
					r := Explore(context.Background(), tgt, kind, format, seed, testBudget)
					if r.RunError != nil {
						t.Fatalf("seed %d: run error: %v", seed, r.RunError)
					}
					if r.Finding != nil {
						t.Fatalf("seed %d: a divergence against the reference itself:\n%s", seed, Report(r))
					}
					if r.Steps == 0 {
						t.Fatalf("seed %d: no step ran", seed)
					}
					t.Logf("seed %d: %d sequences, %d steps, %d exchanges, oracle %v", seed, r.Sequences, r.Steps, r.Exchanges, r.Oracle)
				}
			})
		}
	}
	_ = strings.Contains
}
