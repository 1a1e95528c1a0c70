package mutants

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callcases/conformance/reference"
)

// seen is one probe's seen as a client sees it.
type seen struct {
	probe   probe
	code    int
	header  http.Header
	body    string
	flushed bool
}

// libertyProbes make every kind of seen a liberty may change, in both
// formats: creates (by the server's uuid, with none given), reads, a
// list, get-state, a batch, a 401.
func libertyProbes(fx reference.Fixtures) []probe {
	var out []probe
	for _, format := range []string{"json", "xml"} {
		api := apiPrefix + format
		ct, one, two, batch := "application/json", `{"title":"one","uuid":"lib1`+format+`"}`, `{"title":"two ü","uuid":"lib2`+format+`"}`, `{"callcase":[{"id":"lib-`+format+`","title":"b"}]}`
		fresh := `{"title":"fresh"}`
		if format == "xml" {
			ct, one, two = "application/xml", `<callcase><title>one</title><uuid>lib1xml</uuid></callcase>`, `<callcase><title>two ü</title><uuid>lib2xml</uuid></callcase>`
			batch, fresh = `<callcases><callcase><id>lib-xml</id><title>b</title></callcase></callcases>`, `<callcase><title>fresh</title></callcase>`
		}
		out = append(out,
			probe{method: "POST", path: api + "/callcases/?project=" + fx.AutoProject, contentType: ct, body: one},
			probe{method: "POST", path: api + "/callcases/?project=" + fx.AutoProject, contentType: ct, body: two},
			probe{method: "POST", path: api + "/callcases/?project=" + fx.Project, contentType: ct, body: fresh},
			probe{method: "GET", path: api + "/callcases/lib1" + format},
			probe{method: "GET", path: api + "/callcases/lib1" + format + "/get-state"},
			probe{method: "GET", path: api + "/callcases/?project=" + fx.AutoProject},
			probe{method: "POST", path: api + "/projects/" + fx.Project + "/callcases-batch/", contentType: ct, body: batch},
			probe{method: "GET", path: api + "/projects/" + fx.Project, anonymous: true},
		)
	}
	return out
}

