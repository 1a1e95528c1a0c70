package reference

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The XML representation: each operation under /xml/ with the element
// names and shapes of the XML table in docs/rules.md, the same values as
// JSON, and XML status bodies for every error on an /xml/ path.

// wantXML compares a body with the document a test writes out; the
// declaration may lead.
func (e *exchange) wantXML(want string) *exchange {
	e.t.Helper()
	if ct := e.header.Get("Content-Type"); ct != xmlCodec.contentType {
		e.t.Errorf("%s: Content-Type %q, want %q", e.req, ct, xmlCodec.contentType)
	}
	got := strings.TrimSpace(strings.TrimPrefix(string(e.body), xmlDeclaration))
	if got != want {
		e.t.Errorf("%s → %d:\n got %s\nwant %s", e.req, e.status, got, want)
	}
	return e
}

// xmlStatus is the status body of code as a document, with the detail the
// answer carries (free text, never asserted) and what follows it.
func (e *exchange) xmlStatus(code int, after string) *exchange {
	e.t.Helper()
	row := table.MustLookup(code)
	detail := ""
	var sb statusBody
	if xml.Unmarshal(e.body, &sb) == nil && sb.Detail != "" {
		detail = "<detail>" + esc(sb.Detail) + "</detail>"
	}
	return e.is(code).wantXML(fmt.Sprintf("<status><code>%d</code><text>%s</text><message>%s</message>%s%s</status>", code, row.Text, row.Message, detail, after))
}

// esc escapes text as an XML writer does.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// caseXML is a case read as XML, written out from its JSON read: the same
// case carries the same values in both formats.
func caseXML(c caseView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<callcase><uuid>%s</uuid>", c.UUID)
	if c.ID != nil {
		fmt.Fprintf(&b, "<id>%s</id>", esc(*c.ID))
	}
	fmt.Fprintf(&b, "<title>%s</title><parent><uuid>%s</uuid><title>%s</title></parent><state><id>%s</id><title>%s</title></state>",
		esc(c.Title), c.Parent.UUID, esc(c.Parent.Title), c.State.ID, c.State.Title)
	fmt.Fprintf(&b, "<priority>%d</priority><comment>%s</comment><phoneNumbers>", c.Priority, esc(c.Comment))
	for _, n := range c.PhoneNumbers.PhoneNumber {
		if n.Type != "" {
			fmt.Fprintf(&b, `<phoneNumber phoneNumberType="%s">%s</phoneNumber>`, n.Type, esc(n.Value))
		} else {
			fmt.Fprintf(&b, "<phoneNumber>%s</phoneNumber>", esc(n.Value))
		}
	}
	fmt.Fprintf(&b, "</phoneNumbers><creationDate>%s</creationDate><lastModified>%s</lastModified>", c.CreationDate, c.LastModified)
	if c.ScheduledTime != nil {
		fmt.Fprintf(&b, "<scheduledTime>%s</scheduledTime>", *c.ScheduledTime)
	}
	if c.Operator != nil {
		fmt.Fprintf(&b, "<operator><uuid>%s</uuid><login>%s</login><title>%s</title></operator>", c.Operator.UUID, c.Operator.Login, esc(c.Operator.Title))
	}
	b.WriteString("</callcase>")
	return b.String()
}

// readBoth reads a case in both formats, checks that they agree, and
// returns the JSON read.
func (h *harness) readBoth(uuid string) caseView {
	h.t.Helper()
	c := h.getCase(uuid)
	h.do("GET", xmlAPI("/callcases/"+uuid)).is(200).wantXML(caseXML(c))
	return c
}

