package reference

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// XML request bodies are read into the members their JSON twin would have,
// guided by the element map of each body: which elements repeat (arrays,
// whatever their count), which hold numbers, which value is an attribute
// or the element's text. The members then go through the same checks as
// JSON's, so both formats accept and refuse the same values. Elements the
// map does not know are skipped unread, like unknown JSON members.
//
// The reader is strict: well-formed UTF-8 XML only, no document type
// declaration (so no entity of any kind beyond XML's five), no namespaces
// on the elements it knows, one root, at most maxXMLDepth levels.

// requestBody is the XML form of one kind of request body.
type requestBody struct {
	root    string // the root element's name
	members *shape
}

type shapeKind int

const (
	textShape    shapeKind = iota // a string: the element's text
	integerShape                  // a number: the element's text in JSON's syntax
	objectShape                   // members: child elements, attributes, text
)

type shape struct {
	kind     shapeKind
	children map[string]child // objectShape: child element name → member
	attrs    []string         // objectShape: attributes read as string members of the same name
	text     string           // objectShape: the member that holds the element's text, if any
	// textItems, on a batch's root, names the repeated member that text
	// between its elements belongs to: an item that is not an object.
	textItems string
}

type child struct {
	shape    *shape
	repeated bool // an array member: every occurrence is an item
	// orText: an occurrence that holds text is that text, a string item
	// the batch answers with a 400 item, not a malformed body
	// (docs/rules.md, batches).
	orText bool
}

var (
	textElement    = &shape{kind: textShape}
	integerElement = &shape{kind: integerShape}

	// `<phoneNumbers><phoneNumber phoneNumberType="HOME">8000000000</phoneNumber></phoneNumbers>`
	phoneNumbersShape = &shape{kind: objectShape, children: map[string]child{
		"phoneNumber": {repeated: true, shape: &shape{kind: objectShape, attrs: []string{"phoneNumberType"}, text: "value"}},
	}}
	// The members a client writes (caseFields); server-managed ones are skipped.
	caseFieldsShape = &shape{kind: objectShape, children: map[string]child{
		"uuid": {shape: textElement}, "id": {shape: textElement}, "title": {shape: textElement}, "comment": {shape: textElement},
		"priority": {shape: integerElement}, "phoneNumbers": {shape: phoneNumbersShape},
	}}

	caseBody   = &requestBody{root: "callcase", members: caseFieldsShape}
	batchBody  = &requestBody{root: "callcases", members: &shape{kind: objectShape, textItems: "callcase", children: map[string]child{"callcase": {repeated: true, orText: true, shape: caseFieldsShape}}}}
	linksBody  = &requestBody{root: "objectLinks", members: &shape{kind: objectShape, children: map[string]child{"uuid": {repeated: true, shape: textElement}, "id": {repeated: true, shape: textElement}}}}
	assignBody = &requestBody{root: "operator", members: &shape{kind: objectShape, children: map[string]child{"uuid": {shape: textElement}}}}
)

// maxXMLDepth bounds nesting, known elements or not: the deepest body the
// API takes has four levels.
const maxXMLDepth = 32

// jsonNumber is JSON's number syntax: an integer element's text is a number
// only if JSON would read it as one.
var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

type xmlReader struct {
	d     *xml.Decoder
	depth int
}

func decodeXML(body []byte, b *requestBody) (map[string]json.RawMessage, *failure) {
	body = bytes.TrimPrefix(body, []byte("\uFEFF")) // a byte order mark is no content
	if f := checkCharRefs(body); f != nil {
		return nil, f
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true // and no Entity map, no CharsetReader: UTF-8 and XML's own entities only
	x := &xmlReader{d: d}
	notXML := func(err error) *failure {
		return fail(http.StatusBadRequest, "the body is not well-formed XML: %v", err)
	}
	var members map[string]json.RawMessage
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, notXML(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if members != nil {
				return nil, fail(http.StatusBadRequest, "the body has more than one root element")
			}
			if t.Name.Space != "" || t.Name.Local != b.root {
				return nil, fail(http.StatusBadRequest, "the root element must be <%s>, not <%s>", b.root, qualified(t.Name))
			}
			m, f := x.object(t, b.members)
			if f != nil {
				return nil, f
			}
			members = m
		case xml.CharData:
			if !isXMLSpace(t) {
				return nil, notXML(errors.New("text outside the root element"))
			}
		case xml.Directive:
			return nil, fail(http.StatusBadRequest, "the body has a document type declaration or another directive; the API takes none")
		}
	}
	if members == nil {
		return nil, fail(http.StatusBadRequest, "the body is not XML: it has no root element")
	}
	return members, nil
}

