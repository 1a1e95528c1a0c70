// Package bundle is the certification bundle a run leaves in its reports
// folder: every exchange of the run as reports/exchanges.har (HAR 1.2, which
// browser devtools and HAR viewers open), beside result.json; and the offline
// check of a bundle someone else produced (Verify).
//
// Each parallel process appends its exchanges, one JSON line each, to a part
// file of its own as they happen; process 1 merges the parts into the HAR
// when every process is done. Nothing is kept in memory but the exchanges a
// process makes before it knows where to write (the preflight).
package bundle

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
)

// HARFile is the bundle's exchanges, in the reports folder.
const HARFile = "exchanges.har"

// What the HAR keeps of an exchange. Bodies up to BodyCap, far above any
// status body or list page of the API, so that verify can validate them
// again, and header values up to HeaderCap a message; but once a process
// has written its share of the budget (BudgetPerFormat for each format), or
// once one condition of one format has written ConditionShare, only the
// first SmallBodyCap and SmallHeaderCap: a target that floods every answer
// cannot make the bundle more than a few MiB, and a condition of many
// exchanges (exploration's hundreds) cannot spend the budget that the
// evidence of the conditions after it needs (verify reads a batch's item
// codes in its body). What was cut is marked (_truncated) and verify does
// not validate it again.
const (
	BodyCap         = 64 << 10
	HeaderCap       = 8 << 10
	BudgetPerFormat = 2 << 20 // all processes together, for each format the run covers
	ConditionShare  = 256 << 10
	SmallBodyCap    = 512
	SmallHeaderCap  = 1 << 10
)

type caps struct{ body, headers int }

var fullCaps = caps{BodyCap, HeaderCap}

// HAR is a HAR 1.2 file (http://www.softwareishard.com/blog/har-12-spec/).
// Fields starting with an underscore are custom fields, as the format allows.
type HAR = harOf[*Entry]

// Log is the HAR's root object.
type Log = logOf[*Entry]

// harOf and logOf hold the entries as E: Merge writes the part files' lines
// as they are (json.RawMessage), without decoding and encoding them again.
type harOf[E any] struct {
	Log logOf[E] `json:"log"`
}

type logOf[E any] struct {
	Version string  `json:"version"`
	Creator Creator `json:"creator"`
	Pages   []any   `json:"pages"`
	Entries []E     `json:"entries"`
	Comment string  `json:"comment,omitempty"`
	RunID   string  `json:"_runId,omitempty"`
	Target  string  `json:"_target,omitempty"`
}

// Creator names the program that wrote the HAR.
type Creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Entry is one exchange.
type Entry struct {
	StartedDateTime time.Time `json:"startedDateTime"`
	Time            float64   `json:"time"` // milliseconds
	Request         Request   `json:"request"`
	Response        Response  `json:"response"`
	Cache           struct{}  `json:"cache"`
	Timings         Timings   `json:"timings"`
	Comment         string    `json:"comment,omitempty"`

	// The condition and format whose spec made the exchange; "" outside any
	// spec, where Phase says what the run was doing (preflight, cleanup).
	Condition string `json:"_condition"`
	Format    string `json:"_format"`
	Phase     string `json:"_phase,omitempty"`
	Process   int    `json:"_process"`
	Operation string `json:"_operation,omitempty"` // the contract's operationId the request routes to
	Purpose   string `json:"_purpose,omitempty"`
	// OffContract: the request breaks the contract on purpose; only the
	// response is held to it.
	OffContract bool     `json:"_offContract,omitempty"`
	Error       string   `json:"_error,omitempty"`      // a failure of the exchange: no response
	Violations  []string `json:"_violations,omitempty"` // what the suite found broken
	// Attempt is which sending of its request this is, when not the first;
	// Retried: its answer never came and the request was sent again (the
	// next entry of the same request stands for it); Resent: Go's transport
	// resent it by itself on a fresh connection so many times.
	Attempt int  `json:"_attempt,omitempty"`
	Retried bool `json:"_retried,omitempty"`
	Resent  int  `json:"_resent,omitempty"`
	// SpecAttempt is which run of its spec made the exchange, when not the
	// first: an earlier run lost an answer that could not be retried.
	SpecAttempt int `json:"_specAttempt,omitempty"`
}

