package contract

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// kin-openapi validates a body by decoding it to a JSON value first; XML
// bodies are decoded by the schema being validated against, so that every
// XML exchange is held to the same schemas as JSON.
func init() {
	decode := func(r io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
		return DecodeXML(schema, r)
	}
	openapi3filter.RegisterBodyDecoder("application/xml", decode)
	openapi3filter.RegisterBodyDecoder("text/xml", decode)
}

// DecodeXML reads an XML body into the JSON value it stands for, by the
// schema's hints (see openapi.yaml's introduction):
//
//   - the root element must be the one the schema names;
//   - an element or attribute the schema has becomes its member; one it
//     does not name is skipped, as JSON's unknown members are ignored
//     (every object of the contract is open), on an object's element and
//     on a scalar's alike;
//   - a list is an array whatever its count, and a required list that is
//     absent is empty (XML cannot tell the two apart);
//   - integers, numbers and booleans are parsed by the schema's type; text
//     that does not parse stays a string, so that validation names the error;
//   - an empty element is "" for a string and an object with no members for
//     an object; an absent element is an absent member, or null when the
//     schema requires the member and allows null.
//
// Namespaces, DOCTYPE declarations and entities other than XML's five are
// refused; input is bounded by MaxXMLBytes and MaxXMLDepth. The error is an
// *XMLError, which names the element at fault.
func DecodeXML(schema *openapi3.SchemaRef, r io.Reader) (any, error) {
	return decodeXML(schema, r, MaxXMLBytes)
}

// XMLError is why a body does not read as the contract's XML. Title is
// stable: TitleXMLRoot for a root element other than the schema's,
// TitleXMLMalformed for anything else the reader refuses.
type XMLError struct {
	Title string
	Err   error
}

func (e *XMLError) Error() string { return e.Err.Error() }
func (e *XMLError) Unwrap() error { return e.Err }

// Violation is the broken rule the error stands for, in the words every
// check uses (the contract's and the matchers'), so that it is listed once.
func (e *XMLError) Violation(op, in string) Violation {
	return Violation{Operation: op, In: in, Title: e.Title, Detail: oneLine(e.Error())}
}

func decodeXML(schema *openapi3.SchemaRef, r io.Reader, maxBytes int64) (any, error) {
	v, err := readXML(schema, r, maxBytes)
	if err != nil {
		if _, ok := err.(*XMLError); !ok {
			err = &XMLError{Title: TitleXMLMalformed, Err: err}
		}
		return nil, err
	}
	return v, nil
}

func readXML(schema *openapi3.SchemaRef, r io.Reader, maxBytes int64) (any, error) {
	layout := layoutOf(schema)
	root := layout.root
	if root == "" {
		return nil, errors.New("xml: the contract's schema names no root element")
	}
	lr := newLimitReader(r, maxBytes)
	if lr.over {
		return nil, fmt.Errorf("xml: the body is over %d bytes", maxBytes)
	}
	d := &xmlDecoder{d: xml.NewDecoder(lr.source()), lr: lr, max: maxBytes}
	d.d.Strict = true // no HTML auto-close, no unknown entities (Entity stays nil)
	first := true
	for {
		tok, err := d.token()
		if err == io.EOF {
			return nil, errors.New("xml: no root element")
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != root {
				return nil, &XMLError{Title: TitleXMLRoot, Err: fmt.Errorf("xml: root element <%s>, the contract's is <%s>", qname(t.Name), root)}
			}
			v, err := d.element(t, layout)
			if err != nil {
				return nil, err
			}
			return v, d.epilogue()
		case xml.ProcInst:
			if t.Target == "xml" && !first {
				return nil, errors.New("xml: the XML declaration must come first")
			}
		case xml.CharData:
			if first && bytes.HasPrefix(t, []byte("\uFEFF")) {
				t = t[3:] // a byte order mark, which is no text
				if len(t) == 0 {
					continue
				}
			}
			if !isSpace(t) {
				return nil, errors.New("xml: text before the root element")
			}
		}
		first = false
	}
}

type xmlDecoder struct {
	d    *xml.Decoder
	lr   *limitReader
	max  int64
	path []string // the elements open, for errors
}