func TestXMLCreateAndRead(t *testing.T) { // S201-create, S200-get in XML
	h := start(t)
	e := h.do("POST", xmlAPI("/callcases/?project="+h.fx.Project), withXML(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<callcase>
  <id>crm-42 &amp; co</id>
  <title>Иванов И.И.</title>
  <priority>3</priority>
  <comment/>
  <phoneNumbers>
    <phoneNumber phoneNumberType="HOME">8000000000</phoneNumber>
    <phoneNumber phoneNumberType="OTHER">8000000001</phoneNumber>
  </phoneNumbers>
  <!-- server-managed and unknown elements are ignored -->
  <state><id>finished</id></state>
  <parent><uuid>x</uuid></parent>
  <color>blue</color>
</callcase>`)).xmlStatus(201, "")
	uuid := e.created(h)
	c := h.readBoth(uuid)
	want := []phoneView{{"8000000000", "HOME"}, {"8000000001", "OTHER"}}
	if deref(c.ID) != `"crm-42 & co"` || c.Title != "Иванов И.И." || c.Priority != 3 || c.Comment != "" || c.State.ID != "new" ||
		!slices.Equal(c.PhoneNumbers.PhoneNumber, want) || c.Parent.UUID != h.fx.Project {
		t.Errorf("read back %+v", c)
	}
	// a minimal case: no id, no phones; absent members are absent elements
	uuid = h.do("POST", xmlAPI("/callcases/?project="+h.fx.Project), withXML(`<callcase><title>t</title></callcase>`)).is(201).created(h)
	if c := h.readBoth(uuid); c.ID != nil || len(c.PhoneNumbers.PhoneNumber) != 0 {
		t.Errorf("read back %+v", c)
	}
}

func TestXMLValuesCrossFormats(t *testing.T) { // the same values through either format
	h := start(t)
	const awkward = " <a href=\"x\">&amp;</a> 'q'\t\r\nend "
	viaJSON := h.create(map[string]any{"title": awkward, "comment": "\r\n", "id": "ид 1/2 <&>",
		"phoneNumbers": map[string]any{"phoneNumber": []map[string]string{{"value": "+7 (800) <1>", "phoneNumberType": "MOBILE"}}}})
	h.readBoth(viaJSON)

	viaXML := h.do("POST", xmlAPI("/projects/"+h.fx.Project+"/callcases/"), withXML(
		`<callcase><id>ид 2</id><title>`+esc(awkward)+`</title><comment><![CDATA[<not markup>]]></comment>`+
			`<priority> 1e3 </priority><phoneNumbers></phoneNumbers></callcase>`)).is(201).created(h)
	c := h.readBoth(viaXML)
	if c.Title != awkward || c.Comment != "<not markup>" || c.Priority != 1000 {
		t.Errorf("read back title %q comment %q priority %d", c.Title, c.Comment, c.Priority)
	}
}

func TestXMLLocationIsAbsolute(t *testing.T) { // S201-create, S201-create-ext in both formats
	h := start(t)
	for _, c := range []*codec{jsonCodec, xmlCodec} {
		body := withJSON(map[string]any{"title": "t", "id": "loc-" + c.name})
		if c == xmlCodec {
			body = withXML(`<callcase><title>t</title><id>loc-xml</id></callcase>`)
		}
		for _, target := range []string{in(c, "/callcases/?project="+h.fx.Project), in(c, "/projects/"+h.fx.Project+"/callcases/")} {
			if target != in(c, "/callcases/?project="+h.fx.Project) {
				// free the external id for the create that keys on it
				h.do("DELETE", in(c, "/projects/"+h.fx.Project+"/callcases/loc-"+c.name)).is(200)
			}
			e := h.do("POST", target, body).is(201)
			uuid := e.created(h) // absolute, under the format's path
			if got := h.do("GET", strings.TrimPrefix(e.header.Get("Location"), h.ts.URL)).is(200).callCase(); got.UUID != uuid {
				t.Errorf("%s: Location reads %s", target, got.UUID)
			}
		}
	}
}

func TestXMLUpdateAndDelete(t *testing.T) { // S200-update, S200-delete, E404-* in XML
	h := start(t)
	uuid := h.create(map[string]any{"title": "t", "comment": "kept", "id": "x1"})
	h.do("PUT", xmlAPI("/callcases/"), withXML(`<callcase><uuid>`+uuid+`</uuid><title>new</title><priority>-2</priority></callcase>`)).xmlStatus(200, "")
	if c := h.readBoth(uuid); c.Title != "new" || c.Comment != "kept" || c.Priority != -2 {
		t.Errorf("after a partial update %+v", c)
	}
	h.do("PUT", xmlAPI("/projects/"+h.fx.Project+"/callcases/"), withXML(`<callcase><id>x1</id><phoneNumbers><phoneNumber phoneNumberType="WORK">1</phoneNumber></phoneNumbers></callcase>`)).xmlStatus(200, "")
	if c := h.readBoth(uuid); len(c.PhoneNumbers.PhoneNumber) != 1 || c.PhoneNumbers.PhoneNumber[0].Value != "1" {
		t.Errorf("after an update by id %+v", c)
	}
	// <phoneNumbers/> is an object with no members: the phones are cleared
	h.do("PUT", xmlAPI("/callcases/"), withXML(`<callcase><uuid>`+uuid+`</uuid><phoneNumbers/></callcase>`)).is(200)
	if c := h.readBoth(uuid); len(c.PhoneNumbers.PhoneNumber) != 0 {
		t.Errorf("phones %+v after <phoneNumbers/>", c.PhoneNumbers)
	}
	h.do("PUT", xmlAPI("/callcases/"), withXML(`<callcase><uuid>nosuchcase</uuid><title>t</title></callcase>`)).xmlStatus(404, "")
	h.do("PUT", xmlAPI("/callcases/"), withXML(`<callcase><title>t</title></callcase>`)).xmlStatus(400, "")
	h.do("GET", xmlAPI("/projects/"+h.fx.Project+"/callcases/x1")).is(200).wantXML(caseXML(h.getCase(uuid)))

	h.do("DELETE", xmlAPI("/callcases/"+uuid)).xmlStatus(200, "")
	h.do("GET", xmlAPI("/callcases/"+uuid)).xmlStatus(404, "")
	h.do("DELETE", xmlAPI("/callcases/"+uuid)).xmlStatus(404, "")
	h.create(map[string]any{"title": "t", "id": "x2"})
	h.do("DELETE", xmlAPI("/projects/"+h.fx.Project+"/callcases/x2")).xmlStatus(200, "")
	h.do("GET", xmlAPI("/projects/"+h.fx.Project+"/callcases/x2")).xmlStatus(404, "")
}

func TestXMLState(t *testing.T) { // S200-state in XML: get-state stays text, set-state a form
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	e := h.do("GET", xmlAPI("/callcases/"+uuid+"/get-state")).is(200)
	if string(e.body) != "new" || e.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("get-state: %q %q", e.header.Get("Content-Type"), e.body)
	}
	h.do("POST", xmlAPI("/callcases/"+uuid+"/set-state"), withForm(url.Values{
		"state": {"adjourned"}, "operator": {h.fx.Operator}, "date": {"2030-01-02T03:04:05Z"},
	})).xmlStatus(200, "")
	c := h.readBoth(uuid) // with scheduledTime and operator
	if c.State.ID != "adjourned" || c.Operator == nil || c.ScheduledTime == nil {
		t.Errorf("after set-state %+v", c)
	}
	h.do("POST", xmlAPI("/callcases/"+uuid+"/set-state"), withForm(url.Values{"state": {"bogus"}})).xmlStatus(400, "")
	h.do("POST", xmlAPI("/callcases/"+uuid+"/set-state"), withXML(`<state>new</state>`), offContract()).xmlStatus(400, "")
	h.do("GET", xmlAPI("/callcases/nosuchcase/get-state")).xmlStatus(404, "")
}

func TestXMLList(t *testing.T) { // S200-list, S204-* in XML
	h := start(t)
	list := xmlAPI("/callcases/?project=" + h.fx.Project)
	e := h.do("GET", list).is(204)
	if len(e.body) != 0 {
		t.Errorf("204 with %q", e.body)
	}
	// one item is still a repeated <callcase>, with no wrapper
	one := h.readBoth(h.create(map[string]any{"title": "one"}))
	h.do("GET", list).is(200).wantXML(`<callcases page="1" count="1">` + caseXML(one) + `</callcases>`)
	two := h.readBoth(h.create(map[string]any{"title": "two"}))
	got := h.do("GET", list).is(200).list()
	if got.Page != 1 || got.Count != 2 || len(got.CallCase) != 2 {
		t.Fatalf("list of two: %+v", got)
	}
	h.do("GET", list).wantXML(`<callcases page="1" count="2">` + caseXML(got.CallCase[0]) + caseXML(got.CallCase[1]) + `</callcases>`)
	if !slices.ContainsFunc(got.CallCase, func(c caseView) bool { return c.UUID == two.UUID }) {
		t.Errorf("list %+v lacks %s", got, two.UUID)
	}
	h.do("GET", list+"&page=2").is(204)
	h.do("GET", list+"&state=finished").is(204)
	h.do("GET", list+"&page=0").xmlStatus(400, "")
	h.do("GET", xmlAPI("/callcases/?project=nosuchproject")).xmlStatus(404, "")
}

func TestXMLBatch(t *testing.T) { // E209-batch-duplicate, E400-empty-batch in XML
	h := start(t)
	batch := xmlAPI("/projects/" + h.fx.Project + "/callcases-batch/")
	h.create(map[string]any{"id": "exists", "title": "t"})
	e := h.do("POST", batch, withXML(`<callcases>
	<callcase><id>b1</id><title>one</title></callcase>
	<callcase><id>exists</id><title>two</title></callcase>
	<callcase><title>no id</title></callcase>
</callcases>`), offContract()).is(200)
	items := e.batch()
	checkItems(t, items, []wantItem{{201, ptr("b1"), true}, {209, ptr("exists"), false}, {400, nil, false}})
	item := func(code int, inner string) string {
		row := table.MustLookup(code)
		return fmt.Sprintf("%s<code>%d</code><text>%s</text><message>%s</message>", inner, code, row.Text, row.Message)
	}
	// a failed item's null uuid (and null id) are absent elements
	e.xmlStatus(200, "<result><item>"+item(201, "<id>b1</id><uuid>"+*items[0].UUID+"</uuid>")+
		"</item><item>"+item(209, "<id>exists</id>")+"<detail>"+esc(items[1].Detail)+"</detail></item><item>"+
		item(400, "")+"<detail>"+esc(items[2].Detail)+"</detail></item></result>")
	h.readBoth(*items[0].UUID)

	// one item is one repeated <item>
	h.do("PUT", batch, withXML(`<callcases><callcase><id>b1</id><comment>c</comment></callcase></callcases>`)).
		xmlStatus(200, "<result><item>"+item(200, "<id>b1</id><uuid>"+*items[0].UUID+"</uuid>")+"</item></result>")
	if c := h.getCase(*items[0].UUID); c.Comment != "c" {
		t.Errorf("batch update: comment %q", c.Comment)
	}
	h.do("DELETE", batch, withXML(`<objectLinks><uuid>`+*items[0].UUID+`</uuid><uuid>nosuchcase</uuid></objectLinks>`)).
		xmlStatus(200, "<result><item>"+item(200, "<id>b1</id><uuid>"+*items[0].UUID+"</uuid>")+"</item><item>"+item(404, "<uuid>nosuchcase</uuid>")+
			"<detail>no case nosuchcase in project "+h.fx.Project+"</detail></item></result>")
	h.do("DELETE", batch, withXML(`<objectLinks><id>exists</id></objectLinks>`)).is(200)

	for name, body := range map[string]string{
		"empty batch":          `<callcases/>`,
		"empty batch, spelled": `<callcases>  </callcases>`,
		"wrong root":           `<callcase><id>b9</id><title>t</title></callcase>`,
		"a list root":          `<objectLinks><id>b9</id></objectLinks>`,
	} {
		t.Run(name, func(t *testing.T) {
			h.on(t).do("POST", batch, withXML(body), offContract()).xmlStatus(400, "")
		})
	}
	for name, body := range map[string]string{
		"no keys":     `<objectLinks/>`,
		"both keys":   `<objectLinks><id>a</id><uuid>b</uuid></objectLinks>`,
		"wrong root":  `<callcases><id>a</id></callcases>`,
		"nested keys": `<objectLinks><uuid><uuid>a</uuid></uuid></objectLinks>`,
	} {
		t.Run("delete "+name, func(t *testing.T) {
			h.on(t).do("DELETE", batch, withXML(body), offContract()).xmlStatus(400, "")
		})
	}
	if n := h.caseCount(); n != 0 {
		t.Errorf("%d cases left", n)
	}
}

func TestXMLSharedExternalID(t *testing.T) { // E300-* in XML: <uuids> inside <status>
	h := start(t)
	both := twins(h, "twin")
	uuids := "<uuids><uuid>" + both[0] + "</uuid><uuid>" + both[1] + "</uuid></uuids>"
	for _, e := range []*exchange{
		h.do("GET", xmlAPI("/projects/"+h.fx.Project+"/callcases/twin")),
		h.do("PUT", xmlAPI("/projects/"+h.fx.Project+"/callcases/"), withXML(`<callcase><id>twin</id><title>changed</title></callcase>`)),
		h.do("DELETE", xmlAPI("/projects/"+h.fx.Project+"/callcases/twin")),
	} {
		e.xmlStatus(300, uuids)
		if sb := e.statusBody(); !slices.Equal(sb.UUIDs, both) {
			t.Errorf("%s: uuids %v", e.req, sb.UUIDs)
		}
	}
	items := h.do("PUT", xmlAPI("/projects/"+h.fx.Project+"/callcases-batch/"), withXML(`<callcases><callcase><id>twin</id><title>x</title></callcase></callcases>`)).is(200).batch()
	if len(items) != 1 || items[0].Code != 300 || !slices.Equal(items[0].UUIDs, both) {
		t.Errorf("batch item %+v", items)
	}
}

func TestXMLProjectAndOperators(t *testing.T) { // S201-operator, E409-operator-assigned, E501-operators-mode in XML
	h := start(t)
	p := h.project(h.fx.Project)
	h.do("GET", xmlAPI("/projects/"+h.fx.Project)).is(200).wantXML(fmt.Sprintf(
		"<project><uuid>%s</uuid><title>%s</title><state>stopped</state><operatorAssignmentMode>manual</operatorAssignmentMode></project>", p.UUID, p.Title))
	h.do("GET", xmlAPI("/projects/nosuchproject")).xmlStatus(404, "")

	operators := xmlAPI("/projects/" + h.fx.Project + "/operators/")
	busy := "<operator><uuid>employee000000000000000000000002</uuid><login>ivanova</login><title>Иванова Анна Сергеевна</title></operator>"
	free := "<operator><uuid>employee000000000000000000000001</uuid><login>petrov</login><title>Петров Пётр Петрович</title></operator>"
	h.do("GET", operators).is(200).wantXML("<operators>" + busy + "</operators>") // one is still a repeated <operator>
	assign := withXML("<operator><uuid>" + h.fx.Operator + "</uuid></operator>")
	h.do("POST", operators, assign).xmlStatus(201, "")
	h.do("GET", operators).is(200).wantXML("<operators>" + busy + free + "</operators>")
	h.do("POST", operators, assign).xmlStatus(409, "")
	h.do("POST", operators, withXML("<operator><uuid>employee999</uuid></operator>")).xmlStatus(404, "")
	h.do("POST", operators, withXML("<operators><operator><uuid>"+h.fx.Operator+"</uuid></operator></operators>"), offContract()).xmlStatus(400, "")
	h.do("POST", operators, withXML("<operator/>"), offContract()).xmlStatus(400, "")
	h.do("DELETE", operators+h.fx.Operator).xmlStatus(200, "")
	h.do("DELETE", operators+h.fx.Operator).xmlStatus(404, "")
	h.do("POST", xmlAPI("/projects/"+h.fx.AutoProject+"/operators/"), assign).xmlStatus(501, "")
	h.do("GET", xmlAPI("/projects/"+h.fx.CompletedProject+"/operators/")).is(204)
}

func TestXMLCallList(t *testing.T) { // S200-calllist, E400-unknown-cmd, E500-start-completed in XML
	h := start(t)
	calllist := func(project, cmd string) *exchange {
		return h.do("POST", xmlAPI("/projects/"+project+"/calllist/"), withForm(url.Values{"cmd": {cmd}}))
	}
	calllist(h.fx.Project, "stop").xmlStatus(200, "")
	calllist(h.fx.Project, "bogus").xmlStatus(400, "")
	calllist("nosuchproject", "stop").xmlStatus(404, "")
	calllist(h.fx.CompletedProject, "start").xmlStatus(500, "")
	h.setFault("dialer", "down")
	calllist(h.fx.Project, "update").xmlStatus(500, "")
}

func TestXMLErrorsBeforeRouting(t *testing.T) { // E401-*, E403-*, P-precedence in XML; the hook stays JSON
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	for _, target := range []string{xmlAPI("/callcases/" + uuid), xmlAPI("/nosuchpath"), xmlAPI("/projects/" + h.fx.Project)} {
		for _, who := range [][]option{{anonymous()}, {as("operator-admin", "wrong")}, {anonymous(), withHeader("Authorization", "Basic !!!")}} {
			e := h.do("GET", target, who...).xmlStatus(401, "")
			if got := e.header.Get("WWW-Authenticate"); got != `Basic realm="callcases"` {
				t.Errorf("%s: WWW-Authenticate %q", target, got)
			}
		}
		h.do("DELETE", target, readOnly()).xmlStatus(403, "")
	}
	h.do("POST", xmlAPI("/callcases/?project="+h.fx.Project), readOnly(), withXML(`<callcase><title>t</title></callcase>`)).xmlStatus(403, "")
	h.do("GET", xmlAPI("/nosuchpath")).xmlStatus(404, "")
	if c := h.readBoth(uuid); c.Title != "t" {
		t.Errorf("case changed: %+v", c)
	}
	// off the API's /xml/, every answer is JSON
	for _, e := range []*exchange{
		h.do("GET", faultsBase+"/", anonymous()).is(401),
		h.do("PUT", faultsBase+"/dialer", readOnly(), withJSON(map[string]string{"fault": "down"})).is(403),
		h.do("PUT", faultsBase+"/dialer", withXML(`<fault>down</fault>`)).is(400),
		h.do("GET", "/fx/api/v1/yaml/projects/"+h.fx.Project).is(404),
		h.do("GET", "/xml/callcases/"+uuid).is(404),
	} {
		e.statusBody()
	}
}

func TestXMLFaults(t *testing.T) { // E503-integration-down, E504-timeout in XML
	h := start(t)
	uuid := h.create(map[string]any{"title": "t"})
	for fault, code := range map[string]int{"down": 503, "timeout": 504} {
		h.setFault("integration", fault)
		h.do("GET", xmlAPI("/callcases/"+uuid)).xmlStatus(code, "")
		h.do("POST", xmlAPI("/callcases/?project="+h.fx.Project), withXML(`<callcase><title>t</title></callcase>`)).xmlStatus(code, "")
		h.do("GET", xmlAPI("/projects/"+h.fx.Project)).is(200) // not a case endpoint
	}
	h.setFault("integration", "none")
	if n := h.caseCount(); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

// TestXMLBadBodies: malformed XML, a wrong root, an element of the wrong
// type, a body in the other format: 400 with the status body of the path's
// format, and nothing created (E400-* in XML).
func TestXMLBadBodies(t *testing.T) {
	h := start(t)
	create := xmlAPI("/callcases/?project=" + h.fx.Project)
	deep := "<callcase><title>t</title>" + strings.Repeat("<a>", maxXMLDepth) + strings.Repeat("</a>", maxXMLDepth) + "</callcase>"
	for _, tc := range []struct{ name, contentType, body string }{
		{"empty body", "application/xml", ""},
		{"only a declaration", "application/xml", `<?xml version="1.0"?>`},
		{"malformed", "application/xml", `<callcase><title>t</callcase>`},
		{"unclosed", "application/xml", `<callcase><title>t</title>`},
		{"not XML", "application/xml", `title=t`},
		{"wrong root", "application/xml", `<case><title>t</title></case>`},
		{"a namespaced root", "application/xml", `<callcase xmlns="urn:x"><title>t</title></callcase>`},
		{"two roots", "application/xml", `<callcase><title>t</title></callcase><callcase><title>t</title></callcase>`},
		{"text after the root", "application/xml", `<callcase><title>t</title></callcase> x`},
		{"JSON on an XML path", "application/json", `{"title":"t"}`},
		{"JSON declared as XML", "application/xml", `{"title":"t"}`},
		{"text/plain", "text/plain", `<callcase><title>t</title></callcase>`},
		{"no content type", "", `<callcase><title>t</title></callcase>`},
		{"an XML-ish type", "application/atom+xml", `<callcase><title>t</title></callcase>`},
		{"no title", "application/xml", `<callcase><comment>c</comment></callcase>`},
		{"empty title", "application/xml", `<callcase><title/></callcase>`},
		{"title twice", "application/xml", `<callcase><title>a</title><title>b</title></callcase>`},
		{"title holds an element", "application/xml", `<callcase><title><b>t</b></title></callcase>`},
		{"priority abc", "application/xml", `<callcase><title>t</title><priority>abc</priority></callcase>`},
		{"priority empty", "application/xml", `<callcase><title>t</title><priority/></callcase>`},
		{"priority 1.5", "application/xml", `<callcase><title>t</title><priority>1.5</priority></callcase>`},
		{"priority null", "application/xml", `<callcase><title>t</title><priority>null</priority></callcase>`},
		{"priority too large", "application/xml", `<callcase><title>t</title><priority>1e300</priority></callcase>`},
		{"priority holds an element", "application/xml", `<callcase><title>t</title><priority><n>1</n></priority></callcase>`},
		{"phoneNumbers holds text", "application/xml", `<callcase><title>t</title><phoneNumbers>8000000000</phoneNumbers></callcase>`},
		{"phone without value", "application/xml", `<callcase><title>t</title><phoneNumbers><phoneNumber phoneNumberType="HOME"/></phoneNumbers></callcase>`},
		{"phone of unknown type", "application/xml", `<callcase><title>t</title><phoneNumbers><phoneNumber phoneNumberType="FAX">1</phoneNumber></phoneNumbers></callcase>`},
		{"bad uuid shape", "application/xml", `<callcase><title>t</title><uuid>ABC</uuid></callcase>`},
		{"id over 255 chars", "application/xml", `<callcase><title>t</title><id>` + strings.Repeat("я", 256) + `</id></callcase>`},
		{"a document type declaration", "application/xml", `<!DOCTYPE callcase [<!ENTITY x "boom">]><callcase><title>&x;</title></callcase>`},
		{"an undefined entity", "application/xml", `<callcase><title>&x;</title></callcase>`},
		{"an external entity", "application/xml", `<!DOCTYPE callcase SYSTEM "file:///etc/passwd"><callcase><title>t</title></callcase>`},
		{"another encoding", "application/xml", `<?xml version="1.0" encoding="ISO-8859-1"?><callcase><title>t</title></callcase>`},
		{"invalid UTF-8", "application/xml", "<callcase><title>\xff</title></callcase>"},
		{"a character XML cannot carry", "application/xml", `<callcase><title>&#1;</title></callcase>`},
		{"too deep", "application/xml", deep},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.on(t).do("POST", create, withRaw(tc.contentType, tc.body), offContract()).xmlStatus(400, "")
		})
	}
	// the reverse: XML on a JSON path
	h.do("POST", api("/callcases/?project="+h.fx.Project), withXML(`<callcase><title>t</title></callcase>`)).is(400).statusBody()
	h.do("PUT", api("/callcases/"), withRaw("text/xml", `<callcase><title>t</title></callcase>`)).is(400).statusBody()
	// over 16 MiB
	big := "<callcase><title>t</title><comment>" + strings.Repeat("x", maxBody) + "</comment></callcase>"
	h.do("POST", create, withXML(big), offContract()).xmlStatus(400, "")
	if n := h.caseCount(); n != 0 {
		t.Errorf("%d cases after bad requests", n)
	}
}

