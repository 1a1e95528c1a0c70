package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/callcases/conformance/contract"
)

// Exchange is one request and what the target answered.
type Exchange struct {
	Request     Request
	HTTPRequest *http.Request // nil when the request could not be built
	RequestBody []byte
	Started     time.Time
	Duration    time.Duration

	Status int
	Proto  string
	Header http.Header
	Body   []byte

	// Err is a failure of the exchange itself (unreachable, timeout,
	// oversized body): an error of the run, not a verdict on the API.
	Err error
	// Violations are the contract rules the exchange broke.
	Violations contract.Violations
	// Asserted is set by the matchers: the exchange's violations have been reported.
	Asserted bool
	// Operation is the contract's operationId the request routes to ("" off
	// the contract's map, or without a contract): the coverage matrix counts by it.
	Operation string

	// Attempt is which sending of the request this is (1: the first); a
	// request whose answer never came may be sent again (Client.Do).
	Attempt int
	// Retried: the answer never came and the request was sent again; the
	// later attempt's answer stands for this one.
	Retried bool
	// Lost: the connection broke (or could not be made) before the whole
	// answer came; Err says how. Not a timeout.
	Lost bool
	// Sent: the request was written whole, so the target may have acted on it.
	Sent bool
	// Resent counts the times Go's transport resent the request on a fresh
	// connection by itself, unseen but for this (a pooled connection the
	// target had closed).
	Resent int

	contract *contract.Contract // reads XML bodies
}

// StatusBody is the body of every non-read response with a body.
type StatusBody struct {
	Code    *int     `json:"code"`
	Text    *string  `json:"text"`
	Message *string  `json:"message"`
	Detail  string   `json:"detail,omitempty"`
	UUIDs   []string `json:"uuids,omitempty"`
	Result  []Item   `json:"result,omitempty"`
}

// Item is one result of a batch.
type Item struct {
	ID      *string  `json:"id"`
	UUID    *string  `json:"uuid"`
	Code    int      `json:"code"`
	Text    string   `json:"text"`
	Message string   `json:"message"`
	UUIDs   []string `json:"uuids,omitempty"`
}

// StatusBody decodes the body as a status body, JSON or XML by its Content-Type.
func (x *Exchange) StatusBody() (StatusBody, error) {
	var sb StatusBody
	body := x.Body
	if x.isXML() {
		var err error
		if body, err = x.xmlAsJSON(true); err != nil {
			return sb, fmt.Errorf("the body is not an XML status body: %w", err)
		}
	}
	if err := contract.UnmarshalJSON(body, &sb); err != nil {
		return sb, fmt.Errorf("the body is not a JSON status body: %w", err)
	}
	return sb, nil
}

// Decode decodes the body into v: JSON as it is, XML by the contract's
// schema for the answer into the same value JSON would give.
func (x *Exchange) Decode(v any) error {
	body := x.Body
	if x.isXML() {
		var err error
		if body, err = x.xmlAsJSON(false); err != nil {
			return fmt.Errorf("the body is not the XML expected: %w", err)
		}
	}
	if err := contract.UnmarshalJSON(body, v); err != nil {
		return fmt.Errorf("the body is not the JSON expected: %w", err)
	}
	return nil
}

// Value is the body's value as JSON gives it, numbers as json.Number (so
// that 1.0 and 1 compare as values): JSON as it is, XML by the contract's
// schema for the answer, or the status body's.
func (x *Exchange) Value() (any, error) {
	body := x.Body
	if x.isXML() {
		var err error
		if body, err = x.xmlAsJSON(true); err != nil {
			return nil, fmt.Errorf("the body is not the XML expected: %w", err)
		}
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("the body is not the JSON expected: %w", err)
	}
	if d.More() {
		return nil, errors.New("the body holds more than one JSON value")
	}
	return v, nil
}

// ReadBy sets the contract by which an exchange built outside Client.Do (a
// test's, a replayed one) reads its XML bodies; Do sets its client's.
func (x *Exchange) ReadBy(c *contract.Contract) { x.contract = c }

func (x *Exchange) isXML() bool { return contract.IsXMLMediaType(x.Header.Get("Content-Type")) }

// Location resolves the Location header against the request URL: a target
// may send it absolute or relative.
func (x *Exchange) Location() (string, error) {
	loc := x.Header.Get("Location")
	if loc == "" {
		return "", fmt.Errorf("no Location header")
	}
	if x.HTTPRequest == nil {
		return loc, nil
	}
	u, err := x.HTTPRequest.URL.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("Location %q is not a URL: %w", loc, err)
	}
	return u.String(), nil
}

