package contract_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/callcases/conformance/contract"
	"github.com/getkin/kin-openapi/openapi3"
)

func schemas(t testing.TB) openapi3.Schemas {
	t.Helper()
	doc, err := contract.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

// jsonValue is what encoding/json makes of a JSON text: the value an XML
// body must decode to.
func jsonValue(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON in the test: %v", err)
	}
	return v
}

func decode(t *testing.T, schema *openapi3.SchemaRef, body string) any {
	t.Helper()
	v, err := contract.DecodeXML(schema, strings.NewReader(body))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return v
}

func sameValue(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("decoded\n  %s\nwant\n  %s", g, w)
	}
}

const xmlCase = `<callcase><uuid>abc123</uuid><id>crm-42</id><title>Ivanov I.I.</title>` +
	`<parent><uuid>p1</uuid><title>P</title></parent><state><id>new</id><title>Новое</title></state>` +
	`<priority>1</priority><comment/><phoneNumbers><phoneNumber phoneNumberType="HOME">8000000000</phoneNumber></phoneNumbers>` +
	`<creationDate>2016-10-18T09:58:24.594+03:00</creationDate><lastModified>2016-10-18T09:58:24.594+03:00</lastModified></callcase>`

const jsonCase = `{"uuid":"abc123","id":"crm-42","title":"Ivanov I.I.","parent":{"uuid":"p1","title":"P"},` +
	`"state":{"id":"new","title":"Новое"},"priority":1,"comment":"",` +
	`"phoneNumbers":{"phoneNumber":[{"value":"8000000000","phoneNumberType":"HOME"}]},` +
	`"creationDate":"2016-10-18T09:58:24.594+03:00","lastModified":"2016-10-18T09:58:24.594+03:00"}`