// TestXMLAcceptedBodies: what a client may vary without changing the values.
func TestXMLAcceptedBodies(t *testing.T) {
	h := start(t)
	create := xmlAPI("/callcases/?project=" + h.fx.Project)
	for _, tc := range []struct{ name, contentType, body string }{
		{"text/xml", "text/xml", `<callcase><title>t</title></callcase>`},
		{"type in capitals, with a charset", "Application/XML; charset=UTF-8", `<callcase><title>t</title></callcase>`},
		{"a byte order mark", "application/xml", "\uFEFF<callcase><title>t</title></callcase>"},
		{"a declaration, comments and spacing", "application/xml", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- c -->\n<callcase>\n <title>t</title>\n</callcase>\n"},
		{"character references", "application/xml", `<callcase><title>&#116;</title></callcase>`},
		{"an element split by a comment", "application/xml", `<callcase><title>t<!-- c --></title></callcase>`},
		{"an unknown namespaced element", "application/xml", `<callcase xmlns:x="urn:x"><x:title>ignored</x:title><title>t</title></callcase>`},
		{"an unknown element of mixed content", "application/xml", `<callcase><title>t</title><color shade="dark">blue<b>!</b></color></callcase>`},
		{"an unknown deep element", "application/xml", "<callcase><title>t</title>" + strings.Repeat("<a>", maxXMLDepth-1) + strings.Repeat("</a>", maxXMLDepth-1) + "</callcase>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.on(t)
			uuid := h.do("POST", create, withRaw(tc.contentType, tc.body), offContract()).is(201).created(h)
			if c := h.readBoth(uuid); c.Title != "t" {
				t.Errorf("title %q", c.Title)
			}
		})
	}
}