// What a failure message keeps of an exchange, whatever the target sent, so
// that reports stay small: the first ShownBody bytes of each body, the first
// ShownHeaderValue bytes of each header value, the first ShownHeaders header
// lines of each side, the first ShownLine bytes of each error or violation.
// Whatever is cut is said, with its size.
const (
	ShownBody        = 4 << 10
	ShownHeaderValue = 256
	ShownHeaders     = 32
	ShownLine        = 1 << 10
)

// Format prints the whole exchange for a failure message, with credentials
// and the given secrets replaced.
func (x *Exchange) Format(secrets ...string) string {
	var b strings.Builder
	if x.Request.Purpose != "" {
		fmt.Fprintf(&b, "# %s\n", x.Request.Purpose)
	}
	if x.HTTPRequest != nil {
		fmt.Fprintf(&b, "> %s %s\n", x.HTTPRequest.Method, x.HTTPRequest.URL.String())
		writeHeaders(&b, "> ", x.HTTPRequest.Header)
		writeBody(&b, "> ", x.RequestBody)
	} else {
		fmt.Fprintf(&b, "> %s %s (not sent)\n", x.Request.Method, x.Request.Path)
	}
	if x.Status != 0 {
		fmt.Fprintf(&b, "< %s %d (after %s)\n", x.Proto, x.Status, x.Duration.Round(time.Millisecond))
		writeHeaders(&b, "< ", x.Header)
		writeBody(&b, "< ", x.Body)
	}
	if x.Err != nil {
		fmt.Fprintf(&b, "! %s\n", Clip(x.Err.Error(), ShownLine))
	}
	if x.Attempt > 1 {
		fmt.Fprintf(&b, "! (attempt %d of this request: the earlier ones got no answer)\n", x.Attempt)
	}
	for _, v := range x.Violations {
		fmt.Fprintf(&b, "! %s\n", Clip(v.String(), ShownLine))
	}
	return Redact(b.String(), secrets...)
}

func writeHeaders(b *strings.Builder, prefix string, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	shown, total := 0, 0
	for _, k := range keys {
		for _, v := range h[k] {
			total++
			if shown == ShownHeaders {
				continue
			}
			shown++
			if strings.EqualFold(k, "Authorization") {
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " " + Redacted
			}
			fmt.Fprintf(b, "%s%s: %s\n", prefix, Clip(k, ShownHeaderValue), Clip(v, ShownHeaderValue))
		}
	}
	if total > shown {
		fmt.Fprintf(b, "%s… (%d more header lines)\n", prefix, total-shown)
	}
}

// Clip cuts s to at most max bytes (on a character boundary) and says how
// much it cut.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}

func writeBody(b *strings.Builder, prefix string, body []byte) {
	if len(body) == 0 {
		return
	}
	shown := body
	if len(shown) > ShownBody {
		cut := ShownBody
		for cut > ShownBody-utf8.UTFMax && !utf8.RuneStart(shown[cut]) {
			cut-- // keep a UTF-8 body printable as text
		}
		shown = shown[:cut]
	}
	text := string(shown)
	if !utf8.ValidString(text) {
		text = fmt.Sprintf("%q", shown)
	}
	fmt.Fprintf(b, "%s\n", prefix)
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintf(b, "%s%s\n", prefix, line)
	}
	if len(body) > len(shown) {
		fmt.Fprintf(b, "%s… (%d more bytes)\n", prefix, len(body)-len(shown))
	}
}

// Log keeps the exchanges of the spec under way, so that one the spec did not
// assert on can still fail it when it broke the contract.
type Log struct {
	mu        sync.Mutex
	exchanges []*Exchange
}

// Add records an exchange; use it as Options.Record.
func (l *Log) Add(x *Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.exchanges = append(l.exchanges, x)
}

// Withdraw removes these exchanges from the log: they are answered for
// elsewhere (Add them again where they are).
func (l *Log) Withdraw(xs ...*Exchange) {
	gone := make(map[*Exchange]bool, len(xs))
	for _, x := range xs {
		gone[x] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.exchanges = slices.DeleteFunc(l.exchanges, func(x *Exchange) bool { return gone[x] })
}

// Peek returns the recorded exchanges, keeping them.
func (l *Log) Peek() []*Exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.exchanges)
}

// Take returns the recorded exchanges and starts afresh.
func (l *Log) Take() []*Exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.exchanges
	l.exchanges = nil
	return out
}