// Request is a HAR request.
type Request struct {
	Method      string    `json:"method"`
	URL         string    `json:"url"`
	HTTPVersion string    `json:"httpVersion"`
	Cookies     []any     `json:"cookies"`
	Headers     []NameVal `json:"headers"`
	QueryString []NameVal `json:"queryString"`
	PostData    *PostData `json:"postData,omitempty"`
	HeadersSize int       `json:"headersSize"`
	BodySize    int       `json:"bodySize"`
	Truncated   bool      `json:"_truncated,omitempty"`
}

// PostData is a request body.
type PostData struct {
	MimeType string    `json:"mimeType"`
	Params   []NameVal `json:"params"`
	Text     string    `json:"text"`
	Encoding string    `json:"_encoding,omitempty"` // "base64" when the body is not UTF-8
}

// Response is a HAR response; Status 0 when none arrived (see Entry.Error).
type Response struct {
	Status      int       `json:"status"`
	StatusText  string    `json:"statusText"`
	HTTPVersion string    `json:"httpVersion"`
	Cookies     []any     `json:"cookies"`
	Headers     []NameVal `json:"headers"`
	Content     Content   `json:"content"`
	RedirectURL string    `json:"redirectURL"`
	HeadersSize int       `json:"headersSize"`
	BodySize    int       `json:"bodySize"`
	Truncated   bool      `json:"_truncated,omitempty"` // a header was cut
}

// Content is a response body.
type Content struct {
	Size      int    `json:"size"`
	MimeType  string `json:"mimeType"`
	Text      string `json:"text,omitempty"`
	Encoding  string `json:"encoding,omitempty"` // "base64" when the body is not UTF-8
	Truncated bool   `json:"_truncated,omitempty"`
	// ItemCodes are a cut batch answer's item codes, read from the whole
	// body, so that verify still finds a condition's code in it.
	ItemCodes []int `json:"_itemCodes,omitempty"`
}

// NameVal is a header or a query parameter.
type NameVal struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Timings splits Entry.Time; the suite measures only the whole exchange.
type Timings struct {
	Send    float64 `json:"send"`
	Wait    float64 `json:"wait"`
	Receive float64 `json:"receive"`
}

// Tags say where an exchange belongs in the run.
type Tags struct {
	Condition, Format, Phase string
	Process                  int
	// SpecAttempt is which run of the spec this is (0 or 1: the first).
	SpecAttempt int
}

// NewEntry turns an exchange into a HAR entry: credentials and secrets
// redacted, bodies cut at BodyCap and header values at HeaderCap.
func NewEntry(x *client.Exchange, tags Tags, secrets []string) *Entry {
	return newEntry(x, tags, secrets, fullCaps)
}

func newEntry(x *client.Exchange, tags Tags, secrets []string, limit caps) *Entry {
	return redactEntry(newEntryUnredacted(x, tags, limit), secrets)
}

// newEntryUnredacted is newEntry before its redaction.
func newEntryUnredacted(x *client.Exchange, tags Tags, limit caps) *Entry {
	e := &Entry{
		StartedDateTime: x.Started.UTC(),
		Time:            ms(x.Duration),
		Condition:       tags.Condition,
		Format:          tags.Format,
		Phase:           tags.Phase,
		Process:         tags.Process,
		Operation:       x.Operation,
		Purpose:         x.Request.Purpose,
		OffContract:     x.Request.OffContract,
		Violations:      violationLines(x.Violations),
	}
	e.Timings.Wait = e.Time
	e.Comment = tags.Condition
	if tags.Format != "" {
		e.Comment += " (" + tags.Format + ")"
	}
	if tags.Phase != "" {
		e.Comment = strings.TrimSpace(e.Comment + " " + tags.Phase)
	}
	if tags.SpecAttempt > 1 {
		e.SpecAttempt = tags.SpecAttempt
		e.Comment += fmt.Sprintf(" [spec attempt %d]", tags.SpecAttempt)
	}
	if x.Request.Purpose != "" {
		e.Comment += ": " + x.Request.Purpose
	}
	if x.Attempt > 1 {
		e.Attempt = x.Attempt
		e.Comment += fmt.Sprintf(" [attempt %d]", x.Attempt)
	}
	if x.Retried {
		e.Retried = true
		e.Comment += " [no answer: sent again]"
	}
	e.Resent = x.Resent
	e.Request = Request{Method: x.Request.Method, URL: x.Request.Path, HTTPVersion: "HTTP/1.1",
		Cookies: []any{}, Headers: []NameVal{}, QueryString: []NameVal{}, HeadersSize: -1, BodySize: len(x.RequestBody)}
	if req := x.HTTPRequest; req != nil {
		e.Request.Method = req.Method
		e.Request.URL = req.URL.String()
		e.Request.Headers, e.Request.Truncated = headers(req.Header, limit.headers)
		for _, k := range slices.Sorted(mapsKeys(req.URL.Query())) {
			for _, v := range req.URL.Query()[k] {
				e.Request.QueryString = append(e.Request.QueryString, NameVal{k, v})
			}
		}
		if len(x.RequestBody) > 0 {
			text, enc, cut := bodyText(x.RequestBody, limit.body)
			e.Request.PostData = &PostData{MimeType: req.Header.Get("Content-Type"), Params: []NameVal{}, Text: text, Encoding: enc}
			e.Request.Truncated = e.Request.Truncated || cut
		}
	}
	e.Response = Response{Status: x.Status, StatusText: http.StatusText(x.Status), HTTPVersion: x.Proto,
		Cookies: []any{}, RedirectURL: cut(x.Header.Get("Location"), limit.headers), HeadersSize: -1, BodySize: len(x.Body)}
	e.Response.Headers, e.Response.Truncated = headers(x.Header, limit.headers)
	if e.Response.HTTPVersion == "" {
		e.Response.HTTPVersion = "HTTP/1.1"
	}
	e.Response.Content = Content{Size: len(x.Body), MimeType: x.Header.Get("Content-Type")}
	if e.Response.Content.MimeType == "" {
		e.Response.Content.MimeType = "x-unknown"
	}
	if len(x.Body) > 0 {
		e.Response.Content.Text, e.Response.Content.Encoding, e.Response.Content.Truncated = bodyText(x.Body, limit.body)
		if e.Response.Content.Truncated {
			e.Response.Content.ItemCodes = itemCodes(x.Body)
		}
	}
	if x.Err != nil {
		e.Error = x.Err.Error()
	}
	return e
}