// enter and leave count the levels of the element being read.
func (x *xmlReader) enter() *failure {
	x.depth++
	if x.depth > maxXMLDepth {
		return fail(http.StatusBadRequest, "the XML nests deeper than %d levels", maxXMLDepth)
	}
	return nil
}

func (x *xmlReader) token() (xml.Token, *failure) {
	tok, err := x.d.Token()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fail(http.StatusBadRequest, "the body is not well-formed XML: %v", err)
	}
	return tok, nil
}

// value reads the element just started as a member of shape s.
func (x *xmlReader) value(start xml.StartElement, s *shape) (json.RawMessage, *failure) {
	switch s.kind {
	case objectShape:
		m, f := x.object(start, s)
		if f != nil {
			return nil, f
		}
		return mustMarshal(m), nil
	case integerShape:
		t, f := x.text(start)
		if f != nil {
			return nil, f
		}
		if trimmed := strings.Trim(t, " \t\r\n"); jsonNumber.MatchString(trimmed) {
			return json.RawMessage(trimmed), nil
		}
		return mustMarshal(t), nil // a string where a number is due: the parser names the type
	default:
		t, f := x.text(start)
		if f != nil {
			return nil, f
		}
		return mustMarshal(t), nil
	}
}

// text reads an element that holds text only.
func (x *xmlReader) text(start xml.StartElement) (string, *failure) {
	if f := x.enter(); f != nil {
		return "", f
	}
	defer func() { x.depth-- }()
	var b strings.Builder
	for {
		tok, f := x.token()
		if f != nil {
			return "", f
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return "", fail(http.StatusBadRequest, "<%s> holds text, not the element <%s>", start.Name.Local, qualified(t.Name))
		case xml.EndElement:
			return b.String(), nil
		}
	}
}

// object reads an element whose children and attributes are members.
func (x *xmlReader) object(start xml.StartElement, s *shape) (map[string]json.RawMessage, *failure) {
	m, _, f := x.read(start, s, false)
	return m, f
}

// item reads a batch item: the object of shape s or, when the element
// holds text, that text as a JSON string, which is no object.
func (x *xmlReader) item(start xml.StartElement, s *shape) (json.RawMessage, *failure) {
	m, text, f := x.read(start, s, true)
	if f != nil {
		return nil, f
	}
	if text != nil {
		return mustMarshal(*text), nil
	}
	return mustMarshal(m), nil
}