func serveProbes(t *testing.T, variant string) []seen {
	t.Helper()
	srv := reference.New(reference.Options{})
	var h http.Handler = srv
	if variant != "" {
		var err error
		if h, err = WrapVariant(variant, srv); err != nil {
			t.Fatal(err)
		}
	}
	var out []seen
	for _, p := range libertyProbes(srv.Fixtures()) {
		r := httptest.NewRequest(p.method, p.path, strings.NewReader(p.body))
		if p.contentType != "" {
			r.Header.Set("Content-Type", p.contentType)
		}
		r.Header.Set("Accept-Encoding", "gzip")
		if !p.anonymous {
			d := reference.DefaultOptions()
			r.SetBasicAuth(d.Username, d.Password)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		body := w.Body.String()
		if w.Header().Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(w.Body)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		out = append(out, seen{probe: p, code: w.Code, header: w.Header(), body: body, flushed: w.Flushed})
	}
	return out
}

func (a seen) xml() bool { return strings.Contains(a.header.Get("Content-Type"), "xml") }

// listOrder is the order of the uuids a list seen names.
func listOrder(as []seen, format string) []string {
	for _, a := range as {
		if a.probe.method == "GET" && strings.Contains(a.probe.path, "/"+format+"/callcases/?") {
			return regexp.MustCompile(`lib[12]`+format).FindAllString(a.body, -1)
		}
	}
	return nil
}

// Each liberty shows in the answers it is about, and nowhere else does the
// plain reference take it: a liberty that changed nothing would prove
// nothing when the suite passes it.
func TestEveryLibertyShowsInItsAnswers(t *testing.T) {
	all := func(pred func(a seen) bool) func([]seen) bool {
		return func(as []seen) bool { return slices.ContainsFunc(as, pred) }
	}
	bodyHas := func(re string) func([]seen) bool {
		r := regexp.MustCompile(re)
		return all(func(a seen) bool { return r.MatchString(a.body) })
	}
	shows := map[string]func([]seen) bool{
		"unnamed-members": func(as []seen) bool {
			return bodyHas(`"completionDate"`)(as) && bodyHas(`"callForm"`)(as) && bodyHas(`"requestId"`)(as) &&
				bodyHas(`<callForm>`)(as) && bodyHas(`<requestId>`)(as) && bodyHas(` vendor="liberal"`)(as)
		},
		"status-detail":      func(as []seen) bool { return bodyHas(`"detail":"liberal`)(as) && bodyHas(`<detail>liberal`)(as) },
		"list-order":         func(as []seen) bool { return slices.Equal(listOrder(as, "json"), []string{"lib2json", "lib1json"}) },
		"date-offsets":       bodyHas(`T\d\d:\d\d:\d\d\.\d{9}-09:30`),
		"date-lowercase":     bodyHas(`\d\dt\d\d:\d\d:\d\d\.\d+\+03:00`),
		"integer-spelling":   func(as []seen) bool { return bodyHas(`"code":201\.0`)(as) && bodyHas(`<priority>0e0</priority>`)(as) },
		"indented":           func(as []seen) bool { return bodyHas("\\{\n  \"")(as) && bodyHas("\n  <title>")(as) },
		"xml-no-declaration": all(func(a seen) bool { return a.xml() && a.body != "" && !strings.Contains(a.body, "<?xml") }),
		"xml-byte-order-mark": all(func(a seen) bool {
			return a.xml() && strings.HasPrefix(a.body, "\uFEFF<?xml")
		}),
		"xml-single-quotes":        bodyHas(`phoneNumberType='|page='1'`),
		"xml-cdata":                bodyHas(`<title><!\[CDATA\[one\]\]></title>`),
		"xml-character-references": bodyHas(`<title>two &#xFC;</title>`),
		"xml-element-order": all(func(a seen) bool {
			return strings.HasSuffix(a.probe.path, "/callcases/lib1xml") && regexp.MustCompile(`<state>.*<parent>`).MatchString(a.body)
		}),
		"xml-self-closing": bodyHas(`<comment/>`),
		"xml-text-media-type": func(as []seen) bool {
			return all(func(a seen) bool { return a.header.Get("Content-Type") == "text/xml; charset=UTF-8" })(as) &&
				all(func(a seen) bool { return a.header.Get("Content-Type") == "application/json" })(as)
		},
		"get-state-newline": all(func(a seen) bool { return strings.HasSuffix(a.probe.path, "/get-state") && a.body == "new\n" }),
		"relative-location": all(func(a seen) bool { return a.header.Get("Location") == "lib1json" }),
		"challenges":        all(func(a seen) bool { return len(a.header.Values("WWW-Authenticate")) == 3 }),
		"extra-headers":     all(func(a seen) bool { return a.header.Get("X-Request-Id") != "" }),
		"chunked":           all(func(a seen) bool { return a.flushed && a.header.Get("Content-Length") == "" }),
		"gzip":              all(func(a seen) bool { return a.header.Get("Content-Encoding") == "gzip" }),
		"long-uuids": all(func(a seen) bool {
			return strings.Contains(a.probe.body, "fresh") && regexp.MustCompile(`/[0-9a-z]{64}$`).MatchString(a.header.Get("Location"))
		}),
	}
	plain := serveProbes(t, "")
	for _, l := range Liberties() {
		show, ok := shows[l.Name]
		if !ok {
			t.Errorf("liberty %s: no test says how it shows", l.Name)
			continue
		}
		if show(plain) {
			t.Errorf("liberty %s: the plain reference already shows it, so the test proves nothing", l.Name)
		}
		if !show(serveProbes(t, l.Name)) {
			t.Errorf("liberty %s (%s) does not show in its answers", l.Name, l.Allows)
		}
	}
	// At once, the liberties that other liberties do not respell show too.
	liberal := serveProbes(t, VariantLiberal)
	for _, name := range []string{"list-order", "xml-no-declaration", "xml-text-media-type", "get-state-newline", "challenges", "extra-headers", "chunked"} {
		if !shows[name](liberal) {
			t.Errorf("the liberal variant does not take %s", name)
		}
	}
	if _, err := WrapVariant("nope", reference.New(reference.Options{})); err == nil || !strings.Contains(err.Error(), VariantLiberal) {
		t.Errorf("an unknown variant: %v", err)
	}
}

// The long-uuids liberty adds a uuid where a case has none and leaves every
// other byte as it came, so that what the server must refuse in a body (a
// second root, trailing text, a repeated member) it still sees.
func TestLongUUIDsKeepTheRestOfTheBody(t *testing.T) {
	uuid := regexp.MustCompile(`<uuid>[0-9a-z]{64}</uuid>|"uuid":"[0-9a-z]{64}",?`)
	for _, tc := range []struct{ path, body, want string }{
		{"xml/callcases/?project=p", `<callcase><title>t</title></callcase>`, `<callcase>U<title>t</title></callcase>`},
		{"xml/callcases/?project=p", `<callcase><title>t</title></callcase><callcase></callcase>`, `<callcase>U<title>t</title></callcase><callcase></callcase>`},
		{"xml/callcases/?project=p", `<callcase><title>t</title></callcase> trailing`, `<callcase>U<title>t</title></callcase> trailing`},
		{"xml/callcases/?project=p", `<callcase><uuid>a</uuid></callcase>`, ""},
		{"xml/projects/p/callcases-batch/", `<?xml version="1.0"?><callcases><callcase><title>a</title></callcase><callcase><uuid>b</uuid></callcase><callcase/><callcase></callcase></callcases>`,
			`<?xml version="1.0"?><callcases><callcase>U<title>a</title></callcase><callcase><uuid>b</uuid></callcase><callcase/><callcase>U</callcase></callcases>`},
		{"json/callcases/?project=p", `{"title":"t","title":"u"}`, `{U"title":"t","title":"u"}`},
		{"json/callcases/?project=p", `{}`, `{U}`},
		{"json/callcases/?project=p", `{"uuid":null}`, ""},
		{"json/callcases/?project=p", `{"title":"t"} {}`, ""},
		{"json/callcases/?project=p", `{"phoneNumbers":{"phoneNumber":[{"value":"1"}]},"x":[{}]}`, `{U"phoneNumbers":{"phoneNumber":[{"value":"1"}]},"x":[{}]}`},
		{"json/projects/p/callcases-batch/", `{"callcase":[{"title":"a"},{"uuid":"b"},{},5,{"n":{"uuid":"c"}}],"other":[{}]}`,
			`{"callcase":[{U"title":"a"},{"uuid":"b"},{U},5,{U"n":{"uuid":"c"}}],"other":[{}]}`},
	} {
		r := httptest.NewRequest(http.MethodPost, apiPrefix+tc.path, strings.NewReader(tc.body))
		got := string(withLongUUIDs(newCall(r)))
		if got = uuid.ReplaceAllString(got, "U"); got != tc.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.path, tc.body, got, tc.want)
		}
	}
}
