package mutants

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/callcases/conformance/reference"
)

// The liberal variant: the reference server taking, at once or one at a
// time, every liberty docs/rules.md leaves an implementation. Each liberty
// keeps the contract: a suite that fails one of them fails a conforming
// server. The variant is selected like a mutant (cmd/reference -variant,
// CONFORMANCE_VARIANT for the embedded reference).

// Liberty is one freedom the design leaves an implementation.
type Liberty struct {
	Name   string
	Allows string // the rule that allows it, in one line
	set    func(*style)
}

// VariantLiberal names the variant that takes every liberty at once.
const VariantLiberal = "liberal"

// style is what a variant's answers take.
type style struct {
	unnamed, detail, listOrder, dates, lowercaseDates, integers   bool
	indent, noDeclaration, byteOrderMark, singleQuotes, cdata     bool
	charRefs, elementOrder, selfClosing, textXML, getStateNewline bool
	relativeLocation, challenges, extraHeaders, chunked, gzip     bool
	longUUIDs                                                     bool
}

func liberty(name, allows string, set func(*style)) Liberty {
	return Liberty{Name: name, Allows: allows, set: set}
}

var liberties = []Liberty{
	liberty("unnamed-members", "every answered object may carry members the design does not name (a case's completionDate and callForm, a request id on status bodies; in XML elements and attributes)", func(s *style) { s.unnamed = true }),
	liberty("status-detail", "a status body and a batch item may carry detail, free text never asserted", func(s *style) { s.detail = true }),
	liberty("list-order", "a list's order is unspecified but stable across pages", func(s *style) { s.listOrder = true }),
	liberty("date-offsets", "dates are RFC 3339 with any offset and any fraction: nine digits, another zone", func(s *style) { s.dates = true }),
	liberty("date-lowercase", "RFC 3339 allows t and z in lower case", func(s *style) { s.lowercaseDates = true }),
	liberty("integer-spelling", "an integer may be written 1.0 or 1e0 (JSON numbers and XML text alike)", func(s *style) { s.integers = true }),
	liberty("indented", "JSON and XML may be indented", func(s *style) { s.indent = true }),
	liberty("xml-no-declaration", "an XML declaration may lead, and need not", func(s *style) { s.noDeclaration = true }),
	liberty("xml-byte-order-mark", "an XML body may start with a byte order mark", func(s *style) { s.byteOrderMark = true }),
	liberty("xml-single-quotes", "XML attributes may be quoted with ' as well as \"", func(s *style) { s.singleQuotes = true }),
	liberty("xml-cdata", "XML text may be written as CDATA sections", func(s *style) { s.cdata = true }),
	liberty("xml-character-references", "XML text and attributes may use character references", func(s *style) { s.charRefs = true }),
	liberty("xml-element-order", "XML elements of an object may come in any order (a list's items keep theirs)", func(s *style) { s.elementOrder = true }),
	liberty("xml-self-closing", "an empty XML element may be written <x/> as well as <x></x>", func(s *style) { s.selfClosing = true }),
	liberty("xml-text-media-type", "XML answers may be text/xml, and JSON ones application/json without a charset", func(s *style) { s.textXML = true }),
	liberty("get-state-newline", "get-state's text may end with a newline", func(s *style) { s.getStateNewline = true }),
	liberty("relative-location", "Location may be relative; a client resolves it against the request", func(s *style) { s.relativeLocation = true }),
	liberty("challenges", "a 401 may carry other challenges before and after Basic's, in one header or several", func(s *style) { s.challenges = true }),
	liberty("extra-headers", "an answer may carry headers the design does not name", func(s *style) { s.extraHeaders = true }),
	liberty("chunked", "an answer may come chunked, without Content-Length", func(s *style) { s.chunked = true }),
	liberty("gzip", "an answer may be gzip-compressed when the client accepts it", func(s *style) { s.gzip = true }),
	liberty("long-uuids", "a server-assigned uuid is 1 to 64 characters of [0-9a-z]: here 64", func(s *style) { s.longUUIDs = true }),
}

// Liberties lists the liberties, each selectable alone by its name.
func Liberties() []Liberty { return slices.Clone(liberties) }

// Variants names every variant: the liberal one, then each liberty alone.
func Variants() []string {
	names := []string{VariantLiberal}
	for _, l := range liberties {
		names = append(names, l.Name)
	}
	return names
}