// read reads an element of shape s. Text where s has none is a malformed
// body, unless textItem: then the element is that text (and its members
// are dropped).
func (x *xmlReader) read(start xml.StartElement, s *shape, textItem bool) (map[string]json.RawMessage, *string, *failure) {
	if f := x.enter(); f != nil {
		return nil, nil, f
	}
	defer func() { x.depth-- }()
	members := map[string]json.RawMessage{}
	for _, a := range start.Attr {
		for _, name := range s.attrs {
			if a.Name.Space == "" && a.Name.Local == name {
				members[name] = mustMarshal(a.Value)
			}
		}
	}
	lists := map[string][]json.RawMessage{}
	var content, loose strings.Builder
	isText := false
	for {
		tok, f := x.token()
		if f != nil {
			return nil, nil, f
		}
		switch t := tok.(type) {
		case xml.StartElement:
			c, known := s.children[t.Name.Local]
			if !known || t.Name.Space != "" {
				if f := x.skip(); f != nil {
					return nil, nil, f
				}
				continue
			}
			var v json.RawMessage
			if c.orText {
				v, f = x.item(t, c.shape)
			} else {
				v, f = x.value(t, c.shape)
			}
			if f != nil {
				return nil, nil, f
			}
			name := t.Name.Local
			switch _, twice := members[name]; {
			case c.repeated:
				lists[name] = append(lists[name], v)
			case twice:
				return nil, nil, fail(http.StatusBadRequest, "<%s> appears more than once in <%s>", name, start.Name.Local)
			default:
				members[name] = v
			}
		case xml.CharData:
			switch {
			case s.text != "":
				content.Write(t)
			case isXMLSpace(t):
			case s.textItems != "":
				lists[s.textItems] = append(lists[s.textItems], mustMarshal(strings.Trim(string(t), " \t\r\n")))
			case textItem:
				isText = true
			default:
				return nil, nil, fail(http.StatusBadRequest, "<%s> holds elements, not text", start.Name.Local)
			}
			loose.Write(t)
		case xml.EndElement:
			if isText {
				text := loose.String()
				return nil, &text, nil
			}
			for name, items := range lists {
				members[name] = mustMarshal(items)
			}
			if s.text != "" {
				members[s.text] = mustMarshal(content.String())
			}
			return members, nil, nil
		}
	}
}

// skip reads past an element the body's map does not know, within the
// depth bound.
func (x *xmlReader) skip() *failure {
	if f := x.enter(); f != nil {
		return f
	}
	defer func() { x.depth-- }()
	for {
		tok, f := x.token()
		if f != nil {
			return f
		}
		switch tok.(type) {
		case xml.StartElement:
			if f := x.skip(); f != nil {
				return f
			}
		case xml.EndElement:
			return nil
		}
	}
}

func isXMLSpace(b []byte) bool { return len(bytes.Trim(b, " \t\r\n")) == 0 }

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + " " + n.Local
}

func mustMarshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("encoding a decoded XML member: " + err.Error()) // strings, raw numbers and maps of them always encode
	}
	return b
}

// checkCharRefs refuses a character reference to what is no character of
// XML 1.0. encoding/xml refuses most (&#x1;) but reads one to half a
// surrogate pair (&#xD800;) as U+FFFD, which would then be stored. Text in
// CDATA sections, comments and processing instructions holds no references.
func checkCharRefs(body []byte) *failure {
	for rest := body; ; {
		i := bytes.IndexAny(rest, "<&")
		if i < 0 {
			return nil
		}
		rest = rest[i:]
		if rest[0] == '<' {
			rest = skipMarkup(rest)
			continue
		}
		ref, ok := bytes.CutPrefix(rest, []byte("&#"))
		rest = rest[1:]
		if !ok {
			continue
		}
		end := bytes.IndexByte(ref, ';')
		if end < 0 {
			return nil // not well-formed: the decoder says so
		}
		digits, base := ref[:end], 10
		if hex, ok := bytes.CutPrefix(digits, []byte("x")); ok {
			digits, base = hex, 16
		}
		n, err := strconv.ParseUint(string(digits), base, 32)
		if err != nil || !(n == '\t' || n == '\n' || n == '\r' || n >= 0x20 && n <= 0xD7FF || n >= 0xE000 && n <= 0xFFFD || n >= 0x10000 && n <= 0x10FFFF) {
			return fail(http.StatusBadRequest, "the body refers to &#%s;, which is no character of XML 1.0", ref[:end])
		}
	}
}

// skipMarkup returns what follows a CDATA section, comment or processing
// instruction at the start of b, or b after its '<' for any other markup.
func skipMarkup(b []byte) []byte {
	for _, m := range []struct{ open, close string }{{"<![CDATA[", "]]>"}, {"<!--", "-->"}, {"<?", "?>"}} {
		if bytes.HasPrefix(b, []byte(m.open)) {
			if end := bytes.Index(b[len(m.open):], []byte(m.close)); end >= 0 {
				return b[len(m.open)+end+len(m.close):]
			}
			return nil
		}
	}
	return b[1:]
}
