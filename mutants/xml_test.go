package mutants

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/callcases/conformance/reference"
)

// The XML mutants deviate on /xml/ paths only: every JSON answer is the
// reference's, and some XML answer is not. (The kill matrix proves that
// the suite's xml specs catch them; this proves what they are.)

type probe struct {
	method, path, contentType, body string
	anonymous                       bool
}

func (p probe) send(h http.Handler, opts reference.Options) *httptest.ResponseRecorder {
	r := httptest.NewRequest(p.method, p.path, strings.NewReader(p.body))
	if p.contentType != "" {
		r.Header.Set("Content-Type", p.contentType)
	}
	if !p.anonymous {
		d := reference.DefaultOptions()
		r.SetBasicAuth(d.Username, d.Password)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func probes(format string, fx reference.Fixtures) []probe {
	api := apiPrefix + format
	uuid := "probe0" + format
	create := `{"title":"t","uuid":"` + uuid + `"}`
	noTitle := `{"comment":"c"}`
	ct := "application/json"
	if format == "xml" {
		create, noTitle, ct = `<callcase><title>t</title><uuid>`+uuid+`</uuid></callcase>`, `<callcase><comment>c</comment></callcase>`, "application/xml"
	}
	probes := []probe{
		{method: "POST", path: api + "/callcases/?project=" + fx.Project, contentType: ct, body: create},
		{method: "GET", path: api + "/callcases/" + uuid + "/get-state"},
		{method: "GET", path: api + "/callcases/nosuchcase"},
		{method: "GET", path: api + "/projects/" + fx.Project, anonymous: true},
		{method: "POST", path: api + "/callcases/?project=" + fx.Project, contentType: ct, body: noTitle},
		{method: "GET", path: api + "/projects/" + fx.Project + "/operators/"},
		{method: "GET", path: api + "/projects/" + fx.Project},
		{method: "GET", path: api + "/callcases/" + uuid},
	}
	// A body in the other format, declared as such.
	other, otherType := `{"title":"the other format","uuid":"probe1`+format+`"}`, "application/json"
	if format == "json" {
		other, otherType = `<callcase><title>the other format</title><uuid>probe1json</uuid></callcase>`, "application/xml"
	}
	if format == "xml" { // then a change through the other format, read back in this one
		probes = append(probes,
			probe{method: "PUT", path: apiPrefix + "json/callcases/", contentType: "application/json", body: `{"uuid":"` + uuid + `","title":"changed through json"}`},
			probe{method: "GET", path: api + "/callcases/" + uuid})
	}
	return append(probes, probe{method: "POST", path: api + "/callcases/?project=" + fx.Project, contentType: otherType, body: other})
}

func answer(w *httptest.ResponseRecorder) string {
	return fmt.Sprintf("%d %s %s %s\n%s", w.Code, w.Header().Get("Content-Type"), w.Header().Get("WWW-Authenticate"), w.Header().Get("Location"), w.Body)
}

// sameAnswer compares answers; a case read holds the time it was created
// on each server, so only its shape up to the dates is compared.
func sameAnswer(p probe, a, b *httptest.ResponseRecorder) bool {
	if strings.Contains(p.path, "/callcases/probe0") && p.method == "GET" {
		cut := func(w *httptest.ResponseRecorder) string {
			s := answer(w)
			for _, tag := range []string{"creationDate", "lastModified"} {
				if i := strings.Index(s, tag); i >= 0 {
					s = s[:i]
				}
			}
			return s
		}
		return cut(a) == cut(b)
	}
	return answer(a) == answer(b)
}

func TestXMLMutantsDeviateInXMLOnly(t *testing.T) {
	for _, m := range xmlCatalogue {
		t.Run(m.Name, func(t *testing.T) {
			if m.Format != "xml" || len(m.Kills) == 0 || m.Breaks == "" {
				t.Fatalf("an XML mutant names its format, what it breaks and the conditions that catch it: %+v", m)
			}
			opts := reference.Options{}
			plain, mutated := reference.New(opts), reference.New(opts)
			h, err := Wrap(m.Name, mutated, opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range probes("json", plain.Fixtures()) {
				if want, got := p.send(plain, opts), p.send(h, opts); !sameAnswer(p, want, got) {
					t.Errorf("%s %s: the JSON answer changed:\n%s\nwant\n%s", p.method, p.path, answer(got), answer(want))
				}
			}
			deviated := false
			for _, p := range probes("xml", plain.Fixtures()) {
				want, got := p.send(plain, opts), p.send(h, opts)
				if !sameAnswer(p, want, got) {
					deviated = true
					t.Logf("%s %s:\n%s\ninstead of\n%s", p.method, p.path, answer(got), answer(want))
				}
			}
			if !deviated {
				t.Errorf("no XML answer differs from the reference's")
			}
		})
	}
}

func TestParseXMLRoundTrip(t *testing.T) {
	for _, doc := range []string{
		`<status><code>404</code><text>Not Found</text><message>Объект &amp; «не» найден</message></status>`,
		`<callcases page="1" count="1"><callcase><uuid>a</uuid><comment></comment><phoneNumbers><phoneNumber phoneNumberType="HOME">1</phoneNumber></phoneNumbers></callcase></callcases>`,
	} {
		n, ok := parseXML([]byte(doc))
		if !ok {
			t.Fatalf("%s does not parse", doc)
		}
		got := strings.TrimSpace(string(bytes.SplitN(n.bytes(), []byte("\n"), 2)[1]))
		if got != doc {
			t.Errorf("round trip:\n got %s\nwant %s", got, doc)
		}
	}
	for _, bad := range []string{"", "<a>", "<a></b>", "{}", "<a></a><b></b>", "<a></a> trailing", "lead<a></a>"} {
		if _, ok := parseXML([]byte(bad)); ok {
			t.Errorf("%q parses", bad)
		}
	}
	n, _ := parseXML([]byte(`<operators><operator><uuid>u</uuid><login>l</login></operator></operators>`))
	unwrapSingle(n)
	if got := strings.TrimSpace(string(bytes.SplitN(n.bytes(), []byte("\n"), 2)[1])); got != `<operators><uuid>u</uuid><login>l</login></operators>` {
		t.Errorf("unwrapped: %s", got)
	}
}

// A mutant that answers another code answers it in the format of the path,
// so that an xml spec fails for the code, as the json one does.
func TestRecodedAnswersKeepThePathsFormat(t *testing.T) {
	opts := reference.Options{}
	for _, name := range []string{"unknown-uuid-400", "unknown-user-403"} {
		h, err := Wrap(name, reference.New(opts), opts)
		if err != nil {
			t.Fatal(err)
		}
		for format, want := range map[string]string{"json": "application/json", "xml": "application/xml"} {
			p := probe{method: "GET", path: apiPrefix + format + "/callcases/nosuchcase"}
			w := httptest.NewRecorder()
			r := httptest.NewRequest(p.method, p.path, nil)
			r.SetBasicAuth("nobody", "x")
			if name == "unknown-uuid-400" {
				w = p.send(h, opts)
			} else {
				h.ServeHTTP(w, r)
			}
			if w.Code != 400 && w.Code != 403 || !strings.HasPrefix(w.Header().Get("Content-Type"), want) {
				t.Errorf("%s on %s: %d %q\n%s", name, format, w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			if format == "xml" && !strings.Contains(w.Body.String(), "<status><code>") {
				t.Errorf("%s on xml: %s", name, w.Body)
			}
		}
	}
}