// WrapVariant returns the reference server taking the named variant's liberties.
func WrapVariant(name string, s *reference.Server) (http.Handler, error) {
	var st style
	switch i := slices.IndexFunc(liberties, func(l Liberty) bool { return l.Name == name }); {
	case name == VariantLiberal:
		for _, l := range liberties {
			l.set(&st)
		}
	case i >= 0:
		liberties[i].set(&st)
	default:
		return nil, fmt.Errorf("no variant %q (%s, or one liberty of: %s)", name, VariantLiberal, strings.Join(Variants()[1:], ", "))
	}
	t := &target{next: s}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := newCall(r)
		var edit func(*http.Request)
		if st.longUUIDs {
			if b := withLongUUIDs(c); b != nil {
				edit = withBody(b)
			}
		}
		rec := t.send(c, edit)
		st.answer(w, c, rec)
	}), nil
}

// answer writes the conforming answer as the style writes it.
func (st *style) answer(w http.ResponseWriter, c *call, rec *httptest.ResponseRecorder) {
	h := rec.Header()
	body := rec.Body.Bytes()
	api := c.format != ""
	ct := h.Get("Content-Type")
	switch {
	case api && len(body) > 0 && strings.HasPrefix(ct, "application/json"):
		body = st.json(body)
		if st.textXML {
			h.Set("Content-Type", "application/json")
		}
	case api && len(body) > 0 && strings.HasPrefix(ct, "application/xml"):
		body = st.xml(body)
		if st.textXML {
			h.Set("Content-Type", "text/xml; charset=UTF-8")
		}
	case api && rec.Code == http.StatusOK && c.is("GET /callcases/{uuid}/get-state") && st.getStateNewline:
		body = append(slices.Clone(body), '\n')
	}
	if loc := h.Get("Location"); loc != "" && st.relativeLocation {
		h.Set("Location", relative(c.URL.Path, loc))
	}
	if rec.Code == http.StatusUnauthorized && st.challenges {
		basic := h.Get("WWW-Authenticate")
		h["Www-Authenticate"] = []string{`Bearer realm="callcases", error="invalid_token", Negotiate`, basic + `, charset="UTF-8"`, `Digest realm="callcases", qop="auth", nonce="0a4f113b"`}
	}
	if st.extraHeaders {
		h.Set("X-Request-Id", randomID(16))
		h.Set("Cache-Control", "no-store")
		h.Set("Server", "callcases-liberal/1.0")
		h.Add("Vary", "Accept-Encoding")
	}
	h.Del("Content-Length")
	if st.gzip && len(body) > 0 && strings.Contains(c.Header.Get("Accept-Encoding"), "gzip") {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		_, _ = zw.Write(body)
		_ = zw.Close()
		body = z.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	for k, v := range h {
		w.Header()[k] = v
	}
	if !st.chunked && len(body) > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(rec.Code)
	if !st.chunked || len(body) < 2 {
		_, _ = w.Write(body)
		return
	}
	// Two chunks at least: the first half goes out before the rest is written.
	half := len(body) / 2
	_, _ = w.Write(body[:half])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	_, _ = w.Write(body[half:])
}

// relative is loc (absolute) as a reference relative to the request path.
func relative(reqPath, loc string) string {
	i := strings.Index(loc, "://")
	if i < 0 {
		return loc
	}
	slash := strings.IndexByte(loc[i+3:], '/')
	if slash < 0 {
		return loc
	}
	target := loc[i+3+slash:]
	dir := path.Dir(reqPath + "x") // the request's directory, its trailing slash kept by the x
	from := strings.Split(strings.Trim(dir, "/"), "/")
	to := strings.Split(strings.TrimPrefix(target, "/"), "/")
	n := 0
	for n < len(from) && n < len(to)-1 && from[n] == to[n] {
		n++
	}
	if n == 0 {
		return target // nothing shared: path-absolute
	}
	return strings.Repeat("../", len(from)-n) + strings.Join(to[n:], "/")
}

const base36 = "0123456789abcdefghijklmnopqrstuvwxyz"

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = base36[int(b[i])%len(base36)]
	}
	return string(b)
}

