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

// withConnTrace returns a context under which the connection a request got is
// stored in *got.
func withConnTrace(ctx context.Context, got *net.Conn) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { *got = info.Conn }})
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
