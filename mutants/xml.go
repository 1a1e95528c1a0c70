package mutants

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
)

// Deviations of the XML representation alone: the JSON one stays right, so
// only specs that send and read XML can kill these.

// xmlNode is an element of a recorded XML answer, enough to edit it.
type xmlNode struct {
	xml.StartElement
	content []any // *xmlNode, or string for text
}

// parseXML reads a whole document; false when it is not well-formed XML.
func parseXML(b []byte) (*xmlNode, bool) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var root *xmlNode
	var stack []*xmlNode
	for {
		tok, err := d.Token()
		if err != nil {
			return root, err == io.EOF && root != nil && len(stack) == 0
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{StartElement: t.Copy()}
			if len(stack) == 0 {
				if root != nil { // a second root: not a document, and not one to write again as one
					return root, false
				}
				root = n
			} else {
				top := stack[len(stack)-1]
				top.content = append(top.content, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 { // text outside the root: not a document
				return root, false
			}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.content = append(top.content, string(t))
			}
		}
	}
}

func (n *xmlNode) encode(e *xml.Encoder) {
	_ = e.EncodeToken(n.StartElement)
	for _, c := range n.content {
		switch c := c.(type) {
		case *xmlNode:
			c.encode(e)
		case string:
			_ = e.EncodeToken(xml.CharData(c))
		}
	}
	_ = e.EncodeToken(n.End())
}

func (n *xmlNode) bytes() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	e := xml.NewEncoder(&b)
	n.encode(e)
	_ = e.Flush()
	b.WriteByte('\n')
	return b.Bytes()
}

// elements are the child elements of n; a nil node (a body that did not
// parse) has none, so that child and elements never need a guard.
func (n *xmlNode) elements() []*xmlNode {
	if n == nil {
		return nil
	}
	var out []*xmlNode
	for _, c := range n.content {
		if e, ok := c.(*xmlNode); ok {
			out = append(out, e)
		}
	}
	return out
}

func (n *xmlNode) child(name string) *xmlNode {
	for _, e := range n.elements() {
		if e.Name.Local == name {
			return e
		}
	}
	return nil
}

// drop removes the child elements of that name.
func (n *xmlNode) drop(name string) {
	var rest []any
	for _, c := range n.content {
		if e, ok := c.(*xmlNode); ok && e.Name.Local == name {
			continue
		}
		rest = append(rest, c)
	}
	n.content = rest
}

// add appends a child element holding text.
func (n *xmlNode) add(name, text string) {
	n.content = append(n.content, &xmlNode{StartElement: xml.StartElement{Name: xml.Name{Local: name}}, content: []any{text}})
}

func (n *xmlNode) text() string {
	var b strings.Builder
	for _, c := range n.content {
		if s, ok := c.(string); ok {
			b.WriteString(s)
		}
	}
	return b.String()
}

// inXML tells a call on the API's /xml/ path.
func (c *call) inXML() bool { return c.format == "xml" }

// mediaType is the Content-Type of bodies in the call's format.
func (c *call) mediaType() string {
	if c.inXML() {
		return "application/xml"
	}
	return "application/json"
}

// member is a string member of the body's top level, in either format.
func (c *call) member(name string) (string, bool) {
	if c.inXML() {
		root, ok := parseXML(c.body)
		if !ok || root.child(name) == nil {
			return "", false
		}
		return root.child(name).text(), true
	}
	s, ok := c.jsonBody()[name].(string)
	return s, ok
}

// wellFormed tells a body that parses in the call's format.
func (c *call) wellFormed() bool {
	if c.inXML() {
		_, ok := parseXML(c.body)
		return ok
	}
	return json.Valid(c.body)
}

// isXML tells an answer with an XML body.
func isXML(rec *httptest.ResponseRecorder) bool {
	return strings.HasPrefix(rec.Header().Get("Content-Type"), "application/xml") ||
		strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml")
}

// editXML rewrites a recorded XML body; it leaves any other answer, and
// one the edit does not change, byte for byte alone.
func editXML(rec *httptest.ResponseRecorder, edit func(root *xmlNode)) {
	if !isXML(rec) {
		return
	}
	root, ok := parseXML(rec.Body.Bytes())
	if !ok {
		return
	}
	before := root.bytes()
	edit(root)
	if after := root.bytes(); !bytes.Equal(after, before) {
		rec.Body = bytes.NewBuffer(after)
	}
}

// onXML edits the conforming server's answers to calls on /xml/ paths.
func onXML(edit func(t *target, c *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder) builder {
	return stateless(func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.inXML() {
			return false
		}
		replay(w, edit(t, c, t.send(c, nil)))
		return true
	})
}

// onXMLStatus edits the XML status bodies of /xml/ answers.
func onXMLStatus(edit func(status *xmlNode)) builder {
	return onXML(func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		editXML(rec, func(root *xmlNode) {
			if root.Name.Local == "status" {
				edit(root)
			}
		})
		return rec
	})
}

// singleItemLists are the XML lists whose items repeat with no wrapper:
// the list element and its item's element.
var singleItemLists = map[string]string{"callcases": "callcase", "operators": "operator", "result": "item", "phoneNumbers": "phoneNumber"}