// token is the next token (its data valid until the next call), or io.EOF
// at the end of the body. Only what the API can hold passes: no
// declarations, no namespaces.
func (d *xmlDecoder) token() (xml.Token, error) {
	tok, err := d.d.RawToken()
	if d.lr.over {
		return nil, fmt.Errorf("xml: the body is over %d bytes", d.max)
	}
	if err == io.EOF {
		if len(d.path) > 0 {
			return nil, d.fail("the body ends inside the element")
		}
		return nil, err
	}
	if err != nil {
		return nil, d.fail("%v", err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if t.Name.Space != "" {
			return nil, d.fail("namespaces are not part of the API (element <%s>)", qname(t.Name))
		}
		for i, a := range t.Attr {
			if a.Name.Space != "" || a.Name.Local == "xmlns" {
				return nil, d.fail("namespaces are not part of the API (attribute %s of <%s>)", qname(a.Name), t.Name.Local)
			}
			// XML forbids a repeated attribute, known or not (encoding/xml does not check it).
			for _, b := range t.Attr[:i] {
				if b.Name == a.Name {
					return nil, d.fail("attribute %s repeats", a.Name.Local)
				}
			}
		}
	case xml.Directive:
		return nil, d.fail("DOCTYPE and other declarations are not part of the API")
	}
	return tok, nil
}

// fail is an error at the element being read.
func (d *xmlDecoder) fail(format string, args ...any) error {
	if len(d.path) == 0 {
		return fmt.Errorf("xml: "+format, args...)
	}
	return fmt.Errorf("xml: /%s: %s", strings.Join(d.path, "/"), fmt.Sprintf(format, args...))
}

// epilogue allows only comments, processing instructions and white space
// after the root element.
func (d *xmlDecoder) epilogue() error {
	for {
		tok, err := d.token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return fmt.Errorf("xml: a second root element <%s>", qname(t.Name))
		case xml.EndElement:
			return fmt.Errorf("xml: </%s> closes no element", qname(t.Name))
		case xml.CharData:
			if !isSpace(t) {
				return errors.New("xml: text after the root element")
			}
		}
	}
}

// element reads start up to its end tag; l is its schema's layout,
// schemaless for an element the contract does not know.
func (d *xmlDecoder) element(start xml.StartElement, l *xmlLayout) (any, error) {
	d.path = append(d.path, start.Name.Local)
	v, err := d.elementIn(start, l)
	d.path = d.path[:len(d.path)-1]
	return v, err
}

// elementIn is element once start is on the path.
func (d *xmlDecoder) elementIn(start xml.StartElement, l *xmlLayout) (any, error) {
	if len(d.path) > MaxXMLDepth {
		return nil, d.fail("nested deeper than %d elements", MaxXMLDepth)
	}
	switch {
	case l.err != nil:
		return nil, d.fail("%v", l.err)
	case l.kind == "object":
		return d.object(start, l)
	case l.kind == "array":
		return nil, d.fail("the contract's schema is a list, which has no element of its own")
	}
	// A scalar's attributes are none of the contract's: they are skipped.
	text, children, err := d.content(start)
	if err != nil {
		return nil, err
	}
	if children != nil {
		return children, nil // an object where a scalar is due: validation names it
	}
	return scalar(text, l.kind), nil
}

// content reads text up to start's end tag; child elements, if any, are
// read as an object of unknown members.
func (d *xmlDecoder) content(start xml.StartElement) (string, map[string]any, error) {
	var text strings.Builder
	var children map[string]any
	for {
		tok, err := d.token()
		if err != nil {
			return "", nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text.Write(t)
		case xml.StartElement:
			if children == nil {
				children = map[string]any{}
			}
			if err := d.unknown(children, t); err != nil {
				return "", nil, err
			}
		case xml.EndElement:
			if t.Name != start.Name {
				return "", nil, d.fail("</%s> closes <%s>", qname(t.Name), qname(start.Name))
			}
			return text.String(), children, nil
		}
	}
}

// unknown reads an element the schema does not have into obj, under its
// own name: only where a scalar is due, so that validation names the object
// found there.
func (d *xmlDecoder) unknown(obj map[string]any, start xml.StartElement) error {
	v, err := d.element(start, schemaless)
	if err != nil {
		return err
	}
	add(obj, start.Name.Local, v)
	return nil
}

