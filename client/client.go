// Package client is the suite's one way to talk to a target: every request
// goes through Do, which bounds time and memory, validates the request and
// the response against the contract, and records the exchange so that a
// failure can show it whole (credentials redacted).
package client

import (
	"bytes"
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

// DefaultMaxBody caps what is read of one response body: a list page of 100
// cases is far below it, a target streaming gigabytes stays far from memory.
const DefaultMaxBody = 8 << 20

// Credentials are a user's Basic credentials.
type Credentials struct{ Username, Password string }

// Options configure a Client.
type Options struct {
	Base     string             // API base URL, e.g. http://host/fx/api/v1
	Contract *contract.Contract // validates every exchange
	User     Credentials        // the default user
	Timeout  time.Duration      // per exchange, body included
	MaxBody  int64              // 0 means DefaultMaxBody
	TLS      *tls.Config        // for https targets; nil means the system's roots
	Record   func(*Exchange)    // called with every finished exchange
}

// Client sends requests to one target as one user.
type Client struct {
	opts Options
	base *url.URL
	http *http.Client
	auth func(*http.Request)
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
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = opts.TLS
	transport.MaxIdleConnsPerHost = 16
	transport.ResponseHeaderTimeout = opts.Timeout
	c := &Client{
		opts: opts,
		base: base,
		http: &http.Client{
			Transport: transport,
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

// Base is the API base URL.
func (c *Client) Base() *url.URL { u := *c.base; return &u }

// Request is one request to the API, relative to the base URL.
type Request struct {
	Method string
	Path   string     // below the base, e.g. "/json/callcases/abc"; escape it yourself
	Query  url.Values // nil for none
	JSON   any        // marshalled as the body with Content-Type application/json
	Form   url.Values // encoded as application/x-www-form-urlencoded
	Raw    []byte     // sent as is (with ContentType), for malformed bodies
	// ContentType overrides the Content-Type header (for the wrong-content-type condition).
	ContentType string
	// OffContract marks a request that breaks the contract on purpose: its
	// request is not validated, its response still is.
	OffContract bool
	// Purpose says why the suite sends it ("create a case to read back"), shown on failure.
	Purpose string
}

// Do sends the request and records the exchange; it never panics and never
// waits longer than the timeout. Transport failures land in Exchange.Err.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	x := &Exchange{Request: r, Started: time.Now()}
	defer func() {
		x.Duration = time.Since(x.Started)
		if c.opts.Record != nil {
			c.opts.Record(x)
		}
	}()
	body, contentType, err := encode(r)
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
	req.Header.Set("Accept", "application/json, text/plain")
	c.auth(req)
	x.HTTPRequest = req
	x.RequestBody = body

	resp, err := c.http.Do(req)
	if err != nil {
		x.Err = describeTransport(err, c.opts.Timeout)
		return x
	}
	defer resp.Body.Close()
	x.Status = resp.StatusCode
	x.Header = resp.Header
	x.Proto = resp.Proto
	x.Body, err = io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		x.Err = describeBodyError(err, len(x.Body), resp.ContentLength, c.opts.Timeout)
		return x
	}
	if int64(len(x.Body)) > c.opts.MaxBody {
		x.Body = x.Body[:c.opts.MaxBody]
		x.Err = fmt.Errorf("the target sent a body over the suite's cap of %d bytes (%s); the rest was not read", c.opts.MaxBody, declared(resp.ContentLength))
		return x
	}
	defer observeExchange(time.Now(), c.opts.Contract != nil) // counters for make bench (stats.go)
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

func encode(r Request) ([]byte, string, error) {
	switch {
	case r.Raw != nil:
		return r.Raw, "", nil
	case r.Form != nil:
		return []byte(r.Form.Encode()), "application/x-www-form-urlencoded", nil
	case r.JSON != nil:
		b, err := json.Marshal(r.JSON)
		return b, "application/json", err
	}
	return nil, "", nil
}

// describeTransport says, in the user's terms, what went wrong before an
// answer's header arrived: the timeout, an interrupt, TLS trust, a target
// nobody answers at, or a connection the target broke.
func describeTransport(err error, timeout time.Duration) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the run was interrupted: %w", err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("the target did not answer within the suite's timeout of %s (CONFORMANCE_TIMEOUT): %w", timeout, err)
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
	return fmt.Errorf("the target broke the connection before answering: %w", err)
}

// describeBodyError says what went wrong after the header arrived, while
// the body was read.
func describeBodyError(err error, got int, length int64, timeout time.Duration) error {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("the run was interrupted while the body was read: %w", err)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("the target did not finish its answer within the suite's timeout of %s (CONFORMANCE_TIMEOUT); %d bytes of body arrived (%s): %w", timeout, got, declared(length), err)
	}
	return fmt.Errorf("the target broke the connection mid-body, after %d bytes (%s): %w", got, declared(length), err)
}

func declared(length int64) string {
	if length < 0 {
		return "no Content-Length"
	}
	return fmt.Sprintf("Content-Length %d", length)
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