// withLongUUIDs is a create's body with a 64-character uuid for each case
// that names none, so that the server's uuids are as long as they may be;
// nil when the call is no create or its body does not parse (then it goes
// as it came).
func withLongUUIDs(c *call) []byte {
	if !c.is("POST /callcases/") && !c.is("POST /projects/{project}/callcases/") && !c.is("POST /projects/{project}/callcases-batch/") {
		return nil
	}
	// Only a body that reads back as it came is rewritten: not one that is
	// not UTF-8, nor one with escapes or references a decoder would
	// replace (half a surrogate pair), which the server must refuse, nor
	// one over the size limit, which it refuses unread.
	if len(c.body) > maxBody || !utf8.Valid(c.body) || bytes.Contains(c.body, []byte(`\u`)) || bytes.Contains(c.body, []byte("&#")) {
		return nil
	}
	batch := c.is("POST /projects/{project}/callcases-batch/")
	var at []insertion
	if c.inXML() {
		at = xmlCaseStarts(c.body, batch)
	} else {
		at = jsonCaseStarts(c.body, batch)
	}
	if len(at) == 0 {
		return nil
	}
	// The uuids go in where each case begins and the body is otherwise the
	// bytes that came: whatever else the server must make of it (a second
	// root, trailing text, a repeated member) it still sees.
	var b []byte
	last := 0
	for _, in := range at {
		b = append(b, c.body[last:in.offset]...)
		id := randomID(64)
		switch {
		case c.inXML():
			b = append(b, "<uuid>"+id+"</uuid>"...)
		case in.empty:
			b = append(b, `"uuid":"`+id+`"`...)
		default:
			b = append(b, `"uuid":"`+id+`",`...)
		}
		last = in.offset
	}
	return append(b, c.body[last:]...)
}

// insertion is where a case without a uuid begins: the offset just after
// its start tag or its opening brace, and whether it holds nothing.
type insertion struct {
	offset int
	empty  bool
}

// xmlCaseStarts finds the cases of a create (the root) or a batch (the
// root's callcase children) that hold no uuid element; nil when the body
// does not read as XML to its end.
func xmlCaseStarts(body []byte, batch bool) []insertion {
	d := xml.NewDecoder(bytes.NewReader(body))
	caseDepth := 0
	if batch {
		caseDepth = 1
	}
	var found []insertion
	depth, open, hasUUID, roots := 0, -1, false, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return found
		}
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if roots++; roots > 1 {
					return found // a second root: the server refuses the body
				}
			}
			switch {
			case depth == caseDepth && t.Name.Local == "callcase":
				off := int(d.InputOffset())
				if bytes.HasSuffix(body[:off], []byte("/>")) {
					break // <callcase/>: no room inside
				}
				open, hasUUID = off, false
			case depth == caseDepth+1 && open >= 0 && t.Name.Local == "uuid":
				hasUUID = true
			}
			depth++
		case xml.EndElement:
			depth--
			if depth == caseDepth && open >= 0 {
				if !hasUUID {
					found = append(found, insertion{offset: open})
				}
				open = -1
			}
		}
	}
}

// jsonCaseStarts finds the cases of a create (the root object) or a batch
// (the objects of the root's callcase array) that hold no uuid member; nil
// when the body is not one JSON value.
func jsonCaseStarts(body []byte, batch bool) []insertion {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	type frame struct {
		object, wantKey bool
		key             string // the member whose value comes next
		start           int    // just after the opening brace
		empty, uuid     bool
		isCase, isCases bool // a case; the batch's callcase array
	}
	var stack []*frame
	var found []insertion
	roots := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return found
		}
		if err != nil {
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		} else if roots++; roots > 1 {
			return nil // a second value after the body
		}
		if k, ok := tok.(string); ok && top != nil && top.object && top.wantKey {
			top.key, top.wantKey, top.empty = k, false, false
			top.uuid = top.uuid || top.isCase && k == "uuid"
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			f := &frame{object: tok == json.Delim('{'), wantKey: true, start: int(d.InputOffset()), empty: true}
			switch {
			case top == nil:
				f.isCase = f.object && !batch
			case top.isCases:
				f.isCase = f.object
			case batch && len(stack) == 1 && top.object && top.key == "callcase":
				f.isCases = !f.object
			}
			stack = append(stack, f)
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if top.isCase && !top.uuid {
				found = append(found, insertion{offset: top.start, empty: top.empty})
			}
			if len(stack) == 0 {
				continue
			}
			top = stack[len(stack)-1]
		}
		if top != nil && top.object {
			top.wantKey = true // its value has ended
		}
	}
}