// The rules of the mapping, each on the body it matters for.
func TestDecodeXML(t *testing.T) {
	s := schemas(t)
	for _, tc := range []struct {
		name, schema, xml, json string
	}{
		{"element names, attribute and text content", "CallCase", xmlCase, jsonCase},
		{"a declaration may lead", "CallCase", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" + xmlCase, jsonCase},
		{"a byte order mark may lead", "OperatorLink", "\uFEFF<?xml version=\"1.0\"?><operator><uuid>o1</uuid></operator>", `{"uuid":"o1"}`},
		{"white space and comments between elements", "Project",
			"<project>\n  <uuid>p1</uuid> <!-- the id -->\n  <title>P</title>\n  <state>running</state>\n  <operatorAssignmentMode>manual</operatorAssignmentMode>\n</project>\n",
			`{"uuid":"p1","title":"P","state":"running","operatorAssignmentMode":"manual"}`},
		{"list: page and count are attributes, items repeat unwrapped", "CallCaseList",
			`<callcases page="2" count="120">` + xmlCase + xmlCase + `</callcases>`,
			`{"page":2,"count":120,"callcase":[` + jsonCase + `,` + jsonCase + `]}`},
		{"a list of one item is still a list", "OperatorList",
			`<operators><operator><uuid>o1</uuid><login>op</login><title/></operator></operators>`,
			`{"operator":[{"uuid":"o1","login":"op","title":""}]}`},
		{"wrapped list: uuids of a 300", "MultipleChoicesStatus",
			`<status><code>300</code><text>Multiple Choices</text><message>m</message><uuids><uuid>a</uuid><uuid>b</uuid></uuids></status>`,
			`{"code":300,"text":"Multiple Choices","message":"m","uuids":["a","b"]}`},
		{"wrapped list of one item", "MultipleChoicesStatus",
			`<status><code>300</code><text>t</text><message>m</message><uuids><uuid>a</uuid></uuids></status>`,
			`{"code":300,"text":"t","message":"m","uuids":["a"]}`},
		{"an empty wrapped list", "MultipleChoicesStatus",
			`<status><code>300</code><text>t</text><message>m</message><uuids/></status>`,
			`{"code":300,"text":"t","message":"m","uuids":[]}`},
		{"batch result items; an absent required nullable member is null", "BatchStatus",
			`<status><code>200</code><text>OK</text><message>m</message><result>` +
				`<item><id>x</id><uuid>u1</uuid><code>201</code><text>Created</text><message>c</message></item>` +
				`<item><id>y</id><code>400</code><text>Bad Request</text><message>b</message></item>` +
				`</result></status>`,
			`{"code":200,"text":"OK","message":"m","result":[{"id":"x","uuid":"u1","code":201,"text":"Created","message":"c"},` +
				`{"id":"y","uuid":null,"code":400,"text":"Bad Request","message":"b"}]}`},
		{"batch request", "BatchCreate",
			`<callcases><callcase><id>e1</id><title>one</title></callcase></callcases>`,
			`{"callcase":[{"id":"e1","title":"one"}]}`},
		{"batch delete by uuid", "BatchDelete", `<objectLinks><uuid>a</uuid><uuid>b</uuid></objectLinks>`, `{"uuid":["a","b"]}`},
		{"batch delete by external id", "BatchDelete", `<objectLinks><id>crm 1</id></objectLinks>`, `{"id":["crm 1"]}`},
		{"assign", "OperatorLink", `<operator><uuid>o1</uuid></operator>`, `{"uuid":"o1"}`},
		{"members of allOf schemas", "CallCaseCreateExternal",
			`<callcase><uuid>u1</uuid><id>e</id><title>t</title><priority>-3</priority></callcase>`,
			`{"uuid":"u1","id":"e","title":"t","priority":-3}`},
		{"<x/> and <x></x> are the same", "OperatorList",
			`<operators><operator><uuid>o1</uuid><login>op</login><title></title></operator></operators>`,
			`{"operator":[{"uuid":"o1","login":"op","title":""}]}`},
		{"an empty element of an object type is an object with no members", "CallCaseFields",
			`<callcase><phoneNumbers/></callcase>`, `{"phoneNumbers":{"phoneNumber":[]}}`},
		{"an empty element of an object type, written open and closed", "CallCaseFields",
			`<callcase><phoneNumbers></phoneNumbers></callcase>`, `{"phoneNumbers":{"phoneNumber":[]}}`},
		{"absent elements are absent members", "CallCaseFields", `<callcase><title>t</title></callcase>`, `{"title":"t"}`},
		{"text keeps its white space and entities", "CallCaseFields",
			`<callcase><title> a &amp; b &lt;c&gt; &#x41; </title><comment><![CDATA[<raw>]]></comment></callcase>`,
			`{"title":" a & b <c> A ","comment":"<raw>"}`},
		{"numbers in JSON's format", "CallCaseFields", `<callcase><priority>1e2</priority></callcase>`, `{"priority":100}`},
		{"a number that does not parse stays text", "CallCaseFields", `<callcase><priority>high</priority></callcase>`, `{"priority":"high"}`},
		{"a number not in JSON's format stays text", "CallCaseFields", `<callcase><priority>+1</priority></callcase>`, `{"priority":"+1"}`},
		{"a negative zero", "CallCaseFields", `<callcase><priority>-0</priority></callcase>`, `{"priority":-0}`},
		{"a number with a fraction and an exponent", "CallCaseFields", `<callcase><priority>-1.5E+3</priority></callcase>`, `{"priority":-1500}`},
		{"a number with a leading zero is text", "CallCaseFields", `<callcase><priority>01</priority></callcase>`, `{"priority":"01"}`},
		{"a number without fraction digits is text", "CallCaseFields", `<callcase><priority>1.</priority></callcase>`, `{"priority":"1."}`},
		{"a number without integer digits is text", "CallCaseFields", `<callcase><priority>.5</priority></callcase>`, `{"priority":".5"}`},
		{"a number with an empty exponent is text", "CallCaseFields", `<callcase><priority>1e</priority></callcase>`, `{"priority":"1e"}`},
		{"a number around white space", "CallCaseFields", "<callcase><priority>\n 7 \n</priority></callcase>", `{"priority":7}`},
		{"an empty number is text", "CallCaseFields", `<callcase><priority/></callcase>`, `{"priority":""}`},
		{"an unknown element is skipped", "CallCaseFields", `<callcase><title>t</title><extra><a>1</a><a>2</a></extra></callcase>`,
			`{"title":"t"}`},
		{"unknown elements of any content are skipped", "CallCaseFields", `<callcase><x> </x><y/><z a="1"/><completionDate/><callForm><uuid>f</uuid></callForm></callcase>`, `{}`},
		{"an unknown element with text and attributes is skipped", "CallCaseFields", `<callcase><note lang="en">hi</note></callcase>`, `{}`},
		{"an unknown attribute is skipped", "CallCaseFields", `<callcase flag="on"><title>t</title></callcase>`, `{"title":"t"}`},
		{"an unknown attribute on a scalar is skipped", "CallCase", `<callcase><title lang="ru">t</title></callcase>`, `{"title":"t"}`},
		{"an unknown attribute on a text element is skipped", "CallCaseFields", `<callcase><phoneNumbers><phoneNumber primary="yes" phoneNumberType="HOME">1</phoneNumber></phoneNumbers></callcase>`,
			`{"phoneNumbers":{"phoneNumber":[{"value":"1","phoneNumberType":"HOME"}]}}`},
		{"the members named are read whatever stands around them", "Status", `<status id="r1"><requestId>r1</requestId><code>404</code><trace><a/></trace><text>Not Found</text><message>m</message></status>`,
			`{"code":404,"text":"Not Found","message":"m"}`},
		{"a repeated element that is no list becomes one, for the schema to refuse", "CallCaseFields",
			`<callcase><title>a</title><title>b</title></callcase>`, `{"title":["a","b"]}`},
		{"text where an object is due is kept as text", "CallCase", `<callcase><parent>p1</parent></callcase>`,
			`{"parent":"p1"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameValue(t, decode(t, s[tc.schema], tc.xml), jsonValue(t, tc.json))
		})
	}
}

// Booleans have no place in the contract yet; the rule is tested on a schema of its own.
func TestDecodeXMLBoolean(t *testing.T) {
	schema := openapi3.NewObjectSchema().WithProperty("on", openapi3.NewBoolSchema()).WithProperty("n", openapi3.NewFloat64Schema())
	schema.XML = &openapi3.XML{Name: "t"}
	ref := openapi3.NewSchemaRef("", schema)
	sameValue(t, decode(t, ref, `<t><on>true</on><n>0.5</n></t>`), map[string]any{"on": true, "n": 0.5})
	sameValue(t, decode(t, ref, `<t><on>false</on></t>`), map[string]any{"on": false})
	sameValue(t, decode(t, ref, `<t><on>yes</on></t>`), map[string]any{"on": "yes"})
	if err := schema.VisitJSON(decode(t, ref, `<t><on>1</on></t>`)); err == nil {
		t.Fatal("a boolean written 1 validated")
	}
}

func TestDecodeXMLRefuses(t *testing.T) {
	s := schemas(t)
	for _, tc := range []struct {
		name, schema, xml, says string
	}{
		{"wrong root element", "CallCase", `<case><uuid>a</uuid></case>`, "root element <case>, the contract's is <callcase>"},
		{"a status where a case is due", "CallCase", `<status><code>404</code></status>`, "root element <status>"},
		{"JSON", "CallCase", `{"uuid":"a"}`, "text before the root element"},
		{"empty body", "CallCase", ``, "no root element"},
		{"malformed", "CallCase", `<callcase><uuid>a</callcase>`, "</callcase> closes <uuid>"},
		{"unclosed", "CallCase", `<callcase><uuid>a</uuid>`, "ends inside the element"},
		{"two roots", "CallCase", `<callcase/><callcase/>`, "a second root element"},
		{"text after the root", "CallCase", `<callcase/>x`, "text after the root"},
		{"a byte order mark inside", "CallCase", "<callcase/>\uFEFF", "text after the root"},
		{"a repeated attribute", "CallCaseList", `<callcases page="1" page="2"/>`, "attribute page repeats"},
		{"a repeated unknown attribute", "CallCase", `<callcase a="1" a="2"/>`, "attribute a repeats"},
		{"an unknown element that is not well-formed", "CallCase", `<callcase><x><y></x></y></callcase>`, "closes"},
		{"declaration not first", "CallCase", `<!-- c --><?xml version="1.0"?><callcase/>`, "declaration must come first"},
		{"another encoding", "CallCase", `<?xml version="1.0" encoding="ISO-8859-1"?><callcase/>`, "ISO-8859-1"},
		{"namespaced root", "CallCase", `<c:callcase xmlns:c="urn:x"/>`, "namespaces are not part of the API"},
		{"default namespace", "CallCase", `<callcase xmlns="urn:x"/>`, "namespaces are not part of the API"},
		{"namespaced element", "CallCase", `<callcase><c:uuid>a</c:uuid></callcase>`, "namespaces"},
		{"an element as an attribute", "Status", `<status code="404"><text>t</text><message>m</message></status>`, "code is an attribute here"},
		{"an attribute as an element", "CallCaseList", `<callcases count="1"><page>1</page></callcases>`, "<page> is an element here"},
		{"a wrapped list that repeats", "MultipleChoicesStatus", `<status><uuids><uuid>a</uuid></uuids><uuids><uuid>b</uuid></uuids></status>`, "<uuids> repeats"},
		{"a foreign item in a wrapped list", "MultipleChoicesStatus", `<status><uuids><id>a</id></uuids></status>`, "<id> in a list of <uuid>"},
		{"text in a wrapped list", "MultipleChoicesStatus", `<status><uuids>a b</uuids></status>`, "text in a list"},
		{"text mixed with elements", "CallCase", `<callcase>loose<uuid>a</uuid></callcase>`, "text beside elements"},
		{"a text member also written as an element", "CallCaseFields", `<callcase><phoneNumbers><phoneNumber>1<value>2</value></phoneNumber></phoneNumbers></callcase>`, "the contract makes it the element's text"},
		{"an unknown entity", "CallCase", `<callcase><title>&lol;</title></callcase>`, "entity"},
		{"DOCTYPE", "CallCase", `<!DOCTYPE callcase><callcase/>`, "DOCTYPE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := contract.DecodeXML(s[tc.schema], strings.NewReader(tc.xml))
			if err == nil {
				got, _ := json.Marshal(v)
				t.Fatalf("decoded to %s, want an error saying %q", got, tc.says)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %q should say %q", err, tc.says)
			}
			var xe *contract.XMLError
			if !errors.As(err, &xe) {
				t.Fatalf("error %q is no *contract.XMLError", err)
			}
			want := contract.TitleXMLMalformed
			if strings.HasPrefix(tc.says, "root element") {
				want = contract.TitleXMLRoot
			}
			if xe.Title != want {
				t.Fatalf("error %q has title %q, want %q", err, xe.Title, want)
			}
		})
	}
}

// What the XML rules find is a structured violation with its stable title,
// listed once, however many checks saw it.
func TestXMLViolations(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	xmlCT := http.Header{"Content-Type": {"application/xml"}}
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	get := func(path string) *http.Request { return exchange("GET", path, "", "") }
	const notFound = `<status><code>404</code><text>Not Found</text><message>Объект или один из параметров запроса не найден</message></status>`
	const notFoundJSON = `{"code":404,"text":"Not Found","message":"Объект или один из параметров запроса не найден"}`
	for _, tc := range []struct {
		name string
		err  func() error
		want contract.Violation
	}{
		{"request with a wrong root", func() error {
			return c.ValidateRequest(exchange("POST", "/xml/callcases/?project=p1", "application/xml", `<case><title>x</title></case>`), []byte(`<case><title>x</title></case>`))
		}, contract.Violation{Operation: "createCallCase", In: "request", Title: contract.TitleXMLRoot, Detail: "xml: root element <case>, the contract's is <callcase>"}},
		{"malformed request", func() error {
			return c.ValidateRequest(exchange("POST", "/xml/callcases/?project=p1", "application/xml", `<callcase><title>x</callcase>`), []byte(`<callcase><title>x</callcase>`))
		}, contract.Violation{Operation: "createCallCase", In: "request", Title: contract.TitleXMLMalformed, Detail: "xml: /callcase/title: </callcase> closes <title>"}},
		{"JSON request on an /xml/ path", func() error {
			return c.ValidateRequest(exchange("POST", "/xml/callcases/?project=p1", "application/json", `{"title":"x"}`), []byte(`{"title":"x"}`))
		}, contract.Violation{Operation: "createCallCase", In: "request", Parameter: `header "Content-Type"`, Title: contract.TitleFormat,
			Detail: `Content-Type "application/json" on an /xml/ path, whose bodies are application/xml or text/xml`}},
		{"XML answer on a /json/ path", func() error {
			return c.ValidateResponse(get("/json/callcases/abc123"), nil, 200, xmlCT, []byte(xmlCase))
		}, contract.Violation{Operation: "getCallCase", In: "response", Parameter: `header "Content-Type"`, Title: contract.TitleFormat,
			Detail: `Content-Type "application/xml" on a /json/ path, whose bodies are application/json`}},
		{"answer with a wrong root", func() error {
			return c.ValidateResponse(get("/xml/callcases/abc123"), nil, 200, xmlCT, []byte(strings.ReplaceAll(xmlCase, "callcase>", "case>")))
		}, contract.Violation{Operation: "getCallCase", In: "response", Title: contract.TitleXMLRoot, Detail: "xml: root element <case>, the contract's is <callcase>"}},
		{"off the map, XML garbage", func() error {
			return c.ValidateResponse(get("/xml/nowhere"), nil, 404, xmlCT, []byte(`<error>nope</error>`))
		}, contract.Violation{Operation: "GET /fx/api/v1/xml/nowhere", In: "response", Title: contract.TitleXMLRoot, Detail: "xml: root element <error>, the contract's is <status>"}},
		{"off the map, JSON on an /xml/ path", func() error {
			return c.ValidateResponse(get("/xml/nowhere"), nil, 404, jsonCT, []byte(notFoundJSON))
		}, contract.Violation{Operation: "GET /fx/api/v1/xml/nowhere", In: "response", Title: contract.TitleStatusBodyXMLType,
			Detail: `Content-Type "application/json", want application/xml or text/xml on an /xml/ path`}},
		{"XML status body with the wrong message", func() error {
			return c.ValidateResponse(get("/xml/callcases/zzz"), nil, 404, xmlCT, []byte(strings.Replace(notFound, "не найден", "not found", 1)))
		}, contract.Violation{Operation: "getCallCase", In: "response", Pointer: "/message", Title: contract.TitleStatusBodyMsg,
			Detail: `got "Объект или один из параметров запроса not found", the table says "Объект или один из параметров запроса не найден" for 404`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v contract.Violations
			if !errors.As(tc.err(), &v) {
				t.Fatalf("no violations, want %+v", tc.want)
			}
			if len(v) != 1 || v[0] != tc.want {
				t.Fatalf("got %#v\nwant the one violation %#v", v, tc.want)
			}
		})
	}
}

// Entities are never expanded: encoding/xml knows only XML's five and
// character references, and a DOCTYPE is refused before any could be declared.
func TestDecodeXMLEntityExpansion(t *testing.T) {
	s := schemas(t)
	laughs := `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<callcase><title>&lol9;</title></callcase>`
	external := `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><callcase><title>&xxe;</title></callcase>`
	for name, body := range map[string]string{"billion laughs": laughs, "external entity": external,
		"undeclared entity without DOCTYPE": `<callcase><title>&lol9;</title></callcase>`} {
		t.Run(name, func(t *testing.T) {
			v, err := contract.DecodeXML(s["CallCase"], strings.NewReader(body))
			if err == nil {
				t.Fatalf("decoded to %v", v)
			}
		})
	}
}

// endless streams what it is given again and again, for ever.
type endless struct {
	unit []byte
	at   int
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], e.unit[e.at:])
		n += k
		e.at = (e.at + k) % len(e.unit)
	}
	return n, nil
}

// A body that never ends is cut at the limits, with memory to match: the
// whole limit for one endless element, next to nothing for endless nesting,
// and work in proportion to the limit for endless siblings.
func TestDecodeXMLBounds(t *testing.T) {
	s := schemas(t)
	for _, tc := range []struct {
		name   string
		limit  int64
		body   io.Reader
		says   string
		memory uint64
	}{
		{"endless nesting", contract.MaxXMLBytes, io.MultiReader(strings.NewReader("<callcase>"), &endless{unit: []byte("<a>")}), "nested deeper than 64", 1 << 20},
		{"an endless element", 1 << 20, io.MultiReader(strings.NewReader("<callcase><title>"), &endless{unit: []byte("abcdefgh")}), "over 1048576 bytes", 8 << 20},
		{"an endless attribute", 1 << 20, io.MultiReader(strings.NewReader(`<callcase a="`), &endless{unit: []byte("abcdefgh")}), "over 1048576 bytes", 8 << 20},
		{"endless text between comments", 1 << 20, io.MultiReader(strings.NewReader("<callcase><title>"), &endless{unit: []byte("a<!---->")}), "over 1048576 bytes", 16 << 20},
		{"endless text between comments where an object is due", 1 << 20, io.MultiReader(strings.NewReader("<callcase><parent>"), &endless{unit: []byte("a<!---->")}), "over 1048576 bytes", 16 << 20},
		{"endless siblings", 1 << 20, io.MultiReader(strings.NewReader("<callcase>"), &endless{unit: []byte("<x/>")}), "over 1048576 bytes", 64 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := contract.DecodeXMLWithin(s["CallCase"], tc.body, tc.limit)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v, want one saying %q", err, tc.says)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > tc.memory {
				t.Fatalf("allocated %d bytes, want at most %d", got, tc.memory)
			}
			t.Logf("allocated %d bytes", after.TotalAlloc-before.TotalAlloc)
		})
	}
}

