package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
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