// skip reads past an element the schema does not name, up to its end tag,
// holding its content to the same bounds and refusals as the rest.
func (d *xmlDecoder) skip(start xml.StartElement) error {
	d.path = append(d.path, start.Name.Local)
	defer func() { d.path = d.path[:len(d.path)-1] }()
	if len(d.path) > MaxXMLDepth {
		return d.fail("nested deeper than %d elements", MaxXMLDepth)
	}
	for {
		tok, err := d.token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := d.skip(t); err != nil {
				return err
			}
		case xml.EndElement:
			if t.Name != start.Name {
				return d.fail("</%s> closes <%s>", qname(t.Name), qname(start.Name))
			}
			return nil
		}
	}
}

// add sets a member; a member that repeats becomes an array, which a schema
// that wants one value rejects.
func add(obj map[string]any, key string, v any) {
	prev, ok := obj[key]
	if !ok {
		obj[key] = v
		return
	}
	if arr, ok := prev.([]any); ok {
		obj[key] = append(arr, v)
		return
	}
	obj[key] = []any{prev, v}
}

func (d *xmlDecoder) object(start xml.StartElement, l *xmlLayout) (any, error) {
	var obj map[string]any // made when a member comes
	member := func() map[string]any {
		if obj == nil {
			obj = make(map[string]any, len(l.fields))
		}
		return obj
	}
	var lists map[string][]any // unwrapped lists, by key
	for _, a := range start.Attr {
		name := a.Name.Local
		f := l.attrs[name]
		switch {
		case f == nil && (l.elems[name] != nil || l.text != nil && l.text.key == name):
			return nil, d.fail("%s is an attribute here, but the contract makes it an element", name)
		case f == nil:
			continue // an attribute the contract does not name
		}
		key, value := f.key, scalar(a.Value, f.layout().kind)
		if _, dup := obj[key]; dup {
			return nil, d.fail("attribute %s repeats", name)
		}
		member()[key] = value
	}
	var text []byte
	textOutside := false // text where the schema has no place for it: l.text is nil
	for {
		tok, err := d.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			// White space between elements is layout; text only counts where
			// the schema has a place for it, or to report it.
			if l.text != nil || !isSpace(t) {
				text = append(text, t...)
				textOutside = textOutside || l.text == nil
			}
		case xml.StartElement:
			name := t.Name.Local
			f := l.elems[name]
			switch {
			case f == nil && l.attrs[name] != nil:
				return nil, d.fail("<%s> is an element here, but the contract makes it an attribute", name)
			case f == nil && l.text != nil && l.text.key == name:
				return nil, d.fail("<%s> is an element here, but the contract makes it the element's text", name)
			case f == nil:
				if err := d.skip(t); err != nil {
					return nil, err
				}
			case f.list && !f.wrapped:
				v, err := d.element(t, f.itemLayout())
				if err != nil {
					return nil, err
				}
				if lists == nil {
					lists = map[string][]any{}
				}
				lists[f.key] = append(lists[f.key], v)
			case f.list:
				if _, dup := obj[f.key]; dup {
					return nil, d.fail("<%s> repeats; its items belong in one", name)
				}
				v, err := d.wrapped(t, f)
				if err != nil {
					return nil, err
				}
				member()[f.key] = v
			default:
				v, err := d.element(t, f.layout())
				if err != nil {
					return nil, err
				}
				add(member(), f.key, v)
			}
		case xml.EndElement:
			if t.Name != start.Name {
				return nil, d.fail("</%s> closes <%s>", qname(t.Name), qname(start.Name))
			}
			return d.finish(l, obj, lists, text, textOutside)
		}
	}
}

// finish completes an object at its end tag.
func (d *xmlDecoder) finish(l *xmlLayout, obj map[string]any, lists map[string][]any, text []byte, textOutside bool) (any, error) {
	switch {
	case textOutside && len(obj) == 0 && len(lists) == 0:
		return string(text), nil // text where an object is due: validation names it
	case textOutside && l.kind != "":
		return nil, d.fail("text beside elements or attributes, which the contract has no place for here")
	}
	// An unknown element's text beside its attributes has no JSON form; the
	// attributes are kept.
	if obj == nil {
		obj = make(map[string]any, len(l.fields))
	}
	for key, items := range lists {
		if _, clash := obj[key]; clash {
			return nil, d.fail("%s is both an attribute and elements", key)
		}
		obj[key] = items
	}
	if l.text != nil {
		if _, clash := obj[l.text.key]; clash {
			return nil, d.fail("%s is both the text and a member", l.text.key)
		}
		obj[l.text.key] = scalar(string(text), l.text.layout().kind)
	}
	for _, f := range l.fields {
		if _, ok := obj[f.key]; ok || !f.required {
			continue
		}
		switch {
		case f.list && !f.wrapped:
			obj[f.key] = []any{}
		case f.nullable:
			obj[f.key] = nil
		}
	}
	return obj, nil
}