// unwrapSingle writes a list of one item as if the item were the list: its
// members straight inside the list element, as a serializer that turns a
// one-element array into an object does.
func unwrapSingle(n *xmlNode) {
	for _, e := range n.elements() {
		unwrapSingle(e)
	}
	item, isList := singleItemLists[n.Name.Local]
	if !isList {
		return
	}
	elems := n.elements()
	if len(elems) != 1 || elems[0].Name.Local != item {
		return
	}
	n.Attr = append(n.Attr, elems[0].Attr...)
	n.content = elems[0].content
}

// staleXMLReads serves a case's XML read from a cache that only writes
// through /xml/ clear: a representation layer of its own that a write
// through JSON does not reach.
func staleXMLReads() handler {
	var mu sync.Mutex
	cache := map[string]*httptest.ResponseRecorder{}
	return func(t *target, w http.ResponseWriter, c *call) bool {
		if !c.inXML() {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if !c.is("GET /callcases/{uuid}") {
			if c.Method != http.MethodGet {
				clear(cache)
			}
			return false
		}
		uuid := c.params["uuid"]
		if rec, ok := cache[uuid]; ok {
			replay(w, rec)
			return true
		}
		rec := t.send(c, nil)
		if rec.Code == http.StatusOK {
			cache[uuid] = rec
		}
		replay(w, rec)
		return true
	}
}

var xmlCatalogue = []Mutant{
	{Name: "xml-path-reads-json", Format: "xml", Breaks: "a create on an /xml/ path declared application/json is read as JSON and served, instead of 400", Kills: []string{"E400-other-format-body"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			m := c.jsonBody()
			if !c.is("POST /callcases/") || !c.inXML() || !strings.HasPrefix(c.Header.Get("Content-Type"), "application/json") || m == nil {
				return false
			}
			root := &xmlNode{StartElement: xml.StartElement{Name: xml.Name{Local: "callcase"}}}
			for k, v := range m {
				if s, ok := v.(string); ok {
					root.add(k, s)
				}
			}
			replay(w, t.send(c, func(r *http.Request) {
				r.Header.Set("Content-Type", "application/xml")
				withBody(root.bytes())(r)
			}))
			return true
		})},
	{Name: "xml-location-json-path", Format: "xml", Breaks: "the Location of a case created through /xml/ names it under /json/", Kills: []string{"S201-create"},
		build: stateless(func(t *target, w http.ResponseWriter, c *call) bool {
			if !c.is("POST /callcases/") || !c.inXML() {
				return false
			}
			rec := t.send(c, nil)
			if loc := rec.Header().Get("Location"); loc != "" {
				rec.Header().Set("Location", strings.Replace(loc, "/xml/", "/json/", 1))
			}
			replay(w, rec)
			return true
		})},
	{Name: "xml-wrong-root", Format: "xml", Breaks: "a case read in XML has the root element <case> instead of <callcase>", Kills: []string{"S200-get"},
		build: onXML(func(_ *target, c *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			if c.is("GET /callcases/{uuid}") && rec.Code == http.StatusOK {
				editXML(rec, func(root *xmlNode) { root.Name.Local = "case" })
			}
			return rec
		})},
	{Name: "xml-wrong-message-404", Format: "xml", Breaks: "404 in XML says «Объект не найден» instead of the table's message; JSON is right", Kills: []string{"E404-get", "E404-delete"},
		build: onXMLStatus(func(status *xmlNode) {
			if code := status.child("code"); code != nil && code.text() == "404" {
				if m := status.child("message"); m != nil {
					m.content = []any{"Объект не найден"}
				}
			}
		})},
	{Name: "xml-code-attribute", Format: "xml", Breaks: "XML status bodies carry the code as an attribute, <status code=\"404\">, not as the <code> element", Kills: []string{"E404-get", "E400-no-title"},
		build: onXMLStatus(func(status *xmlNode) {
			code := status.child("code")
			if code == nil {
				return
			}
			status.Attr = append(status.Attr, xml.Attr{Name: xml.Name{Local: "code"}, Value: code.text()})
			status.drop("code")
		})},
	{Name: "xml-status-as-json", Format: "xml", Breaks: "status bodies on /xml/ paths, errors included, are the JSON ones", Kills: []string{"E404-get", "E401-no-credentials", "S201-create"},
		build: onXML(func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			root, ok := parseXML(rec.Body.Bytes())
			if !isXML(rec) || !ok || root.Name.Local != "status" || root.child("code") == nil {
				return rec
			}
			code, err := strconv.Atoi(root.child("code").text())
			if err != nil {
				return rec
			}
			return recodeAs(rec, code, false)
		})},
	{Name: "xml-single-item-unwrapped", Format: "xml", Breaks: "an XML list of one item has no repeated element: the item's members sit in the list element", Kills: []string{"E404-operator", "E501-operators-mode"},
		build: onXML(func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			if rec.Code == http.StatusOK {
				editXML(rec, unwrapSingle)
			}
			return rec
		})},
	{Name: "xml-reads-stale", Format: "xml", Breaks: "an XML read of a case does not show a change made through JSON since the last XML read", Kills: []string{"S200-cross-format"},
		build: staleXMLReads},
	{Name: "xml-served-as-html", Format: "xml", Breaks: "XML answers are declared text/html, PHP's default Content-Type", Kills: []string{"S200-get", "E404-get"},
		build: onXML(func(_ *target, _ *call, rec *httptest.ResponseRecorder) *httptest.ResponseRecorder {
			if isXML(rec) {
				rec.Header().Set("Content-Type", "text/html; charset=UTF-8")
			}
			return rec
		})},
}