func violationLines(v contract.Violations) []string {
	var out []string
	for _, x := range v {
		out = append(out, x.String())
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// headers lists a header in name order, Authorization reduced to its
// scheme, values kept up to max bytes in all; it says whether it cut any.
func headers(h http.Header, max int) ([]NameVal, bool) {
	out := []NameVal{}
	left, cutAny := max, false
	for _, k := range slices.Sorted(mapsKeys(h)) {
		for _, v := range h[k] {
			if strings.EqualFold(k, "Authorization") {
				scheme, _, _ := strings.Cut(v, " ")
				v = scheme + " " + client.Redacted
			}
			if left <= 0 {
				cutAny = true
				continue
			}
			if len(v) > left {
				v, cutAny = cut(v, left), true
			}
			left -= len(k) + len(v)
			out = append(out, NameVal{k, v})
		}
	}
	return out, cutAny
}

// Cut says whether the entry was cut to the caps (a header or a body of
// either side): verify cannot validate such an exchange again.
func (e *Entry) Cut() bool {
	return e.Request.Truncated || e.Response.Truncated || e.Response.Content.Truncated
}

// cut keeps the first n bytes of s, whole UTF-8 characters only.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// bodyText is a body as HAR text: as is when it is UTF-8, else base64; cut
// at max bytes.
func bodyText(b []byte, max int) (text, encoding string, cut bool) {
	if len(b) > max {
		b, cut = b[:max], true
	}
	if utf8.Valid(b) {
		return string(b), "", cut
	}
	if cut && utf8.Valid(b[:len(b)-min(len(b), 3)]) {
		for !utf8.Valid(b) { // a character cut in two
			b = b[:len(b)-1]
		}
		return string(b), "", cut
	}
	return base64.StdEncoding.EncodeToString(b), "base64", cut
}

// redactEntry scrubs every secret from the entry by way of its JSON form:
// no field can hold one unnoticed.
func redactEntry(e *Entry, secrets []string) *Entry {
	if len(secrets) == 0 {
		return e
	}
	b, err := json.Marshal(e)
	if err != nil {
		return e
	}
	clean := redact(string(b), secrets)
	if clean == string(b) {
		return e
	}
	var out Entry
	if err := json.Unmarshal([]byte(clean), &out); err != nil {
		return e
	}
	return &out
}

// entryLine is the entry's line in a part file: its JSON (as the HAR writes
// it, without HTML escapes), redacted as redactEntry does, and a newline.
func entryLine(e *Entry, secrets []string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil { // with its newline
		return nil, err
	}
	line := b.Bytes()
	if len(secrets) == 0 {
		return line, nil
	}
	clean := redact(string(line), secrets)
	if clean == string(line) || !json.Valid([]byte(clean)) {
		return line, nil // nothing to redact; or, like redactEntry, what would not read back
	}
	return []byte(clean), nil
}

func redact(s string, secrets []string) string {
	return client.Redact(s, secrets...) // every encoding a body or a URL may hold a secret in
}

// Recorder writes one process's exchanges to its part file. Until Begin
// names the file, it keeps them (the preflight's few) in memory.
type Recorder struct {
	mu      sync.Mutex
	process int
	budget  int // bytes this process writes before it keeps only the small caps
	used    int
	byTags  map[Tags]int // bytes written for each condition and format (Process and SpecAttempt zero)
	secrets func() []string
	pending []*Entry
	file    *os.File
	err     error
}

// NewRecorder records for parallel process number process of processes, in
// a run of formats formats; secrets is read at each exchange, since they are
// known only once the configuration is.
func NewRecorder(process, processes, formats int, secrets func() []string) *Recorder {
	return &Recorder{process: process, budget: BudgetPerFormat * max(formats, 1) / max(processes, 1), byTags: map[Tags]int{}, secrets: secrets}
}

// partName is the part file of one process of one run.
func partName(dir, runID string, process int) string {
	return filepath.Join(dir, fmt.Sprintf(".exchanges-%s-%d.jsonl", runID, process))
}

// Begin opens the part file in the reports folder and writes what was kept.
func (r *Recorder) Begin(dir, runID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(partName(dir, runID, r.process), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	r.file = f
	for _, e := range r.pending {
		r.write(redactEntry(e, r.secrets())) // the secrets may be known only now
	}
	r.pending = nil
	return r.err
}

// Record adds an exchange.
func (r *Recorder) Record(x *client.Exchange, tags Tags) {
	tags.Process = r.process
	share := Tags{Condition: tags.Condition, Format: tags.Format}
	r.mu.Lock()
	limit := fullCaps
	if r.used >= r.budget || tags.Condition != "" && r.byTags[share] >= ConditionShare {
		limit = caps{SmallBodyCap, SmallHeaderCap}
	}
	pending := r.file == nil
	r.mu.Unlock()
	secrets := r.secrets()
	if pending { // the preflight's few, before Begin
		e := newEntry(x, tags, secrets, limit)
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.file == nil {
			r.pending = append(r.pending, e)
		} else {
			r.write(e)
		}
		return
	}
	// Encoded and redacted once, outside the lock: concurrent exchanges of a
	// spec wait only for each other's write.
	e := newEntryUnredacted(x, tags, limit)
	line, err := entryLine(e, secrets)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.file == nil { // closed meanwhile: kept, like the preflight's, for Pending
		r.pending = append(r.pending, redactEntry(e, secrets))
		return
	}
	r.writeLine(line, err)
	if err == nil && tags.Condition != "" {
		r.byTags[share] += len(line)
	}
}

func (r *Recorder) write(e *Entry) {
	r.writeLine(entryLine(e, r.secrets()))
}

func (r *Recorder) writeLine(line []byte, err error) {
	if err == nil {
		_, err = r.file.Write(line) // one write per line: a reader never sees half an entry
		r.used += len(line)
	}
	if err != nil && r.err == nil {
		r.err = err
	}
}

// Close closes the part file; the error is the first the recorder met.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.file != nil {
		if err := r.file.Close(); err != nil && r.err == nil {
			r.err = err
		}
		r.file = nil
	}
	return r.err
}

// Pending returns, and forgets, what was recorded before Begin: for a run
// that stopped before it had a run id.
func (r *Recorder) Pending() []*Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*Entry
	for _, e := range r.pending {
		out = append(out, redactEntry(e, r.secrets()))
	}
	r.pending = nil
	return out
}

