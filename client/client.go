// Package client is the suite's one way to talk to a target: every request
// goes through Do, which bounds time and memory, validates the request and
// the response against the contract, and records the exchange so that a
// failure can show it whole (credentials redacted).
package client

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/callcases/conformance/contract"
)

// DefaultMaxBody caps what is read of one response body (after
// decompression): a list page of 100 cases is far below it, a target
// streaming gigabytes stays far from memory.
const DefaultMaxBody = 8 << 20

// DefaultMaxHeader caps the bytes of one response's header section: the API's
// headers are a few hundred bytes; a target sending megabytes of header gets a
// run error, not a suite that holds and prints them.
const DefaultMaxHeader = 64 << 10

// Credentials are a user's Basic credentials.
type Credentials struct{ Username, Password string }

// Options configure a Client.
type Options struct {
	Base     string             // API base URL, e.g. http://host/fx/api/v1
	Contract *contract.Contract // validates every exchange
	User     Credentials        // the default user
	Timeout  time.Duration      // per exchange, body included
	MaxBody  int64              // 0 means DefaultMaxBody
	// MaxHeader caps a response's header section; 0 means DefaultMaxHeader.
	MaxHeader int64
	TLS       *tls.Config     // for https targets; nil means the system's roots
	Record    func(*Exchange) // called with every finished exchange, every attempt of a request
	Header    http.Header     // sent on every request (e.g. the run's X-Conformance-Run)
	// Retries is how many more times a request whose answer never came
	// (the connection broke) is sent, where a retry can be judged (see
	// Retryable); 0 sends every request once.
	Retries int
	// Transport, when set, carries the requests instead of the network: an
	// in-process server (exploration's reference) answers without a socket.
	Transport http.RoundTripper
}

// Client sends requests to one target as one user.
type Client struct {
	opts   Options
	base   *url.URL
	http   *http.Client
	auth   func(*http.Request)
	health *health // shared by the copies: one target, one history
}