// TestXMLViewsMatchJSON: every view decodes from its XML to the value its
// JSON holds (the struct tags agree with each other).
func TestXMLViewsMatchJSON(t *testing.T) {
	h := start(t)
	uuid := h.create(map[string]any{"title": "t", "id": "v", "phoneNumbers": map[string]any{"phoneNumber": []map[string]string{{"value": "1", "phoneNumberType": "HOME"}}}})
	h.do("POST", api("/callcases/"+uuid+"/set-state"), withForm(url.Values{"state": {"finished"}, "operator": {h.fx.Operator}, "date": {"2030-01-02T03:04:05+05:00"}})).is(200)
	for _, tc := range []struct {
		path string
		v    func() any
	}{
		{"/callcases/" + uuid, func() any { return new(caseView) }},
		{"/callcases/?project=" + h.fx.Project, func() any { return new(listView) }},
		{"/projects/" + h.fx.Project, func() any { return new(projectView) }},
		{"/projects/" + h.fx.Project + "/operators/", func() any { return new(operatorsView) }},
		{"/callcases/nosuchcase", func() any { return new(statusBody) }},
	} {
		fromJSON, fromXML := tc.v(), tc.v()
		h.do("GET", api(tc.path)).decode(fromJSON)
		h.do("GET", xmlAPI(tc.path)).decode(fromXML)
		clearXMLNames(reflect.ValueOf(fromXML))
		if !reflect.DeepEqual(fromJSON, fromXML) {
			t.Errorf("%s:\n JSON %+v\n XML  %+v", tc.path, fromJSON, fromXML)
		}
	}
}