// Merge gathers every process's part of the run into dir/exchanges.har,
// entries in the order they started, and removes the parts. extra are
// entries recorded before the run had an id.
func Merge(dir, runID, target string, creator Creator, extra []*Entry) error {
	parts, err := filepath.Glob(filepath.Join(dir, ".exchanges-"+runID+"-*.jsonl"))
	if err != nil {
		return err
	}
	if runID == "" {
		parts = nil
	}
	var entries []partLine
	for _, e := range extra {
		line, err := entryLine(e, nil) // redacted already (Pending)
		if err != nil {
			return err
		}
		entries = append(entries, partLine{line: line, started: e.StartedDateTime, process: e.Process})
	}
	var errs []error
	for _, p := range parts {
		got, err := readLines(p)
		entries = append(entries, got...)
		errs = append(errs, err)
	}
	slices.SortStableFunc(entries, func(a, b partLine) int {
		return cmp.Or(a.started.Compare(b.started), cmp.Compare(a.process, b.process))
	})
	h := HAR{Log: Log{Version: "1.2", Creator: creator, Pages: []any{}, Entries: []*Entry{}, RunID: runID, Target: target,
		Comment: "Every exchange of conformance run " + runID + "; _condition and _format name the spec that made it."}}
	out, err := encodeHAR(h, entries)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, HARFile), out, 0o644); err != nil {
		return err
	}
	for _, p := range parts {
		errs = append(errs, os.Remove(p))
	}
	return errors.Join(errs...)
}