// wrapped reads a wrapped list: the wrapper holds one element per item.
func (d *xmlDecoder) wrapped(start xml.StartElement, f *xmlField) (any, error) {
	d.path = append(d.path, start.Name.Local)
	v, err := d.wrappedIn(start, f)
	d.path = d.path[:len(d.path)-1]
	return v, err
}

func (d *xmlDecoder) wrappedIn(start xml.StartElement, f *xmlField) (any, error) {
	if len(d.path) > MaxXMLDepth {
		return nil, d.fail("nested deeper than %d elements", MaxXMLDepth)
	}
	if len(start.Attr) > 0 {
		return nil, d.fail("attribute %s on a list", start.Attr[0].Name.Local)
	}
	items := []any{}
	for {
		tok, err := d.token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if !isSpace(t) {
				return nil, d.fail("text in a list, whose items are <%s> elements", f.item)
			}
		case xml.StartElement:
			if t.Name.Local != f.item {
				return nil, d.fail("<%s> in a list of <%s>", t.Name.Local, f.item)
			}
			v, err := d.element(t, f.itemLayout())
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		case xml.EndElement:
			if t.Name != start.Name {
				return nil, d.fail("</%s> closes <%s>", qname(t.Name), qname(start.Name))
			}
			return items, nil
		}
	}
}

// scalar is text as the schema's type reads it; text that does not parse
// stays a string, so that validation reports the wrong type.
func scalar(text, kind string) any {
	switch kind {
	case "integer", "number":
		t := strings.Trim(text, " \t\r\n")
		if isJSONNumber(t) {
			if f, err := strconv.ParseFloat(t, 64); err == nil {
				return f
			}
		}
	case "boolean":
		switch strings.Trim(text, " \t\r\n") {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return text
}

func isSpace(b []byte) bool {
	return len(bytes.Trim(b, " \t\r\n")) == 0
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// limitReader reads at most n bytes and remembers whether there were more.
// It reads byte by byte, as encoding/xml does, from a reader that can (the
// bytes.Reader or bytes.Buffer a body usually is), or from a buffer.
type limitReader struct {
	r      io.ByteReader
	n      int64
	over   bool
	direct io.Reader // r, when it holds no more than the bound: read directly
}

// newLimitReader bounds r; a body already in memory within the bound (the
// bytes.Reader or bytes.Buffer kin-openapi passes) is read as it is.
func newLimitReader(r io.Reader, n int64) *limitReader {
	if b, ok := r.(interface {
		io.ByteReader
		io.Reader
		Len() int
	}); ok {
		if int64(b.Len()) <= n {
			return &limitReader{r: b, direct: b}
		}
		return &limitReader{r: b, over: true}
	}
	br, ok := r.(io.ByteReader)
	if !ok {
		br = bufio.NewReader(r)
	}
	return &limitReader{r: br, n: n}
}

// source is what encoding/xml reads from.
func (l *limitReader) source() io.Reader {
	if l.direct != nil {
		return l.direct
	}
	return l
}

func (l *limitReader) ReadByte() (byte, error) {
	c, err := l.r.ReadByte()
	if err != nil {
		return c, err
	}
	if l.n <= 0 {
		l.over = true
		return 0, io.EOF
	}
	l.n--
	return c, nil
}

func (l *limitReader) Read(p []byte) (int, error) {
	for i := range p {
		c, err := l.ReadByte()
		if err != nil {
			return i, err
		}
		p[i] = c
	}
	return len(p), nil
}

// isJSONNumber reports whether s is a number as JSON writes it: XML carries
// numbers in JSON's format.
//
//	-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isJSONNumber(s string) bool {
	i := 0
	digits := func() int {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if i == len(s) || s[i] < '1' || s[i] > '9' || digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
