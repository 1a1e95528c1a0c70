package mutants

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/reference"
)

// apiPrefix is where the reference serves the API; the format follows it.
const apiPrefix = "/fx/api/v1/"

// target is the conforming server a mutant wraps, with what a mutant needs
// to deviate realistically: the users and the fixtures.
type target struct {
	next     http.Handler
	fixtures reference.Fixtures
	admin    [2]string // username, password
	readOnly [2]string
}

// call is one incoming request, its body read, its API route recognised.
type call struct {
	*http.Request
	body   []byte
	route  string            // e.g. "GET /callcases/{uuid}"; "" off the API
	format string            // the API path's {format} segment; "" off the API
	params map[string]string // the route's named segments, unescaped
	user   string            // the Basic username, "" without credentials
	authOK bool              // the Authorization header is well-formed Basic
}

var routes = func() []struct {
	name string
	re   *regexp.Regexp
} {
	patterns := []string{
		"/projects/{project}",
		"/callcases/",
		"/callcases/{uuid}",
		"/callcases/{uuid}/get-state",
		"/callcases/{uuid}/set-state",
		"/projects/{project}/callcases/",
		"/projects/{project}/callcases/{id}",
		"/projects/{project}/callcases-batch/",
		"/projects/{project}/calllist/",
		"/projects/{project}/operators/",
		"/projects/{project}/operators/{operator}",
	}
	var out []struct {
		name string
		re   *regexp.Regexp
	}
	for _, p := range patterns {
		re := regexp.MustCompile(`^` + regexp.MustCompile(`\\\{(\w+)\\\}`).ReplaceAllString(regexp.QuoteMeta(p), `(?P<$1>[^/]+)`) + `$`)
		out = append(out, struct {
			name string
			re   *regexp.Regexp
		}{p, re})
	}
	return out
}()

func newCall(r *http.Request) *call {
	const most = 32 << 20
	var buf bytes.Buffer
	if r.ContentLength > 0 { // one buffer of the declared size, not a run of ever larger copies
		buf.Grow(int(min(r.ContentLength, most)) + bytes.MinRead)
	}
	_, _ = buf.ReadFrom(io.LimitReader(r.Body, most))
	c := &call{Request: r, body: buf.Bytes(), params: map[string]string{}}
	c.user, _, c.authOK = r.BasicAuth()
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), apiPrefix)
	if !ok {
		return c
	}
	c.format, rest, _ = strings.Cut(rest, "/")
	for _, route := range routes {
		m := route.re.FindStringSubmatch("/" + rest)
		if m == nil {
			continue
		}
		c.route = r.Method + " " + route.name
		for i, name := range route.re.SubexpNames() {
			if name != "" {
				c.params[name], _ = url.PathUnescape(m[i])
			}
		}
		break
	}
	return c
}

func (c *call) is(route string) bool { return c.route == route }

// form parses an urlencoded body.
func (c *call) form() url.Values {
	v, _ := url.ParseQuery(string(c.body))
	return v
}

// jsonBody decodes the body as an object; nil when it is not one.
func (c *call) jsonBody() map[string]any {
	var m map[string]any
	if json.Unmarshal(c.body, &m) != nil {
		return nil
	}
	return m
}

// send passes a request (possibly altered) to the conforming server and
// records what it answers.
func (t *target) send(c *call, edit func(r *http.Request)) *httptest.ResponseRecorder {
	r := c.Request.Clone(c.Context())
	r.Body = io.NopCloser(bytes.NewReader(c.body))
	r.ContentLength = int64(len(c.body))
	if edit != nil {
		edit(r)
	}
	rec := httptest.NewRecorder()
	t.next.ServeHTTP(rec, r)
	return rec
}

// asAdmin re-sends with the full-rights user's credentials.
func (t *target) asAdmin(r *http.Request) { r.SetBasicAuth(t.admin[0], t.admin[1]) }

// withBody replaces the body.
func withBody(b []byte) func(*http.Request) {
	return func(r *http.Request) {
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
	}
}

// get asks the conforming server something on the side, as the admin.
func (t *target) get(c *call, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequestWithContext(c.Context(), http.MethodGet, path, nil)
	t.asAdmin(r)
	rec := httptest.NewRecorder()
	t.next.ServeHTTP(rec, r)
	return rec
}

// replay writes a recorded answer.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// status answers a status body for code, taken from the code table as a
// conforming server would, in the format of the call's path: the deviation
// is the code itself.
func status(w http.ResponseWriter, code int) {
	fw, inXML := w.(*formatWriter)
	writeStatus(w, code, inXML && fw.xml)
}

// formatWriter tells status the format of the call it answers.
type formatWriter struct {
	http.ResponseWriter
	xml bool
}

func writeStatus(w http.ResponseWriter, code int, asXML bool) {
	if code == http.StatusNoContent { // a 204 has no body in either format
		w.WriteHeader(code)
		return
	}
	row, _ := contract.DefaultTable().Lookup(code)
	text, message := row.Text, row.Message
	if text == "" { // not a table code: the server invents a text
		text, message = http.StatusText(code), http.StatusText(code)
	}
	if !asXML {
		writeJSON(w, code, map[string]any{"code": code, "text": text, "message": message})
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n<status><code>%d</code><text>", code)
	_ = xml.EscapeText(&b, []byte(text))
	b.WriteString("</text><message>")
	_ = xml.EscapeText(&b, []byte(message))
	b.WriteString("</message></status>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b.Bytes())
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// editJSON rewrites a recorded JSON body.
func editJSON(rec *httptest.ResponseRecorder, edit func(m map[string]any)) {
	var m map[string]any
	if json.Unmarshal(rec.Body.Bytes(), &m) != nil {
		return
	}
	edit(m)
	b, _ := json.Marshal(m)
	rec.Body = bytes.NewBuffer(b)
}

// recode turns a recorded answer into another code with its table body, in
// the answer's format.
func recode(rec *httptest.ResponseRecorder, code int) *httptest.ResponseRecorder {
	return recodeAs(rec, code, isXML(rec))
}

func recodeAs(rec *httptest.ResponseRecorder, code int, asXML bool) *httptest.ResponseRecorder {
	out := httptest.NewRecorder()
	writeStatus(out, code, asXML)
	for k, v := range rec.Header() {
		if k != "Content-Type" && k != "Content-Length" {
			out.Header()[k] = v
		}
	}
	return out
}