// encodeHAR writes h as writeJSON does, with the entries' lines (h has
// none) indented in place: the same bytes as encoding the entries again,
// without decoding them.
func encodeHAR(h HAR, entries []partLine) ([]byte, error) {
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	// No string holds this: its quotes would be escaped.
	const empty = `"entries": []`
	at := bytes.Index(head.Bytes(), []byte(empty))
	if at < 0 {
		return nil, errors.New("bundle: no entries in the HAR's log")
	}
	at += len(empty) - 1 // before the ]
	size := head.Len()
	for _, e := range entries {
		size += len(e.line) * 5 / 4
	}
	out := bytes.NewBuffer(make([]byte, 0, size))
	out.Write(head.Bytes()[:at])
	const element = "   " // an entry is at depth 3: {"log": {"entries": [...]}}
	for i, e := range entries {
		if i > 0 {
			out.WriteByte(',')
		}
		out.WriteString("\n" + element)
		if err := json.Indent(out, bytes.TrimRight(e.line, "\n"), element, " "); err != nil {
			return nil, fmt.Errorf("entry %d of the parts: %w", i+1, err)
		}
	}
	if len(entries) > 0 {
		out.WriteString("\n  ")
	}
	out.Write(head.Bytes()[at:])
	return out.Bytes(), nil
}

// partLine is an entry as its part file holds it, with what orders it.
type partLine struct {
	line    json.RawMessage
	started time.Time
	process int
}

// readLines reads a part file's entries, each as its line.
func readLines(path string) ([]partLine, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []partLine
	for len(b) > 0 {
		line, rest, complete := bytes.Cut(b, []byte("\n"))
		b = rest
		if !complete {
			return out, nil // a last line without its newline was cut by a killed process: dropped
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		started, process, ok := lineKey(line)
		if !ok {
			var key struct {
				Started time.Time `json:"startedDateTime"`
				Process int       `json:"_process"`
			}
			if err := json.Unmarshal(line, &key); err != nil {
				return out, fmt.Errorf("%s: %w", filepath.Base(path), err)
			}
			started, process = key.Started, key.Process
		}
		out = append(out, partLine{line: line, started: started, process: process})
	}
	return out, nil
}

// lineKey reads what orders an entry from its line without decoding it, as
// entryLine writes it: startedDateTime first, and the one "_process" key (no
// string holds the key with its quotes, which would be escaped). A line it
// cannot read that way is decoded (readLines); one that is no JSON at all
// fails when it is written into the HAR.
func lineKey(line []byte) (time.Time, int, bool) {
	const first = `{"startedDateTime":"`
	rest, ok := bytes.CutPrefix(line, []byte(first))
	if !ok {
		return time.Time{}, 0, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return time.Time{}, 0, false
	}
	started, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	if err != nil {
		return time.Time{}, 0, false
	}
	const key = `"_process":`
	at := bytes.Index(rest, []byte(key))
	if at < 0 {
		return time.Time{}, 0, false
	}
	digits := rest[at+len(key):]
	n := 0
	for n < len(digits) && digits[n] >= '0' && digits[n] <= '9' {
		n++
	}
	process, err := strconv.Atoi(string(digits[:n]))
	if err != nil || n == len(digits) || (digits[n] != ',' && digits[n] != '}') {
		return time.Time{}, 0, false
	}
	return started, process, true
}

func writeJSON(path string, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// ReadHAR reads a HAR file.
func ReadHAR(path string) (HAR, error) {
	var h HAR
	b, err := os.ReadFile(path)
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("%s is not a HAR file: %w", filepath.Base(path), err)
	}
	return h, nil
}

// body returns a HAR body's bytes.
func body(text, encoding string) ([]byte, error) {
	if encoding == "base64" {
		return base64.StdEncoding.DecodeString(text)
	}
	return []byte(text), nil
}
