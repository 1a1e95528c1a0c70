package reference

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callcases/conformance/contract"
)

// Every exchange a test makes goes through harness.do, which validates the
// response against openapi.yaml and the code table, and the request too when
// the server accepted it (a success must come from a conforming request,
// unless the test says it sends an off-contract one on purpose). XML
// exchanges are held to the same schemas, through contract/'s XML decoder.

// contractHost stands in for every test server's address: the contract is
// loaded once, and each request is validated as if sent to it.
const contractHost = "reference.test"

var loadContract = sync.OnceValues(func() (*contract.Contract, error) {
	return contract.Load("http://" + contractHost + apiBase)
})

func mustContract(t testing.TB) *contract.Contract {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatalf("loading the contract: %v", err)
	}
	return c
}

// api names an endpoint of the JSON API, xmlAPI of the XML one.
func api(path string) string    { return apiBase + "/json" + path }
func xmlAPI(path string) string { return apiBase + "/xml" + path }

// in names an endpoint of the API in the given format.
func in(c *codec, path string) string { return apiBase + "/" + c.name + path }

type harness struct {
	t  *testing.T
	s  *Server
	ts *httptest.Server
	fx Fixtures
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	s := New(opts)
	s.onPanic = func(v any) { t.Errorf("a request reached the panic recovery: %v", v) }
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return &harness{t: t, s: s, ts: ts, fx: s.Fixtures()}
}

