package client

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// A target that hangs costs TripAfter timeouts; the requests after them fail
// at once, saying why.
func TestClientStopsWaitingOnATargetThatKeepsTimingOut(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, 100*time.Millisecond)
	for i := range TripAfter {
		if x := get(c); x.Err == nil || !strings.Contains(x.Err.Error(), "did not answer within") {
			t.Fatalf("request %d: Err = %v, want a timeout", i+1, x.Err)
		}
	}
	ro := c.As(Credentials{"reader", "pw"}) // a copy shares what the client knows
	x := get(ro)
	if x.Err == nil || !strings.Contains(x.Err.Error(), "not sent: the target did not answer within the suite's timeout of 100ms (CONFORMANCE_TIMEOUT) 3 times in a row") {
		t.Fatalf("after %d timeouts: Err = %v, want the request refused", TripAfter, x.Err)
	}
	if x.Duration > 50*time.Millisecond {
		t.Errorf("a refused request took %s", x.Duration)
	}
}

func TestHealthProbesOnceAnIntervalAndRecovers(t *testing.T) {
	h := newHealth(time.Second) // retry every 5s
	t0 := time.Unix(0, 0)
	for range TripAfter {
		probe, ok := h.admit(t0)
		if !ok || probe {
			t.Fatal("a healthy target's request was refused or made a probe")
		}
		h.done(false, true, t0)
	}
	if _, ok := h.admit(t0.Add(time.Second)); ok {
		t.Fatal("admitted a request right after tripping")
	}
	probe, ok := h.admit(t0.Add(5 * time.Second))
	if !ok || !probe {
		t.Fatal("no probe after the retry interval")
	}
	if _, ok := h.admit(t0.Add(5 * time.Second)); ok {
		t.Fatal("admitted a second request while a probe is in flight")
	}
	h.done(true, true, t0.Add(6*time.Second)) // the probe timed out too
	if _, ok := h.admit(t0.Add(7 * time.Second)); ok {
		t.Fatal("admitted a request before the next retry")
	}
	probe, ok = h.admit(t0.Add(11 * time.Second))
	if !ok || !probe {
		t.Fatal("no second probe")
	}
	h.done(true, false, t0.Add(11*time.Second)) // the target answered
	if probe, ok := h.admit(t0.Add(11 * time.Second)); !ok || probe {
		t.Fatal("a recovered target's requests are still refused or probes")
	}
}