// clearXMLNames zeroes the XMLName fields a decoder fills, which JSON never does.
func clearXMLNames(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			clearXMLNames(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			clearXMLNames(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).Name == "XMLName" {
				v.Field(i).Set(reflect.Zero(v.Field(i).Type()))
				continue
			}
			clearXMLNames(v.Field(i))
		}
	}
}

func TestCodecFor(t *testing.T) {
	for path, want := range map[string]*codec{
		apiBase + "/xml/callcases/":   xmlCodec,
		apiBase + "/xml":              xmlCodec,
		apiBase + "/json/callcases/":  jsonCodec,
		apiBase + "/yaml/callcases/":  jsonCodec,
		apiBase + "/xmlx/callcases/":  jsonCodec,
		faultsBase + "/xml/":          jsonCodec,
		"/xml/callcases/":             jsonCodec,
		"/fx/api/v2/xml/callcases/":   jsonCodec,
		apiBase + "xml/callcases/":    jsonCodec,
		apiBase + "/XML/callcases/":   jsonCodec,
		apiBase + "/xml/../json/x/":   xmlCodec, // the path as routed: never cleaned, so 404 in XML
		apiBase + "/json/xml/project": jsonCodec,
	} {
		if got := codecFor(path); got != want {
			t.Errorf("codecFor(%q) = %s, want %s", path, got.name, want.name)
		}
	}
}