// on returns the harness reporting to t, for subtests.
func (h *harness) on(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

// start is the usual harness: default users, a short fault timer.
func start(t *testing.T) *harness {
	return newHarness(t, Options{FaultTimer: 20 * time.Millisecond})
}

type request struct {
	method, target string
	body           []byte
	header         http.Header
	user, pass     string
	auth           bool
	offContract    bool // the request breaks the contract on purpose
}

type option func(*request)

func withJSON(v any) option {
	return func(r *request) {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		r.body = b
		r.header.Set("Content-Type", "application/json")
	}
}

// withXML sends an XML body, written out by the test as a client would.
func withXML(body string) option { return withRaw("application/xml", body) }

func withRaw(contentType, body string) option {
	return func(r *request) {
		r.body = []byte(body)
		if contentType != "" {
			r.header.Set("Content-Type", contentType)
		}
	}
}

func withForm(v url.Values) option {
	return withRaw("application/x-www-form-urlencoded", v.Encode())
}

func withHeader(name, value string) option { return func(r *request) { r.header.Set(name, value) } }

func as(user, pass string) option { return func(r *request) { r.user, r.pass = user, pass } }

func readOnly() option { return as("auditor", "auditor-secret") }

func anonymous() option { return func(r *request) { r.auth = false } }

// offContract marks a request the server accepts although the contract
// does not describe it (e.g. a null member read as absent).
func offContract() option { return func(r *request) { r.offContract = true } }

type exchange struct {
	t      *testing.T
	req    string // "METHOD target", for messages
	codec  *codec // the format of the path
	status int
	header http.Header
	body   []byte
}

func (h *harness) do(method, target string, opts ...option) *exchange {
	h.t.Helper()
	r := &request{method: method, target: target, header: http.Header{}, user: "operator-admin", pass: "admin-secret", auth: true}
	for _, o := range opts {
		o(r)
	}
	req, err := http.NewRequest(method, h.ts.URL+target, bytes.NewReader(r.body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header = r.header
	if r.auth {
		req.SetBasicAuth(r.user, r.pass)
	}
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s %s: reading the body: %v", method, target, err)
	}
	e := &exchange{t: h.t, req: method + " " + target, codec: codecFor(req.URL.Path), status: resp.StatusCode, header: resp.Header, body: body}
	validate(h.t, req, r.body, e, !r.offContract)
	return e
}

// validate holds an exchange to the contract. The fault hook is no part of
// the API's contract, so its own answers are checked here; its errors are
// status bodies like any other.
func validate(t testing.TB, req *http.Request, reqBody []byte, e *exchange, checkRequest bool) {
	t.Helper()
	if _, ok := table.Lookup(e.status); !ok {
		t.Errorf("%s answered %d, a code not in the table", e.req, e.status)
		return
	}
	if req.Method == http.MethodHead {
		return // the contract documents no HEAD; the code check above is all
	}
	if req.URL.Path == faultsBase+"/lease" {
		validateLease(t, req, e)
		return
	}
	if strings.HasPrefix(req.URL.Path, faultsBase) && e.status == http.StatusOK {
		var v faultsView
		if err := json.Unmarshal(e.body, &v); err != nil || v.Dialer == "" || v.Integration == "" {
			t.Errorf("%s: the fault hook answered %q", e.req, e.body)
		}
		return
	}
	c := mustContract(t)
	clone := req.Clone(req.Context())
	clone.URL.Scheme, clone.URL.Host, clone.Host = "http", contractHost, contractHost
	var err error
	if checkRequest && e.status < 300 {
		err = c.ValidateExchange(clone, reqBody, e.status, e.header, e.body)
	} else {
		err = c.ValidateResponse(clone, reqBody, e.status, e.header, e.body)
	}
	if err != nil {
		t.Errorf("%s → %d %s\n%v", e.req, e.status, e.body, err)
	}
}

// is asserts the HTTP status; a status body must name the same code (the
// contract has already held its text and message to the table).
func (e *exchange) is(code int) *exchange {
	e.t.Helper()
	if e.status != code {
		e.t.Fatalf("%s → %d %s, want %d", e.req, e.status, e.body, code)
	}
	if code == http.StatusNoContent {
		if len(e.body) != 0 || e.header.Get("Content-Type") != "" {
			e.t.Errorf("%s → 204 with Content-Type %q and body %q", e.req, e.header.Get("Content-Type"), e.body)
		}
	}
	return e
}

// status decodes a status body and checks it against the table.
func (e *exchange) statusBody() statusBody {
	e.t.Helper()
	var sb statusBody
	e.decode(&sb)
	row := table.MustLookup(e.status)
	if sb.Code != e.status || sb.Text != row.Text || sb.Message != row.Message {
		e.t.Errorf("%s → %d: status body %+v, want code %d text %q message %q", e.req, e.status, sb, row.Code, row.Text, row.Message)
	}
	return sb
}

// decode reads a body in the format of the path into v, one of the
// server's views. XML is read through the views' own tags, which proves
// the values but not the element names: xml_test.go compares whole
// documents for that.
func (e *exchange) decode(v any) {
	e.t.Helper()
	if ct := e.header.Get("Content-Type"); ct != e.codec.contentType {
		e.t.Errorf("%s: Content-Type %q, want %q", e.req, ct, e.codec.contentType)
	}
	if e.codec == xmlCodec {
		if err := xml.Unmarshal(e.body, v); err != nil {
			e.t.Fatalf("%s → %d: decoding %s: %v", e.req, e.status, e.body, err)
		}
		return
	}
	dec := json.NewDecoder(bytes.NewReader(e.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		e.t.Fatalf("%s → %d: decoding %s: %v", e.req, e.status, e.body, err)
	}
}

// Wire shapes as a client reads them (the server's views, plus the state
// strings the tests compare).

func (e *exchange) callCase() caseView {
	e.t.Helper()
	var v caseView
	e.decode(&v)
	return v
}

func (e *exchange) list() listView {
	e.t.Helper()
	var v listView
	e.decode(&v)
	return v
}

func (e *exchange) batch() []batchItem {
	e.t.Helper()
	sb := e.statusBody()
	if len(sb.Result) == 0 {
		e.t.Fatalf("%s: batch answer without result: %s", e.req, e.body)
	}
	return sb.Result
}

// Shortcuts for the common steps of a test.

// create makes a case in the main project and returns its uuid.
func (h *harness) create(fields map[string]any) string {
	h.t.Helper()
	return h.createIn(h.fx.Project, fields)
}

func (h *harness) createIn(project string, fields map[string]any) string {
	h.t.Helper()
	return h.do("POST", api("/callcases/?project="+url.QueryEscape(project)), withJSON(fields)).is(201).created(h)
}

// created is the uuid of the case a 201 names in its Location, which must
// be absolute and under the path of the format the case was created in.
func (e *exchange) created(h *harness) string {
	e.t.Helper()
	loc := e.header.Get("Location")
	uuid, ok := strings.CutPrefix(loc, h.ts.URL+in(e.codec, "/callcases/"))
	if !ok || !uuidShape.MatchString(uuid) {
		e.t.Fatalf("%s: Location %q is not the absolute URL of a case under %s", e.req, loc, h.ts.URL+in(e.codec, "/callcases/"))
	}
	return uuid
}

func (h *harness) getCase(uuid string) caseView {
	h.t.Helper()
	return h.do("GET", api("/callcases/"+uuid)).is(200).callCase()
}

func (h *harness) project(uuid string) projectView {
	h.t.Helper()
	var v projectView
	h.do("GET", api("/projects/"+uuid)).is(200).decode(&v)
	return v
}

// caseCount is how many cases the main project holds.
func (h *harness) caseCount() int {
	h.t.Helper()
	e := h.do("GET", api("/callcases/?project="+h.fx.Project))
	if e.status == http.StatusNoContent {
		return 0
	}
	return e.is(200).list().Count
}

func (h *harness) setFault(component, fault string) {
	h.t.Helper()
	h.do("PUT", faultsBase+"/"+component, withJSON(map[string]string{"fault": fault})).is(200)
}

func ptr[T any](v T) *T { return &v }

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *s)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