// dateMembers are the members that hold dates.
var dateMembers = map[string]bool{"creationDate": true, "lastModified": true, "scheduledTime": true, "completionDate": true}

// date rewrites an RFC 3339 date as the style writes dates: the same instant.
func (st *style) date(member, s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	out := s
	if st.dates {
		zone := time.FixedZone("", -(9*60+30)*60) // -09:30
		if member == "lastModified" {
			zone = time.UTC
		}
		out = t.In(zone).Format("2006-01-02T15:04:05.000000000Z07:00")
	}
	if st.lowercaseDates {
		out = strings.ToLower(out)
	}
	return out
}

// integer spells an integer as the style writes integers: 1.0 for some
// members, 1e0 for others.
func (st *style) integer(member, s string) string {
	if !st.integers || strings.ContainsAny(s, ".eE") {
		return s
	}
	if member == "code" || member == "page" {
		return s + ".0"
	}
	return s + "e0"
}

// json rewrites a JSON answer; a body that does not parse is left alone.
func (st *style) json(body []byte) []byte {
	var v any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return body
	}
	st.editJSON("", v, true)
	var b bytes.Buffer
	st.writeJSON(&b, "", v, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

// editJSON edits a decoded value in place; key is its member's name.
func (st *style) editJSON(key string, v any, top bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && dateMembers[k] {
				v[k] = st.date(k, s)
				continue
			}
			st.editJSON(k, e, false)
		}
		_, isStatus := v["message"]
		_, isCase := v["creationDate"]
		if st.listOrder && top {
			if l, ok := v["callcase"].([]any); ok && v["page"] != nil {
				slices.Reverse(l)
			}
		}
		if st.detail && isStatus && v["detail"] == nil {
			v["detail"] = "liberal: free text for people"
		}
		if st.unnamed {
			switch {
			case isCase:
				v["completionDate"] = st.date("completionDate", time.Now().Format(time.RFC3339Nano))
				v["callForm"] = map[string]any{"uuid": "callform0001", "title": "Анкета", "fields": []any{json.Number("1"), "two", nil}}
			case isStatus:
				v["requestId"] = randomID(12)
			default:
				v["vendorExtension"] = map[string]any{"revision": json.Number("3"), "tags": []any{"a", "b"}}
			}
		}
	case []any:
		for _, e := range v {
			st.editJSON(key, e, false)
		}
	}
}

func (st *style) newline(b *bytes.Buffer, depth int) {
	if st.indent {
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("  ", depth))
	}
}

func (st *style) writeJSON(b *bytes.Buffer, key string, v any, depth int) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Sort(sort.Reverse(sort.StringSlice(keys)))
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			st.newline(b, depth+1)
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			if st.indent {
				b.WriteByte(' ')
			}
			st.writeJSON(b, k, v[k], depth+1)
		}
		if len(keys) > 0 {
			st.newline(b, depth)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			st.newline(b, depth+1)
			st.writeJSON(b, key, e, depth+1)
		}
		if len(v) > 0 {
			st.newline(b, depth)
		}
		b.WriteByte(']')
	case json.Number:
		b.WriteString(st.integer(key, v.String()))
	default:
		var e bytes.Buffer
		enc := json.NewEncoder(&e)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		b.Write(bytes.TrimRight(e.Bytes(), "\n"))
	}
}

// xml rewrites an XML answer; a body that does not parse is left alone.
func (st *style) xml(body []byte) []byte {
	root, ok := parseXML(body)
	if !ok {
		return body
	}
	st.editXML(root, true)
	var b bytes.Buffer
	if st.byteOrderMark {
		b.WriteString("\uFEFF")
	}
	if !st.noDeclaration {
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
		if st.indent {
			b.WriteByte('\n')
		}
	}
	st.writeXML(&b, root, 0)
	b.WriteByte('\n')
	return b.Bytes()
}

// xmlLists are the wrappers of lists: no object, so no other members.
var xmlLists = map[string]bool{"uuids": true, "result": true}