// New builds a client; connections are pooled and reused across requests.
func New(opts Options) (*Client, error) {
	base, err := url.Parse(strings.TrimSuffix(opts.Base, "/"))
	if err != nil || base.Host == "" || (base.Scheme != "http" && base.Scheme != "https") {
		return nil, fmt.Errorf("client: base %q is not an absolute http(s) URL", opts.Base)
	}
	if opts.Timeout <= 0 {
		return nil, errors.New("client: the timeout must be positive")
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.MaxHeader <= 0 {
		opts.MaxHeader = DefaultMaxHeader
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = opts.TLS
	// As many as one spec sends at once (a family's calls, at most 32), so
	// that its next burst reuses them.
	transport.MaxIdleConnsPerHost = 32
	transport.ResponseHeaderTimeout = opts.Timeout
	transport.MaxResponseHeaderBytes = opts.MaxHeader
	if base.Scheme == "http" { // over TLS the bytes would be ciphertext
		dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second} // as http.DefaultTransport's
		transport.DialContext = sniffingDialer(dialer.DialContext, int(opts.MaxHeader)+1<<10)
	}
	var rt http.RoundTripper = transport
	if opts.Transport != nil {
		rt = opts.Transport
	}
	c := &Client{
		opts:   opts,
		base:   base,
		health: newHealth(opts.Timeout),
		http: &http.Client{
			Transport: rt,
			Timeout:   opts.Timeout,
			// The API never redirects; a redirect is an answer to record, not to follow.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	return c.As(opts.User), nil
}

// As returns a client that sends the given credentials; it shares the connection pool.
func (c *Client) As(user Credentials) *Client {
	cp := *c
	cp.auth = func(r *http.Request) { r.SetBasicAuth(user.Username, user.Password) }
	return &cp
}

// WithAuthorization returns a client that sends this raw Authorization value
// (or none when it is empty): for malformed-credential conditions.
func (c *Client) WithAuthorization(value string) *Client {
	cp := *c
	cp.auth = func(r *http.Request) {
		if value != "" {
			r.Header.Set("Authorization", value)
		}
	}
	return &cp
}

// WithHeader returns a client that also sends this header, replacing any
// value Options.Header gave it; it shares the connection pool.
func (c *Client) WithHeader(name, value string) *Client {
	cp := *c
	cp.opts.Header = c.opts.Header.Clone()
	if cp.opts.Header == nil {
		cp.opts.Header = http.Header{}
	}
	cp.opts.Header.Set(name, value)
	return &cp
}

// Base is the API base URL.
func (c *Client) Base() *url.URL { u := *c.base; return &u }

// Request is one request to the API, relative to the base URL.
type Request struct {
	Method string
	Path   string     // below the base, e.g. "/json/callcases/abc"; escape it yourself
	Query  url.Values // nil for none
	JSON   any        // the body's value: application/json, or under /xml/ XML by the contract (see xml.go)
	Form   url.Values // encoded as application/x-www-form-urlencoded
	Raw    []byte     // sent as is (with ContentType), for malformed bodies
	// ContentType overrides the Content-Type header (for the wrong-content-type condition).
	ContentType string
	// OffContract marks a request that breaks the contract on purpose: its
	// request is not validated, its response still is.
	OffContract bool
	// Purpose says why the suite sends it ("create a case to read back"), shown on failure.
	Purpose string
	// Retry: the caller judges a retry of this request itself, whatever its
	// method (a cleanup's DELETE, for which a 404 on a retry is done).
	Retry bool
}

// Retryable tells whether a request whose answer never came may be sent
// again, the retry's answer standing for both (docs/shared-staging.md, "A flaky network"): a read, a
// PUT that sets values (not a batch, whose items the first attempt may
// have changed), or one its caller judges itself. A POST, a DELETE, a
// set-state, a calllist command or a batch is not: the target may have
// acted, and its second answer would say something else.
func Retryable(r Request) bool {
	switch {
	case r.Retry, r.Method == http.MethodGet, r.Method == http.MethodHead:
		return true
	case r.Method == http.MethodPut:
		return !strings.Contains(r.Path, "-batch")
	}
	return false
}

// Do sends the request and records the exchange; it never panics and never
// waits longer than the timeout, and once the target timed out TripAfter
// times in a row it stops waiting on it (health.go). Transport failures
// land in Exchange.Err. A request whose answer never came is sent again,
// up to Options.Retries times, when it is Retryable: every attempt is
// recorded, the earlier ones marked Retried, and the last one is returned.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	for attempt := 1; ; attempt++ {
		x := c.once(ctx, r)
		x.Attempt = attempt
		retried.Add(int64(x.Resent)) // Go's transport sent it again itself: a retry all the same
		c.health.answered(x)
		again := x.Lost && attempt <= c.opts.Retries && Retryable(r) && c.health.retrying() && pause(ctx, attempt)
		if again {
			x.Retried = true
			retried.Add(1)
		}
		if c.opts.Record != nil {
			c.opts.Record(x)
		}
		if !again {
			return x
		}
	}
}

// Retrying tells whether an answer lost now may be tried again: fewer than
// LostInARow answers in a row were lost (health.go). The suite asks before
// it runs a spec again.
func (c *Client) Retrying() bool { return c.health.retrying() }

// pause waits a moment before a retry, longer after each (a load balancer
// that restarts takes a moment to accept again); false when the run stopped.
func pause(ctx context.Context, attempt int) bool {
	t := time.NewTimer(time.Duration(attempt*attempt) * 20 * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// once sends the request once.
func (c *Client) once(ctx context.Context, r Request) *Exchange {
	x := &Exchange{Request: r, Started: time.Now(), contract: c.opts.Contract}
	defer func() { x.Duration = time.Since(x.Started) }()
	probe, ok := c.health.admit(time.Now())
	if !ok {
		x.Err = c.health.refusal(c.opts.Timeout)
		return x
	}
	defer func() { c.health.done(probe, timedOut(ctx, x), time.Now()) }()
	body, contentType, err := c.encode(r)
	if err != nil {
		x.Err = fmt.Errorf("the suite could not encode its request: %w", err)
		return x
	}
	// The path is joined as text so that a segment the caller escaped (an
	// external id with spaces or slashes) keeps its escaping on the wire.
	target, err := url.Parse(c.base.String() + r.Path)
	if err != nil {
		x.Err = fmt.Errorf("the suite could not build its request URL: %w", err)
		return x
	}
	if r.Query != nil {
		target.RawQuery = r.Query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target.String(), bytes.NewReader(body))
	if err != nil {
		x.Err = fmt.Errorf("the suite could not build its request: %w", err)
		return x
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.ContentType != "" {
		req.Header.Set("Content-Type", r.ContentType)
	}
	req.Header.Set("Accept", accept(r.Path))
	for name, values := range c.opts.Header {
		req.Header[name] = values
	}
	c.auth(req)
	x.HTTPRequest = req
	x.RequestBody = body

	// Client.Timeout bounds the whole exchange, the body's last byte included,
	// so a target that trickles its answer costs one timeout, no more.
	var trace connTrace
	resp, err := c.http.Do(req.WithContext(withConnTrace(req.Context(), &trace)))
	x.Sent, x.Resent = trace.sent(), trace.resent()
	if err != nil {
		x.Err = describeTransport(ctx, err, c.opts.Timeout, c.opts.MaxHeader, trace.conn(), x.Sent)
		x.Lost = isLost(ctx, err)
		return x
	}
	defer resp.Body.Close()
	x.Status = resp.StatusCode
	x.Header = resp.Header
	x.Proto = resp.Proto
	length := declared(resp)
	x.Body, err = io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		x.Err = describeBodyError(ctx, err, len(x.Body), length, c.opts.Timeout)
		x.Lost = isLost(ctx, err) && !strings.Contains(x.Err.Error(), "does not decompress")
		return x
	}
	if int64(len(x.Body)) > c.opts.MaxBody {
		x.Body = x.Body[:c.opts.MaxBody]
		if resp.Uncompressed {
			x.Err = fmt.Errorf("the target sent a gzip-compressed body that decompresses to more than the suite's cap of %s (a compression bomb?); the rest was not read", size(c.opts.MaxBody))
		} else {
			x.Err = fmt.Errorf("the target sent a body over the suite's cap of %s (%s); the rest was not read", size(c.opts.MaxBody), length)
		}
		return x
	}
	if c.opts.Transport == nil { // an in-process server's answers are not exchanges with the target
		defer observeExchange(time.Now(), c.opts.Contract != nil) // counters for make bench (stats.go)
	}
	if c.opts.Contract != nil {
		var verr error
		if r.OffContract {
			verr = c.opts.Contract.ValidateResponse(req, body, x.Status, x.Header, x.Body)
		} else {
			verr = c.opts.Contract.ValidateExchange(req, body, x.Status, x.Header, x.Body)
		}
		var v contract.Violations
		if errors.As(verr, &v) {
			x.Violations = v
		}
		x.Operation = c.opts.Contract.OperationOf(req)
	}
	return x
}

func (c *Client) encode(r Request) ([]byte, string, error) {
	switch {
	case r.Raw != nil:
		return r.Raw, "", nil
	case r.Form != nil:
		return []byte(r.Form.Encode()), "application/x-www-form-urlencoded", nil
	case r.JSON != nil && isXMLPath(r.Path):
		b, err := c.encodeXML(r)
		return b, "application/xml", err
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		return b, "application/json", err
	}
	return nil, "", nil
}

// describeTransport says, in the user's terms, what went wrong before an
// answer's header arrived: the run stopped, the timeout, a huge header, TLS
// trust, a target nobody answers at, or a connection the target broke.
func describeTransport(ctx context.Context, err error, timeout time.Duration, maxHeader int64, conn net.Conn, sent bool) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("the run was stopped (%v) before the target answered: %w", context.Cause(ctx), err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the run was interrupted: %w", err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("the target did not answer within the suite's timeout of %s (CONFORMANCE_TIMEOUT): %w", timeout, err)
	case strings.Contains(err.Error(), "server response headers exceeded") || strings.Contains(err.Error(), "header list larger than"):
		which := "a huge header"
		if name := hugeHeader(conn); name != "" {
			which = "a huge header: " + name
		}
		return fmt.Errorf("the target sent a response header section over the suite's cap of %s (%s); the answer was not read: %w", size(maxHeader), which, err)
	}
	var certErr *tls.CertificateVerificationError
	if errors.As(err, &certErr) {
		return fmt.Errorf("the target's TLS certificate is not trusted (set CONFORMANCE_CA_BUNDLE to a PEM file of its CA, or CONFORMANCE_INSECURE=true to skip verification): %w", err)
	}
	var recordErr tls.RecordHeaderError
	if errors.As(err, &recordErr) {
		return fmt.Errorf("the target does not speak TLS (is CONFORMANCE_TARGET https:// where it should be http://?): %w", err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("the target's host name %q does not resolve (check CONFORMANCE_TARGET): %w", dnsErr.Name, err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return fmt.Errorf("nothing answers at the target's address (check CONFORMANCE_TARGET, and that the target is up): %w", err)
	}
	if !sent {
		return fmt.Errorf("the target broke the connection before the request was sent whole (the target cannot have acted on it): %w", err)
	}
	return fmt.Errorf("the target broke the connection after the request was sent, before answering (the target may have acted on it): %w", err)
}

// isLost tells whether a transport failure is a connection that broke (or
// could not be made) before the whole answer came: the flaky network's
// failure, which a retry may get past. The run stopping, a timeout (a
// target that hangs hangs again), an oversized header and TLS trust are not.
func isLost(ctx context.Context, err error) bool {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	var certErr *tls.CertificateVerificationError
	var recordErr tls.RecordHeaderError
	var dnsErr *net.DNSError
	switch {
	case ctx.Err() != nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), isTimeout(err),
		strings.Contains(err.Error(), "server response headers exceeded"), strings.Contains(err.Error(), "header list larger than"),
		errors.As(err, &certErr), errors.As(err, &recordErr), errors.As(err, &dnsErr):
		return false
	}
	return true
}

// describeBodyError says what went wrong after the header arrived, while
// the body was read.
func describeBodyError(ctx context.Context, err error, got int, length string, timeout time.Duration) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("the run was stopped (%v) while the body was read, after %d bytes (%s): %w", context.Cause(ctx), got, length, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the run was interrupted while the body was read: %w", err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("the target did not finish its answer within the suite's timeout of %s (CONFORMANCE_TIMEOUT); %d bytes of body arrived (%s): %w", timeout, got, length, err)
	case errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.Is(err, io.ErrUnexpectedEOF) && strings.Contains(length, "gzip"):
		return fmt.Errorf("the target's body does not decompress, after %d bytes (%s): %w", got, length, err)
	}
	var corrupt flate.CorruptInputError
	if errors.As(err, &corrupt) {
		return fmt.Errorf("the target's body does not decompress, after %d bytes (%s): %w", got, length, err)
	}
	return fmt.Errorf("the target broke the connection mid-body, after %d bytes (%s): %w", got, length, err)
}

// declared says how long the target said the body is.
func declared(resp *http.Response) string {
	switch {
	case resp.Uncompressed:
		return "gzip-compressed, decompressed by the suite"
	case resp.ContentLength < 0:
		return "no Content-Length"
	}
	return fmt.Sprintf("Content-Length %d", resp.ContentLength)
}

// size is a byte count as a person reads it.
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