// A body in memory over the limit is refused before it is read.
func TestDecodeXMLRefusesLargeBodies(t *testing.T) {
	body := bytes.NewReader(make([]byte, contract.MaxXMLBytes+1))
	if _, err := contract.DecodeXML(schemas(t)["CallCase"], body); err == nil || !strings.Contains(err.Error(), "over 16777216 bytes") {
		t.Fatalf("error %v, want one saying the body is over the limit", err)
	}
	if body.Len() != contract.MaxXMLBytes+1 {
		t.Fatalf("%d bytes were read", contract.MaxXMLBytes+1-body.Len())
	}
}

// Each rule seen through the contract: an XML exchange is held to the same
// schemas as JSON, in both XML media types.
func TestValidateXMLExchanges(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	const notFound = `<status><code>404</code><text>Not Found</text><message>Объект или один из параметров запроса не найден</message></status>`
	const created = `<?xml version="1.0" encoding="UTF-8"?><status><code>201</code><text>Created</text><message>Ресурс был создан успешно</message></status>`
	xmlCT := http.Header{"Content-Type": {"application/xml; charset=utf-8"}}
	textXML := http.Header{"Content-Type": {"text/xml"}}
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	withHeader := func(h http.Header, k, v string) http.Header { h = h.Clone(); h.Set(k, v); return h }
	get := func(path string) *http.Request { return exchange("GET", path, "", "") }
	for _, tc := range []struct {
		name    string
		req     *http.Request
		status  int
		header  http.Header
		body    string
		violate string
	}{
		{"case read", get("/xml/callcases/abc123"), 200, xmlCT, xmlCase, ""},
		{"case read as text/xml", get("/xml/callcases/abc123"), 200, textXML, xmlCase, ""},
		{"case with an unknown element", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, "<comment/>", "<comment/><completionDate/><callForm><title>f</title></callForm>", 1), ""},
		{"case with an unknown attribute", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, "<callcase>", `<callcase flag="1">`, 1), ""},
		{"case with an unknown element, a named one missing", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, "<title>Ivanov I.I.</title>", "<name>Ivanov I.I.</name>", 1), "title"},
		{"case with a number that is not one", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, "<priority>1</priority>", "<priority>high</priority>", 1), "priority"},
		{"case without a required element", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, "<title>Ivanov I.I.</title>", "", 1), "title"},
		{"case with an empty title", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, "<title>Ivanov I.I.</title>", "<title/>", 1), "title"},
		{"case with a repeated title", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, "<title>Ivanov I.I.</title>", "<title>a</title><title>b</title>", 1), "title"},
		{"phone number without its text", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, ">8000000000</phoneNumber>", "/>", 1), "value"},
		{"phone type not in the enum", get("/xml/callcases/abc123"), 200, xmlCT,
			strings.Replace(xmlCase, `"HOME"`, `"FAX"`, 1), "phoneNumberType"},
		{"wrong root", get("/xml/callcases/abc123"), 200, xmlCT, strings.ReplaceAll(xmlCase, "callcase>", "case>"), "root element <case>"},
		{"a case as JSON on an /xml/ path", get("/xml/callcases/abc123"), 200, jsonCT, jsonCase, "on an /xml/ path"},
		{"a case as XML on a /json/ path", get("/json/callcases/abc123"), 200, xmlCT, xmlCase, "on a /json/ path"},
		{"list page", get("/xml/callcases/?project=p1"), 200, xmlCT, `<callcases page="1" count="1">` + xmlCase + `</callcases>`, ""},
		{"list page with a wrapper", get("/xml/callcases/?project=p1"), 200, xmlCT,
			`<callcases page="1" count="1"><callcase>` + xmlCase + `</callcase></callcases>`, "callcase"},
		{"list page with count as an element", get("/xml/callcases/?project=p1"), 200, xmlCT,
			`<callcases page="1"><count>1</count>` + xmlCase + `</callcases>`, "<count> is an element here"},
		{"list page without items", get("/xml/callcases/?project=p1"), 200, xmlCT, `<callcases page="1" count="1"/>`, "callcase"},
		{"not found", get("/xml/callcases/zzz"), 404, xmlCT, notFound, ""},
		{"not found as text/xml", get("/xml/callcases/zzz"), 404, textXML, notFound, ""},
		{"not found, wrong message", get("/xml/callcases/zzz"), 404, xmlCT, strings.Replace(notFound, "не найден", "not found", 1), "message"},
		{"not found, code and status disagree", get("/xml/callcases/zzz"), 404, xmlCT, strings.Replace(notFound, "404", "400", 1), "HTTP status is 404"},
		{"not found, code as an attribute", get("/xml/callcases/zzz"), 404, xmlCT,
			`<status code="404"><text>Not Found</text><message>Объект или один из параметров запроса не найден</message></status>`, "code is an attribute"},
		{"not found as JSON on an /xml/ path", get("/xml/callcases/zzz"), 404, jsonCT,
			`{"code":404,"text":"Not Found","message":"Объект или один из параметров запроса не найден"}`, "on an /xml/ path"},
		{"created", exchange("POST", "/xml/callcases/?project=p1", "application/xml", `<callcase><title>x</title></callcase>`), 201,
			withHeader(xmlCT, "Location", "http://target.test/fx/api/v1/xml/callcases/abc"), created, ""},
		{"300 with uuids", get("/xml/projects/p1/callcases/x"), 300, xmlCT,
			`<status><code>300</code><text>Multiple Choices</text><message>Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором</message>` +
				`<uuids><uuid>a</uuid><uuid>b</uuid></uuids></status>`, ""},
		{"300 with uuids unwrapped", get("/xml/projects/p1/callcases/x"), 300, xmlCT,
			`<status><code>300</code><text>Multiple Choices</text><message>Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором</message>` +
				`<uuid>a</uuid><uuid>b</uuid></status>`, "uuid"},
		{"batch result", exchange("DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><uuid>a</uuid></objectLinks>`), 200, xmlCT,
			`<status><code>200</code><text>OK</text><message>Запрос выполнен успешно</message><result>` +
				`<item><id/><uuid>a</uuid><code>404</code><text>Not Found</text><message>Объект или один из параметров запроса не найден</message></item></result></status>`, ""},
		{"batch result with an item's message not the table's", exchange("DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><uuid>a</uuid></objectLinks>`), 200, xmlCT,
			`<status><code>200</code><text>OK</text><message>Запрос выполнен успешно</message><result>` +
				`<item><id/><uuid>a</uuid><code>404</code><text>Not Found</text><message>m</message></item></result></status>`, "batch item: message"},
		{"batch result with a 300 item and its uuids", exchange("DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><id>x</id></objectLinks>`), 200, xmlCT,
			`<status><code>200</code><text>OK</text><message>Запрос выполнен успешно</message><result>` +
				`<item><id>x</id><code>300</code><text>Multiple Choices</text><message>Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором</message><uuids><uuid>a</uuid><uuid>b</uuid></uuids></item></result></status>`, ""},
		{"batch result with a 300 item without uuids", exchange("DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><id>x</id></objectLinks>`), 200, xmlCT,
			`<status><code>200</code><text>OK</text><message>Запрос выполнен успешно</message><result>` +
				`<item><id>x</id><code>300</code><text>Multiple Choices</text><message>Ошибка возникает если найдено более одного кейса с одинаковым внешним идентификатором</message></item></result></status>`, "a 300 item without uuids"},
		{"batch result with an item's text not the table's", exchange("DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><uuid>a</uuid></objectLinks>`), 200, xmlCT,
			`<status><code>200</code><text>OK</text><message>Запрос выполнен успешно</message><result>` +
				`<item><id/><uuid>a</uuid><code>404</code><text>Missing</text><message>Объект или один из параметров запроса не найден</message></item></result></status>`, "batch item: text"},
		{"operators", get("/xml/projects/p1/operators/"), 200, xmlCT, `<operators><operator><uuid>o1</uuid><login>op</login><title>Op</title></operator></operators>`, ""},
		{"project", get("/xml/projects/p1"), 200, xmlCT, `<project><uuid>p1</uuid><title/><state>running</state><operatorAssignmentMode>manual</operatorAssignmentMode></project>`, ""},
		{"project in a wrong state", get("/xml/projects/p1"), 200, xmlCT, `<project><uuid>p1</uuid><title/><state>paused</state><operatorAssignmentMode>manual</operatorAssignmentMode></project>`, "state"},
		{"state stays text", get("/xml/callcases/abc/get-state"), 200, http.Header{"Content-Type": {"text/plain"}}, "new", ""},
		{"unknown path answers an XML status body", get("/xml/nowhere"), 404, xmlCT, notFound, ""},
		{"unknown path answers JSON on /xml/", get("/xml/nowhere"), 404, jsonCT,
			`{"code":404,"text":"Not Found","message":"Объект или один из параметров запроса не найден"}`, "application/xml or text/xml"},
		{"unknown path answers a wrong XML message", get("/xml/nowhere"), 404, xmlCT, strings.Replace(notFound, "не найден", "nope", 1), "message"},
		{"unknown path answers XML garbage", get("/xml/nowhere"), 404, xmlCT, `<error>nope</error>`, "root element <error>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.ValidateResponse(tc.req, nil, tc.status, tc.header, []byte(tc.body))
			switch {
			case tc.violate == "" && err != nil:
				t.Fatalf("conforming response rejected: %v", err)
			case tc.violate != "" && err == nil:
				t.Fatalf("violation %q not detected", tc.violate)
			case tc.violate != "" && !strings.Contains(err.Error(), tc.violate):
				t.Fatalf("violation should mention %q: %v", tc.violate, err)
			}
		})
	}
}

func TestValidateXMLRequests(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method, path, contentType, body string
		violate                               string
	}{
		{"create", "POST", "/xml/callcases/?project=p1", "application/xml", `<callcase><title>x</title><extra>1</extra></callcase>`, ""},
		{"create as text/xml with a charset", "POST", "/xml/callcases/?project=p1", "text/xml; charset=UTF-8", `<?xml version="1.0" encoding="UTF-8"?><callcase><title>x</title></callcase>`, ""},
		{"create without a title", "POST", "/xml/callcases/?project=p1", "application/xml", `<callcase><comment>c</comment></callcase>`, "title"},
		{"create with an empty title", "POST", "/xml/callcases/?project=p1", "application/xml", `<callcase><title/></callcase>`, "title"},
		{"create with phone numbers", "POST", "/xml/callcases/?project=p1", "application/xml",
			`<callcase><title>x</title><phoneNumbers><phoneNumber phoneNumberType="MOBILE">8</phoneNumber><phoneNumber>9</phoneNumber></phoneNumbers></callcase>`, ""},
		{"create with a wrong root", "POST", "/xml/callcases/?project=p1", "application/xml", `<case><title>x</title></case>`, "root element <case>"},
		{"create as JSON on an /xml/ path", "POST", "/xml/callcases/?project=p1", "application/json", `{"title":"x"}`, "on an /xml/ path"},
		{"create as XML on a /json/ path", "POST", "/json/callcases/?project=p1", "application/xml", `<callcase><title>x</title></callcase>`, "on a /json/ path"},
		{"batch create", "POST", "/xml/projects/p1/callcases-batch/", "application/xml", `<callcases><callcase><id>e</id><title>t</title></callcase></callcases>`, ""},
		{"batch create without ids", "POST", "/xml/projects/p1/callcases-batch/", "application/xml", `<callcases><callcase><title>t</title></callcase></callcases>`, "id"},
		{"batch create of nothing", "POST", "/xml/projects/p1/callcases-batch/", "application/xml", `<callcases/>`, "callcase"},
		{"batch delete by uuid", "DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><uuid>a</uuid></objectLinks>`, ""},
		{"batch delete by both", "DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><uuid>a</uuid><id>b</id></objectLinks>`, "oneOf"},
		{"batch delete by neither", "DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<objectLinks><link>a</link></objectLinks>`, "is missing"},
		{"batch delete under another root", "DELETE", "/xml/projects/p1/callcases-batch/", "application/xml", `<callcases><uuid>a</uuid></callcases>`, "objectLinks"},
		{"assign", "POST", "/xml/projects/p1/operators/", "application/xml", `<operator><uuid>o1</uuid></operator>`, ""},
		{"assign without a uuid", "POST", "/xml/projects/p1/operators/", "application/xml", `<operator/>`, "uuid"},
		{"set-state stays a form", "POST", "/xml/callcases/abc/set-state", "application/x-www-form-urlencoded", "state=new", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.ValidateRequest(exchange(tc.method, tc.path, tc.contentType, tc.body), []byte(tc.body))
			switch {
			case tc.violate == "" && err != nil:
				t.Fatalf("conforming request rejected: %v", err)
			case tc.violate != "" && err == nil:
				t.Fatalf("violation %q not detected", tc.violate)
			case tc.violate != "" && !strings.Contains(err.Error(), tc.violate):
				t.Fatalf("violation should mention %q: %v", tc.violate, err)
			}
		})
	}
}

// One value, two encodings: what EncodeXML writes, DecodeXML reads back as
// the JSON value it came from, and in the shape openapi.yaml describes.
func TestEncodeXMLRoundTrip(t *testing.T) {
	s := schemas(t)
	for _, tc := range []struct{ schema, json, xml string }{
		{"CallCase", jsonCase, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + xmlCase},
		{"CallCaseList", `{"page":1,"count":150,"callcase":[` + jsonCase + `]}`, `<callcases page="1" count="150"><callcase><uuid>abc123</uuid>`},
		{"Status", `{"code":404,"text":"Not Found","message":"m","detail":"no such case"}`, `<status><code>404</code><text>Not Found</text><message>m</message><detail>no such case</detail></status>`},
		{"MultipleChoicesStatus", `{"code":300,"text":"t","message":"m","uuids":["a","b"]}`, `<uuids><uuid>a</uuid><uuid>b</uuid></uuids>`},
		{"BatchStatus", `{"code":200,"text":"OK","message":"m","result":[{"id":"x","uuid":null,"code":400,"text":"t","message":"m"},` +
			`{"id":"y","uuid":"u","code":300,"text":"t","message":"m","uuids":["a","b"]}]}`,
			`<result><item><id>x</id><code>400</code>`},
		{"BatchCreate", `{"callcase":[{"id":"e1","title":"one"}]}`, `<callcases><callcase><id>e1</id><title>one</title></callcase></callcases>`},
		{"BatchDelete", `{"id":["a b","c&d"]}`, `<objectLinks><id>a b</id><id>c&amp;d</id></objectLinks>`},
		{"OperatorLink", `{"uuid":"o1"}`, `<operator><uuid>o1</uuid></operator>`},
		{"OperatorList", `{"operator":[{"uuid":"o1","login":"l","title":""}]}`, `<operators><operator><uuid>o1</uuid><login>l</login><title/></operator></operators>`},
		{"Project", `{"uuid":"p","title":"P","state":"running","operatorAssignmentMode":"manual"}`, `<project><uuid>p</uuid><title>P</title>`},
		{"CallCaseFields", `{"title":"tab\there\r\nand <more> \"quoted\" 'too'","phoneNumbers":{"phoneNumber":[]},"unknown":{"deep":[1,2]}}`,
			`<phoneNumbers/><unknown><deep>1</deep><deep>2</deep></unknown>`},
		{"CallCaseFields", `{"title":"t","priority":12345678901,"comment":""}`, `<priority>12345678901</priority><comment/>`},
	} {
		t.Run(tc.schema, func(t *testing.T) {
			x, err := contract.EncodeXML(s[tc.schema], json.RawMessage(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(x), tc.xml) {
				t.Fatalf("encoded\n  %s\nwant it to hold\n  %s", x, tc.xml)
			}
			want := jsonValue(t, tc.json)
			if tc.schema == "CallCaseFields" {
				// A member the schema does not name is written, and skipped when read.
				delete(want.(map[string]any), "unknown")
			}
			sameValue(t, decode(t, s[tc.schema], string(x)), want)
		})
	}
}

func TestEncodeXMLFromGoValues(t *testing.T) {
	s := schemas(t)
	type phone struct {
		Value string `json:"value"`
		Type  string `json:"phoneNumberType,omitempty"`
	}
	type fields struct {
		Title    string  `json:"title"`
		Priority *int    `json:"priority,omitempty"`
		Comment  *string `json:"comment"`
		Phones   struct {
			Phone []phone `json:"phoneNumber"`
		} `json:"phoneNumbers"`
	}
	v := fields{Title: "T"}
	v.Phones.Phone = []phone{{Value: "8", Type: "HOME"}}
	x, err := contract.EncodeXML(s["CallCaseCreate"], v)
	if err != nil {
		t.Fatal(err)
	}
	const want = `<callcase><title>T</title><phoneNumbers><phoneNumber phoneNumberType="HOME">8</phoneNumber></phoneNumbers></callcase>`
	if got := strings.TrimPrefix(string(x), contract.XMLDeclaration); got != want {
		t.Fatalf("encoded\n  %s\nwant (members in the struct's order, null left out)\n  %s", got, want)
	}
	for name, bad := range map[string]any{
		"a character XML cannot carry":   map[string]any{"title": "a\x01b"},
		"a member name XML cannot carry": map[string]any{"title": "t", "two words": 1},
		"a value JSON cannot carry":      map[string]any{"title": make(chan int)},
		"null":                           nil,
	} {
		if x, err := contract.EncodeXML(s["CallCaseCreate"], bad); err == nil {
			t.Errorf("%s: encoded to %s", name, x)
		}
	}
	if _, err := contract.EncodeXML(openapi3.NewSchemaRef("", openapi3.NewObjectSchema()), map[string]any{}); err == nil {
		t.Error("a schema without an XML name encoded")
	}
}

func TestRequestAndResponseSchemas(t *testing.T) {
	c, err := contract.Load(base)
	if err != nil {
		t.Fatal(err)
	}
	doc := c.Document()
	byName := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	for _, tc := range []struct {
		method, path string
		status       int // 0: the request body
		want         *openapi3.Schema
	}{
		{"POST", "/xml/callcases/?project=p", 0, byName("CallCaseCreate")},
		{"DELETE", "/xml/projects/p/callcases-batch/", 0, byName("BatchDelete")},
		{"POST", "/json/projects/p/operators/", 0, byName("OperatorLink")},
		{"GET", "/xml/callcases/abc", 0, nil},
		{"GET", "/xml/callcases/abc", 200, byName("CallCase")},
		{"GET", "/xml/callcases/abc", 404, byName("Status")},
		{"GET", "/xml/projects/p/callcases/x", 300, byName("MultipleChoicesStatus")},
		{"PUT", "/xml/projects/p/callcases-batch/", 200, byName("BatchStatus")},
		{"GET", "/xml/callcases/?project=p", 204, nil},
	} {
		req := exchange(tc.method, tc.path, "", "")
		var got *openapi3.SchemaRef
		var err error
		if tc.status == 0 {
			got, err = c.RequestSchema(req)
		} else {
			got, err = c.ResponseSchema(req, tc.status)
		}
		if err != nil {
			t.Errorf("%s %s %d: %v", tc.method, tc.path, tc.status, err)
			continue
		}
		if (got == nil) != (tc.want == nil) || got != nil && got.Value != tc.want {
			t.Errorf("%s %s %d: got schema %v", tc.method, tc.path, tc.status, got)
		}
	}
	if _, err := c.ResponseSchema(exchange("GET", "/xml/callcases/abc", "", ""), 209); err == nil {
		t.Error("an undocumented status has a schema")
	}
	if _, err := c.RequestSchema(exchange("GET", "/xml/nowhere", "", "")); err == nil {
		t.Error("an unknown path has a schema")
	}
	if c.StatusSchema().Value != byName("Status") {
		t.Error("StatusSchema is not Status")
	}
}

func TestMediaTypes(t *testing.T) {
	for ct, want := range map[string][2]bool{
		"application/xml":                  {true, false},
		"Text/XML; charset=utf-8":          {true, false},
		"application/json":                 {false, true},
		"application/json;charset=UTF-8":   {false, true},
		"application/problem+json":         {false, false},
		"application/xhtml+xml":            {false, false},
		"":                                 {false, false},
		"text/plain":                       {false, false},
		"application/xml; charset=\"utf-8": {true, false},
	} {
		if got := [2]bool{contract.IsXMLMediaType(ct), contract.IsJSONMediaType(ct)}; got != want {
			t.Errorf("%q: xml, json = %v, want %v", ct, got, want)
		}
	}
}