func (st *style) editXML(n *xmlNode, top bool) {
	kids := n.elements()
	for _, k := range kids {
		if dateMembers[k.Name.Local] && len(k.elements()) == 0 {
			k.content = []any{st.date(k.Name.Local, k.text())}
		}
		if (k.Name.Local == "code" || k.Name.Local == "priority") && len(k.elements()) == 0 {
			k.content = []any{st.integer(k.Name.Local, k.text())}
		}
		st.editXML(k, false)
	}
	for i, a := range n.Attr {
		if a.Name.Local == "page" || a.Name.Local == "count" {
			n.Attr[i].Value = st.integer(a.Name.Local, a.Value)
		}
	}
	name := n.Name.Local
	if st.listOrder && top && name == "callcases" {
		var items []any
		for _, c := range n.content {
			if e, ok := c.(*xmlNode); ok && e.Name.Local == "callcase" {
				items = append(items, e)
			}
		}
		slices.Reverse(items)
		n.content = items
	}
	isStatus := name == "status" || name == "item"
	if st.detail && isStatus && n.child("detail") == nil {
		n.add("detail", "liberal: free text for people")
	}
	if !st.unnamed || xmlLists[name] {
		return
	}
	n.Attr = append(n.Attr, xml.Attr{Name: xml.Name{Local: "vendor"}, Value: "liberal"})
	if len(kids) == 0 {
		return // a scalar, or text with attributes: no room for elements
	}
	switch {
	case name == "callcase":
		n.add("completionDate", st.date("completionDate", time.Now().Format(time.RFC3339Nano)))
		form := &xmlNode{StartElement: xml.StartElement{Name: xml.Name{Local: "callForm"}}}
		form.add("uuid", "callform0001")
		form.add("title", "Анкета")
		n.content = append(n.content, form)
	case isStatus:
		n.add("requestId", randomID(12))
	default:
		ext := &xmlNode{StartElement: xml.StartElement{Name: xml.Name{Local: "vendorExtension"}, Attr: []xml.Attr{{Name: xml.Name{Local: "revision"}, Value: "3"}}}}
		ext.add("tag", "a")
		ext.add("tag", "b")
		n.content = append(n.content, ext)
	}
}

func (st *style) writeXML(b *bytes.Buffer, n *xmlNode, depth int) {
	quote := byte('"')
	if st.singleQuotes {
		quote = '\''
	}
	b.WriteByte('<')
	b.WriteString(n.Name.Local)
	attrs := slices.Clone(n.Attr)
	if st.elementOrder {
		slices.Reverse(attrs)
	}
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(a.Name.Local)
		b.WriteByte('=')
		b.WriteByte(quote)
		st.escape(b, a.Value, true, quote)
		b.WriteByte(quote)
	}
	kids := n.elements()
	text := n.text()
	switch {
	case len(kids) == 0 && text == "" && st.selfClosing:
		b.WriteString("/>")
		return
	case len(kids) == 0:
		b.WriteByte('>')
		st.writeText(b, text)
	default:
		b.WriteByte('>')
		if st.elementOrder {
			// Stable by name: the items of a list keep their order.
			sort.SliceStable(kids, func(i, j int) bool { return kids[i].Name.Local > kids[j].Name.Local })
		}
		for _, k := range kids {
			st.newline(b, depth+1)
			st.writeXML(b, k, depth+1)
		}
		st.newline(b, depth)
	}
	b.WriteString("</")
	b.WriteString(n.Name.Local)
	b.WriteByte('>')
}

// writeText writes an element's text: as CDATA sections when the style
// says so (a CR, which a parser would fold into LF there, and the end
// marker go out as references between sections).
func (st *style) writeText(b *bytes.Buffer, text string) {
	if !st.cdata || text == "" {
		st.escape(b, text, false, 0)
		return
	}
	for i, part := range strings.Split(text, "\r") {
		if i > 0 {
			b.WriteString("&#xD;")
		}
		if part == "" {
			continue
		}
		b.WriteString("<![CDATA[")
		b.WriteString(strings.ReplaceAll(part, "]]>", "]]]]><![CDATA[>"))
		b.WriteString("]]>")
	}
}

// escape writes text or an attribute's value; with character references,
// every character outside ASCII is one.
func (st *style) escape(b *bytes.Buffer, s string, attr bool, quote byte) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r' || attr && (r == '\n' || r == '\t'):
			fmt.Fprintf(b, "&#x%X;", r)
		case attr && r == rune(quote):
			fmt.Fprintf(b, "&#%d;", r)
		case st.charRefs && (r >= utf8.RuneSelf || r == 'a'):
			fmt.Fprintf(b, "&#x%X;", r)
		default:
			b.WriteRune(r)
		}
	}
}
