package speed

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestChainCountsExchangesThatDoNotOverlap(t *testing.T) {
	at := func(ms int) time.Time { return time.Unix(0, 0).Add(time.Duration(ms) * time.Millisecond) }
	iv := func(from, to int) Interval { return Interval{Start: at(from), End: at(to)} }
	for _, c := range []struct {
		name      string
		intervals []Interval
		want      int
	}{
		{"none", nil, 0},
		{"one after another", []Interval{iv(0, 10), iv(10, 20), iv(20, 30)}, 3},
		{"all at once", []Interval{iv(0, 10), iv(1, 11), iv(2, 12)}, 1},
		{"two at once, then one", []Interval{iv(0, 10), iv(0, 12), iv(12, 20)}, 2},
		// A long exchange beside a sequence: the sequence is the chain.
		{"long beside short ones", []Interval{iv(0, 100), iv(0, 10), iv(10, 20), iv(20, 30)}, 3},
	} {
		if got, _ := Chain(c.intervals); got != c.want {
			t.Errorf("%s: chain %d, want %d", c.name, got, c.want)
		}
	}
}

func TestFiguresRoundTrip(t *testing.T) {
	f := Figures{Trips: 7, Chain: 4, Timed: true, Holds: "membership"}
	got, err := Parse(f.String())
	if err != nil || got != f {
		t.Fatalf("Parse(%q) = %+v, %v; want %+v", f.String(), got, err, f)
	}
	if got, err := Parse((Figures{Trips: 1, Chain: 1}).String()); err != nil || got.Holds != "" {
		t.Errorf("no state held reads back as %+v, %v", got, err)
	}
	if _, err := Parse("trips x"); err == nil {
		t.Error("a malformed entry parses")
	}
}

func TestProcsGrowWithTheRoundTripWithinBounds(t *testing.T) {
	if got := Procs(0, 2); got != 2 {
		t.Errorf("loopback, 2 cores: %d processes, want 2", got)
	}
	if got := Procs(0, 0); got != 1 {
		t.Errorf("no cores reported: %d processes, want 1", got)
	}
	fast, slow := Procs(time.Millisecond, 2), Procs(5*time.Millisecond, 2)
	if fast >= slow {
		t.Errorf("1 ms: %d processes, 5 ms: %d; a slower network wants more", fast, slow)
	}
	if got := Procs(50*time.Millisecond, 2); got != 2*PerCore {
		t.Errorf("50 ms on 2 cores: %d processes, want the bound %d", got, 2*PerCore)
	}
	if got := Procs(time.Second, 64); got != MaxProcs {
		t.Errorf("a slow network on many cores: %d processes, want the bound %d", got, MaxProcs)
	}
}

func TestMeasureRTTTakesAnyAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	rtt, err := MeasureRTT(t.Context(), srv.URL)
	if err != nil || rtt <= 0 {
		t.Fatalf("MeasureRTT = %s, %v", rtt, err)
	}
	n, _, err := ProcsFor(t.Context(), "", 2)
	if err != nil || n != 2 {
		t.Errorf("embedded: %d processes, %v; want 2", n, err)
	}
	if _, err := MeasureRTT(t.Context(), "http://127.0.0.1:1"); err == nil {
		t.Error("nothing listening, and no error")
	}
}
