package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The proxy passes the request on unchanged (escaped path, query, body,
// credentials), answers with the backend's answer, and holds it for the delay.
func TestProxyForwardsAfterTheDelay(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Location", "/seen")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, r.Method+" "+r.URL.EscapedPath()+"?"+r.URL.RawQuery+" "+user+":"+pass+" "+string(body))
	}))
	defer backend.Close()
	u, _ := url.Parse(backend.URL)
	const delay = 30 * time.Millisecond
	p := newProxy(u, delay)
	front := httptest.NewServer(p)
	defer front.Close()

	req, _ := http.NewRequest(http.MethodPost, front.URL+"/a/b%2Fc%20d?x=1", strings.NewReader("hi"))
	req.SetBasicAuth("u", "p")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	took := time.Since(start)
	got, _ := io.ReadAll(resp.Body)
	if want := "POST /a/b%2Fc%20d?x=1 u:p hi"; string(got) != want || resp.StatusCode != http.StatusCreated {
		t.Errorf("got %d %q, want 201 %q", resp.StatusCode, got, want)
	}
	if resp.Header.Get("Location") != "/seen" {
		t.Errorf("Location %q was not passed back", resp.Header.Get("Location"))
	}
	if took < delay {
		t.Errorf("answered after %s, before the delay of %s", took, delay)
	}
	if n := p.roundTrips.Load(); n != 1 {
		t.Errorf("counted %d round trips, want 1", n)
	}
}

// lateEOF is a request body whose read after the last byte, the one that
// sees its end, waits until the client has the answer's header: the order
// in which a busy machine may schedule the transport's write loop.
type lateEOF struct {
	body       io.ReadCloser
	left       int64
	headerSeen <-chan struct{}
	endErr     chan<- error
}

func (b *lateEOF) Read(p []byte) (int, error) {
	if b.left > 0 {
		n, err := b.body.Read(p[:min(int64(len(p)), b.left)])
		b.left -= int64(n)
		return n, err
	}
	<-b.headerSeen
	n, err := b.body.Read(p)
	b.endErr <- err
	return n, err
}

func (b *lateEOF) Close() error { return b.body.Close() }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A long chunked answer to a request with a body comes through whole even
// when the transport reads the end of the request body after the answer's
// header went out: the server must not have closed that body by then, or
// the transport drops the backend connection mid-answer.
func TestProxyKeepsTheRequestBodyReadableWhileAnswering(t *testing.T) {
	requestBody := strings.Repeat("r", 64<<10) // past the transport's write buffer, as a batch of 150 uuids is
	chunk := strings.Repeat("a", 4<<10)
	probed := make(chan struct{})
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, io.LimitReader(r.Body, int64(len(requestBody)))); err != nil {
			t.Errorf("backend reading the request: %v", err)
			return
		}
		_, _ = io.WriteString(w, chunk) // no Content-Length: chunked, as the reference's batch answers
		w.(http.Flusher).Flush()
		<-probed
		for range 8 {
			_, _ = io.WriteString(w, chunk)
		}
	}))
	defer backend.Close()
	u, _ := url.Parse(backend.URL)
	p := newProxy(u, 0)
	headerSeen := make(chan struct{})
	endErr := make(chan error, 1)
	next := p.forward.Transport
	p.forward.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r.Body = &lateEOF{body: r.Body, left: r.ContentLength, headerSeen: headerSeen, endErr: endErr}
		return next.RoundTrip(r)
	})
	front := httptest.NewServer(p)
	defer front.Close()

	resp, err := http.Post(front.URL+"/batch", "text/plain", strings.NewReader(requestBody))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	close(headerSeen)
	if err := <-endErr; err != io.EOF {
		t.Errorf("the transport's read of the request body's end got %v, want EOF", err)
	}
	close(probed)
	got, err := io.ReadAll(resp.Body)
	if err != nil || len(got) != 9*len(chunk) {
		t.Errorf("the answer came through with %d of %d bytes: %v", len(got), 9*len(chunk), err)
	}
}

// With -cut, a request's connection is cut before the backend sees it or
// after it answered, about as often as asked, the same requests for a seed.
func TestProxyCutsASeededShareOfConnections(t *testing.T) {
	var seen atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		_, _ = io.WriteString(w, "ok")
	}))
	defer backend.Close()
	u, _ := url.Parse(backend.URL)
	pattern := func() (string, *proxy) {
		p := newProxy(u, 0)
		p.cuts = newCutter(0.2, 7) // per request
		front := httptest.NewServer(p)
		defer front.Close()
		// A fresh connection each: on a reused one Go's transport would
		// resend a cut GET by itself.
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		var b strings.Builder
		for range 200 {
			resp, err := client.Get(front.URL + "/x")
			if err != nil {
				b.WriteByte('x')
				continue
			}
			_, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
			b.WriteByte('.')
		}
		return b.String(), p
	}
	seen.Store(0)
	first, p := pattern()
	before, after := p.cuts.before.Load(), p.cuts.after.Load()
	if before < 10 || after < 10 || before+after > 70 {
		t.Errorf("cut %d before and %d after of 200 requests at a rate of 0.2", before, after)
	}
	// Cut before: the backend never saw it; after: it answered, to no one.
	if got, want := seen.Load(), 200-before; got != want {
		t.Errorf("the backend saw %d requests, want %d (all but those cut before)", got, want)
	}
	if cut := int64(strings.Count(first, "x")); cut != before+after {
		t.Errorf("%d requests got no answer, %d were cut", cut, before+after)
	}
	if again, _ := pattern(); again != first {
		t.Errorf("the same seed cut other requests:\n%s\n%s", first, again)
	}
	if err := run(context.Background(), []string{"-target", backend.URL, "-cut", "1.5"}, io.Discard); err == nil || !strings.Contains(err.Error(), "not a share from 0 to 1") {
		t.Errorf("-cut 1.5: %v", err)
	}
}

// Per connection (the default of -cut-per), a connection chosen is cut once,
// at one of its first four requests; at a rate of 1 every connection is.
func TestProxyCutsEachChosenConnectionOnce(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer backend.Close()
	u, _ := url.Parse(backend.URL)
	p := newProxy(u, 0)
	p.cuts = newCutter(1, 3)
	p.cuts.perConnection = true
	front := httptest.NewUnstartedServer(p)
	front.Config.ConnContext, front.Config.ConnState = p.connContext, p.connState
	front.Start()
	defer front.Close()
	client := &http.Client{Transport: &http.Transport{}}
	failed := 0
	for range 40 {
		resp, err := client.Post(front.URL+"/x", "text/plain", strings.NewReader("hi")) // a POST: Go's transport does not resend it
		if err != nil {
			failed++
			continue
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	cuts := p.cuts.before.Load() + p.cuts.after.Load()
	if int64(failed) != cuts || cuts < 10 {
		t.Errorf("%d requests failed, %d cuts, of 40 requests at a rate of 1 (at least one in four)", failed, cuts)
	}
	// The last connection may still be waiting for its cut.
	if conns := p.connections.Load(); conns != cuts && conns != cuts+1 {
		t.Errorf("%d connections, %d cuts: each connection is cut once", conns, cuts)
	}
}
