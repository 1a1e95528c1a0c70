package client

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http/httptrace"
	"sync"
)

// sniffConn keeps the first bytes of the target's answer to the last
// request sent on a connection (up to max), so that a header section over
// the cap can be said to be that of a named header. Plain HTTP only: over
// TLS the transport wraps the connection, and these bytes are ciphertext.
type sniffConn struct {
	net.Conn
	max  int
	mu   sync.Mutex
	head []byte
}

func (c *sniffConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.head = c.head[:0] // a new request: what follows is its answer
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *sniffConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	if room := c.max - len(c.head); room > 0 {
		c.head = append(c.head, p[:min(n, room)]...)
	}
	c.mu.Unlock()
	return n, err
}

// sniffingDialer wraps every connection dial makes.
func sniffingDialer(dial func(ctx context.Context, network, addr string) (net.Conn, error), max int) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &sniffConn{Conn: conn, max: max}, nil
	}
}

// connTrace is what the transport did with one request: the connections it
// got (more than one when it resent the request itself: Go's transport
// resends a request on a fresh connection when a reused one broke before
// anything was written, or, for a GET, before any answer byte came) and
// whether the request was written whole on the last one.
type connTrace struct {
	mu    sync.Mutex
	last  net.Conn
	conns int
	wrote bool
}

func (t *connTrace) conn() net.Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

func (t *connTrace) sent() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wrote
}

func (t *connTrace) resent() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(0, t.conns-1)
}

// withConnTrace returns a context under which the transport's doings with a
// request are kept in t.
func withConnTrace(ctx context.Context, t *connTrace) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.last, t.wrote = info.Conn, false
			t.conns++
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			t.mu.Lock()
			defer t.mu.Unlock()
			t.wrote = info.Err == nil
		},
	})
}

// hugeHeader names the longest header line of the answer conn received, as
// far as it was kept: "header X-Junk (at least 65000 bytes)", or "" when it
// cannot tell.
func hugeHeader(conn net.Conn) string {
	sc, ok := conn.(*sniffConn)
	if !ok {
		return ""
	}
	sc.mu.Lock()
	head := bytes.Clone(sc.head)
	sc.mu.Unlock()
	_, rest, found := bytes.Cut(head, []byte("\n")) // the status line
	if !found {
		return ""
	}
	var name []byte
	longest := 0
	for _, line := range bytes.Split(rest, []byte("\n")) {
		if len(line) > longest {
			n, _, ok := bytes.Cut(line, []byte(":"))
			if !ok {
				n = []byte("(a line without a name)")
			}
			name, longest = n, len(line)
		}
	}
	if name == nil {
		return ""
	}
	return fmt.Sprintf("header %q, at least %s", Clip(string(bytes.TrimSpace(name)), 80), size(int64(longest)))
}
