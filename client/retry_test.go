package client

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// cutting is a target that cuts the connection of the first cuts requests
// after reading them whole (so that it may have acted), then answers 200.
type cutting struct {
	cuts     atomic.Int32
	received atomic.Int32
}

func newCutting(cuts int32) *cutting {
	c := &cutting{}
	c.cuts.Store(cuts)
	return c
}

func (c *cutting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.received.Add(1) <= c.cuts.Load() {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0) // a reset, as a proxy that drops the connection sends
			}
			_ = conn.Close()
		}
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ok"))
}

func retryingClient(t *testing.T, h http.Handler, retries int) (*Client, *[]*Exchange) {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	var mu sync.Mutex
	var recorded []*Exchange
	c, err := New(Options{Base: ts.URL + "/fx/api/v1", Timeout: 5 * time.Second, User: Credentials{"u", "p"}, Retries: retries,
		Record: func(x *Exchange) { mu.Lock(); defer mu.Unlock(); recorded = append(recorded, x) }})
	if err != nil {
		t.Fatal(err)
	}
	return c, &recorded
}

// A request that can be judged when sent again is, every attempt recorded;
// one that cannot is sent once, and its exchange says the target may have acted.
func TestDoRetriesWhatCanBeJudged(t *testing.T) {
	for _, tc := range []struct {
		name    string
		r       Request
		retries int
		cuts    int32
		sends   int32 // requests the target received
		answer  bool  // the last exchange got the 200
	}{
		{"a GET", Request{Method: http.MethodGet, Path: "/json/callcases/a"}, 2, 2, 3, true},
		{"a GET, out of retries", Request{Method: http.MethodGet, Path: "/json/callcases/a"}, 2, 3, 3, false},
		{"a GET with retries off", Request{Method: http.MethodGet, Path: "/json/callcases/a"}, 0, 1, 1, false},
		{"a PUT that sets values", Request{Method: http.MethodPut, Path: "/json/callcases/", JSON: map[string]any{"uuid": "a"}}, 2, 1, 2, true},
		{"a POST", Request{Method: http.MethodPost, Path: "/json/callcases/", JSON: map[string]any{"uuid": "a"}}, 2, 1, 1, false},
		{"a DELETE", Request{Method: http.MethodDelete, Path: "/json/callcases/a"}, 2, 1, 1, false},
		{"a batch PUT", Request{Method: http.MethodPut, Path: "/json/projects/p/callcases-batch/", JSON: map[string]any{"callcase": []any{}}}, 2, 1, 1, false},
		{"a DELETE its caller judges", Request{Method: http.MethodDelete, Path: "/json/callcases/a", Retry: true}, 2, 1, 2, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := newCutting(tc.cuts)
			c, recorded := retryingClient(t, target, tc.retries)
			x := c.Do(context.Background(), tc.r)
			if got := target.received.Load(); got != tc.sends {
				t.Errorf("the target received %d requests, want %d", got, tc.sends)
			}
			if got := (x.Err == nil && x.Status == http.StatusOK); got != tc.answer {
				t.Fatalf("answered: %v, want %v: %v", got, tc.answer, x.Err)
			}
			if len(*recorded) != int(tc.sends) || (*recorded)[len(*recorded)-1] != x {
				t.Fatalf("%d exchanges recorded for %d sendings, the last not the one returned", len(*recorded), tc.sends)
			}
			for i, rx := range *recorded {
				last := i == len(*recorded)-1
				if rx.Attempt != i+1 || rx.Retried == last {
					t.Errorf("exchange %d: attempt %d, retried %v", i, rx.Attempt, rx.Retried)
				}
				if rx.Err != nil && (!rx.Lost || !rx.Sent || !strings.Contains(rx.Err.Error(), "after the request was sent, before answering")) {
					t.Errorf("exchange %d: lost %v, sent %v: %v", i, rx.Lost, rx.Sent, rx.Err)
				}
			}
			if tc.sends > 1 && !strings.Contains(x.Format(), "attempt ") {
				t.Errorf("the last attempt's exchange does not say it was one:\n%s", x.Format())
			}
		})
	}
}

// A connection that could not be made is lost before the request was sent;
// a timeout is not lost (a target that hangs hangs again), and not retried.
func TestDoTellsACutBeforeSendingAndATimeoutFromALoss(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	c, err := New(Options{Base: "http://" + addr + "/fx/api/v1", Timeout: time.Second, Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	x := c.Do(context.Background(), Request{Method: http.MethodPost, Path: "/json/callcases/"})
	if !x.Lost || x.Sent || x.Retried || x.Attempt != 1 {
		t.Errorf("a POST to nothing: lost %v, sent %v, retried %v, attempt %d: %v", x.Lost, x.Sent, x.Retried, x.Attempt, x.Err)
	}

	var received atomic.Int32
	release := make(chan struct{})
	defer close(release)
	slow, recorded := retryingClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), 2)
	slow.opts.Timeout, slow.http.Timeout = 100*time.Millisecond, 100*time.Millisecond
	x = slow.Do(context.Background(), Request{Method: http.MethodGet, Path: "/json/callcases/a"})
	if x.Lost || x.Err == nil || len(*recorded) != 1 || received.Load() != 1 {
		t.Errorf("a GET that timed out: lost %v, %d exchanges, %d received: %v", x.Lost, len(*recorded), received.Load(), x.Err)
	}
}

// A target that loses every answer is not a flaky network: after
// LostInARow losses in a row the client stops sending requests again, and
// one answer puts retries back.
func TestDoStopsRetryingATargetThatLosesEveryAnswer(t *testing.T) {
	target := newCutting(1 << 20)
	c, recorded := retryingClient(t, target, 2)
	for range LostInARow {
		c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/json/callcases/a"})
	}
	if c.Retrying() {
		t.Fatalf("still retrying after %d requests lost every answer", target.received.Load())
	}
	sent := target.received.Load()
	c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/json/callcases/a"})
	if got := target.received.Load() - sent; got != 1 {
		t.Errorf("a GET to a target that loses every answer was sent %d times, want once", got)
	}
	if n := len(*recorded); n != int(target.received.Load()) {
		t.Errorf("%d exchanges recorded for %d requests received", n, target.received.Load())
	}
	target.cuts.Store(0) // answers again
	if x := c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/json/callcases/a"}); x.Err != nil || !c.Retrying() {
		t.Errorf("an answer did not put retries back: %v, retrying %v", x.Err, c.Retrying())
	}
}
