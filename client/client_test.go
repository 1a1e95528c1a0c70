package client

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func newClient(t *testing.T, h http.HandlerFunc, timeout time.Duration) *Client {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	c, err := New(Options{Base: ts.URL + "/fx/api/v1", Timeout: timeout, MaxBody: 1 << 20, User: Credentials{"u", "p"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func get(c *Client) *Exchange {
	return c.Do(context.Background(), Request{Method: http.MethodGet, Path: "/json/projects/p"})
}

// A target's misbehaviour becomes an error of the exchange that says what
// the target did, within the timeout and the caps.
func TestDoBoundsWhatTheTargetSends(t *testing.T) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	_, _ = zw.Write(make([]byte, 8<<20)) // 8 MiB of zeros: 8 KiB compressed
	_ = zw.Close()

	// The caps are met long before a generous timeout, however loaded the
	// machine; only the trickle is about the timeout, a short one.
	const capsTimeout, trickleTimeout = 30 * time.Second, 300 * time.Millisecond
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		want    string
		timeout time.Duration // capsTimeout when zero
	}{
		{"a huge header", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Huge", strings.Repeat("a", 1<<20))
			w.WriteHeader(http.StatusOK)
		}, `response header section over the suite's cap of 64 KiB (a huge header: header "X-Huge", at least `, 0},
		{"a gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
				http.Error(w, "no gzip accepted", http.StatusNotAcceptable)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb.Bytes())
		}, "gzip-compressed body that decompresses to more than the suite's cap of 1 MiB", 0},
		{"a broken gzip body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = io.WriteString(w, "this is not gzip at all")
		}, "body does not decompress", 0},
		{"a body trickled a byte at a time", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			for range 1000 {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(50 * time.Millisecond):
				}
			}
		}, "did not finish its answer within the suite's timeout of 300ms (CONFORMANCE_TIMEOUT)", trickleTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := get(newClient(t, tc.h, cmp.Or(tc.timeout, capsTimeout)))
			if x.Err == nil || !strings.Contains(x.Err.Error(), tc.want) {
				t.Fatalf("Err = %v, want it to say %q", x.Err, tc.want)
			}
			if len(x.Body) > 1<<20 {
				t.Errorf("kept %d bytes of body, more than the cap", len(x.Body))
			}
		})
	}
}

func TestDoSaysWhyTheRunStopped(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, time.Minute)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("suite timeout occurred"))
	x := c.Do(ctx, Request{Method: http.MethodGet, Path: "/json/projects/p"})
	if x.Err == nil || !strings.Contains(x.Err.Error(), "the run was stopped (suite timeout occurred)") {
		t.Fatalf("Err = %v, want the cause", x.Err)
	}
}

// Format keeps a bounded part of any exchange, and says what it cut.
func TestFormatKeepsABoundedPart(t *testing.T) {
	x := &Exchange{
		Status: 200, Proto: "HTTP/1.1",
		Header: http.Header{"X-Big": {strings.Repeat("h", 60<<10)}},
		Body:   bytes.Repeat([]byte("b"), 8<<20),
		Err:    errors.New(strings.Repeat("e", 1<<20)),
	}
	for i := range 500 {
		x.Header.Add("X-Many", strings.Repeat("m", i))
	}
	out := x.Format()
	if len(out) > 64<<10 {
		t.Errorf("Format printed %d bytes, want a few KiB", len(out))
	}
	for _, want := range []string{"more bytes)", "more header lines)"} {
		if !strings.Contains(out, want) {
			t.Errorf("Format does not say %q", want)
		}
	}
}

func TestClipKeepsCharactersWhole(t *testing.T) {
	s := strings.Repeat("я", 10) // 2 bytes each
	got := Clip(s, 5)
	if !strings.HasPrefix(got, "яя…") || !strings.Contains(got, "(16 more bytes)") {
		t.Errorf("Clip = %q", got)
	}
	if Clip("short", 10) != "short" {
		t.Error("Clip changed a short string")
	}
}
