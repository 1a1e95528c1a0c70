// Command latencyproxy is a reverse proxy that holds every request for a
// fixed delay before passing it on: the suite run through it shows what a
// slow network does to the time to verdict, on loopback.
//
//	latencyproxy -target http://127.0.0.1:8080 -delay 50ms -addr 127.0.0.1:0
//
// It prints "# proxying on http://ADDR" on stdout once it accepts
// connections, and on SIGINT or SIGTERM the number of requests it passed on
// and of connections clients opened ("# round trips N", "# connections N").
// With -log it writes one line per request, so that a bench can tell which
// round trips fell in which spec.
//
// With -cut it is a flaky network: that share of connections is cut, at
// one of its first four requests, half before the request is passed on (the
// target never sees it) and half after the target acted and answered (the
// answer is dropped), chosen by a generator seeded with -seed; with
// -cut-per request, that share of requests instead (a harsher network: a
// client that reuses its connections sends many requests on each). On
// shutdown it prints "# cuts N (before B, after A)".
//
//	latencyproxy -target http://127.0.0.1:8080 -delay 0 -cut 0.02 -seed 7
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("latencyproxy", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address; port 0 picks a free one")
	target := fs.String("target", "", "the server to pass requests on to, e.g. http://127.0.0.1:8080")
	delay := fs.Duration("delay", 50*time.Millisecond, "added to every round trip")
	logPath := fs.String("log", "", "write one line per request to this file: arrival in Unix nanoseconds, method, path")
	cut := fs.Float64("cut", 0, "the share of requests whose connection is cut, from 0 to 1: half before passing the request on, half after the target answered")
	seed := fs.Uint64("seed", 1, "seeds the choice of what -cut cuts")
	per := fs.String("cut-per", "connection", "what -cut is a share of: connection or request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cut < 0 || *cut > 1 || *cut != *cut {
		return fmt.Errorf("-cut %v is not a share from 0 to 1 (0.02 cuts 2%% of connections)", *cut)
	}
	if *per != "connection" && *per != "request" {
		return fmt.Errorf("-cut-per %q is neither connection nor request", *per)
	}
	backend, err := url.Parse(*target)
	if err != nil || backend.Host == "" {
		return fmt.Errorf("-target %q is not an absolute URL", *target)
	}
	p := newProxy(backend, *delay)
	p.cuts = newCutter(*cut, *seed)
	if p.cuts != nil {
		p.cuts.perConnection = *per == "connection"
	}
	if *logPath != "" {
		f, err := os.Create(*logPath)
		if err != nil {
			return err
		}
		defer f.Close()
		p.log = f
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# proxying on http://%s to %s with %s a round trip\n", ln.Addr(), backend, *delay)

	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ConnState: p.connState, ConnContext: p.connContext}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	fmt.Fprintf(stdout, "# round trips %d\n# connections %d\n", p.roundTrips.Load(), p.connections.Load())
	if p.cuts != nil {
		before, after := p.cuts.before.Load(), p.cuts.after.Load()
		fmt.Fprintf(stdout, "# cuts %d (before %d, after %d)\n", before+after, before, after)
	}
	if err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// proxy delays, counts, then forwards. The delay is taken once per request,
// before it is passed on: the whole round trip is what a client waits for.
type proxy struct {
	delay       time.Duration
	roundTrips  atomic.Int64
	connections atomic.Int64 // accepted from clients: far fewer than round trips when clients reuse them
	forward     *httputil.ReverseProxy
	logMu       sync.Mutex
	log         io.Writer // nil for none
	cuts        *cutter   // nil: no connection is cut
}

// cutter chooses the connections (or the requests) it cuts.
type cutter struct {
	rate          float64
	perConnection bool
	mu            sync.Mutex
	rand          *rand.Rand
	before, after atomic.Int64
}

// newCutter cuts that share of requests (nil for none), seeded.
func newCutter(rate float64, seed uint64) *cutter {
	if rate <= 0 {
		return nil
	}
	return &cutter{rate: rate, rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// cut is how a request fares.
type cut int

const (
	uncut     cut = iota
	cutBefore     // the target never sees the request
	cutAfter      // the target acts and answers; the answer is dropped
)

// plan is a connection's fate: cut at its at-th request (0: never).
type plan struct {
	at, served int
	how        cut
}

type planKey struct{}

// connContext gives each connection its plan, when cuts are per connection.
func (p *proxy) connContext(ctx context.Context, _ net.Conn) context.Context {
	c := p.cuts
	if c == nil || !c.perConnection {
		return ctx
	}
	c.mu.Lock()
	u, at := c.rand.Float64(), 1+c.rand.IntN(4)
	c.mu.Unlock()
	pl := &plan{}
	switch {
	case u < c.rate/2:
		pl.at, pl.how = at, cutBefore
	case u < c.rate:
		pl.at, pl.how = at, cutAfter
	}
	return context.WithValue(ctx, planKey{}, pl)
}

// fate is how a request fares: per connection, by its connection's plan
// (one request at a time on a connection, so no lock); else drawn.
func (c *cutter) fate(r *http.Request) cut {
	if c == nil {
		return uncut
	}
	if !c.perConnection {
		return c.choose()
	}
	pl, ok := r.Context().Value(planKey{}).(*plan)
	if !ok {
		return uncut
	}
	pl.served++
	if pl.served != pl.at {
		return uncut
	}
	if pl.how == cutBefore {
		c.before.Add(1)
	} else {
		c.after.Add(1)
	}
	return pl.how
}

func (c *cutter) choose() cut {
	if c == nil {
		return uncut
	}
	c.mu.Lock()
	u := c.rand.Float64()
	c.mu.Unlock()
	switch {
	case u < c.rate/2:
		c.before.Add(1)
		return cutBefore
	case u < c.rate:
		c.after.Add(1)
		return cutAfter
	}
	return uncut
}

// hangUp cuts the client's connection with a reset, as a load balancer
// that drops it does: no answer, not even an empty one.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func newProxy(backend *url.URL, delay time.Duration) *proxy {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 64 // every parallel process keeps its connections to the backend warm
	return &proxy{
		delay: delay,
		forward: &httputil.ReverseProxy{
			Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(backend)
				r.Out.Host = r.In.Host // the backend answers as if it were the proxy
			},
			Transport: transport,
		},
	}
}

func (p *proxy) connState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		p.connections.Add(1)
	}
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.roundTrips.Add(1)
	if p.log != nil {
		p.logMu.Lock()
		fmt.Fprintf(p.log, "%d %s %s\n", time.Now().UnixNano(), r.Method, r.URL.EscapedPath())
		p.logMu.Unlock()
	}
	if p.delay > 0 {
		t := time.NewTimer(p.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	// The transport sending the request on reads its body once more after
	// the last byte, to see its end, and may do so only after the backend
	// has answered. By default the server consumes and closes the request
	// body when the answer's header is written: that late read then fails,
	// the transport closes the backend connection mid-answer, and the
	// client gets a body cut short (unexpected EOF). In full duplex the
	// body stays readable until the handler returns.
	_ = http.NewResponseController(w).EnableFullDuplex()
	switch p.cuts.fate(r) {
	case cutBefore:
		hangUp(w)
		return
	case cutAfter:
		p.forward.ServeHTTP(httptest.NewRecorder(), r) // the target acts and answers, to no one
		hangUp(w)
		return
	}
	p.forward.ServeHTTP(w, r)
}
