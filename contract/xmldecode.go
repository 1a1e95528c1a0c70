package contract

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
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
//   - an element or attribute the schema has becomes its member, an unknown
//     one is kept under its own name, so that a schema that forbids other
//     members rejects it;
//   - a list is an array whatever its count, and a required list that is
//     absent is empty (XML cannot tell the two apart);
//   - integers, numbers and booleans are parsed by the schema's type; text
//     that does not parse stays a string, so that validation names the error;
//   - an empty element is "" for a string and an object with no members for
//     an object; an absent element is an absent member, or null when the
//     schema requires the member and allows null.
//
// Namespaces, DOCTYPE declarations and entities other than XML's five are
// refused; input is bounded by MaxXMLBytes and MaxXMLDepth. The error names
// the element at fault.
func DecodeXML(schema *openapi3.SchemaRef, r io.Reader) (any, error) {
	root := rootName(schema)
	if root == "" {
		return nil, errors.New("xml: the contract's schema names no root element")
	}
	lr := &limitReader{r: r, n: MaxXMLBytes}
	d := &xmlDecoder{d: xml.NewDecoder(lr), lr: lr}
	d.d.Strict = true // no HTML auto-close, no unknown entities (Entity stays nil)
	first := true
	for {
		tok, err := d.next()
		if err == io.EOF {
			return nil, errors.New("xml: no root element")
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != "" || t.Name.Local != root {
				return nil, fmt.Errorf("xml: root element <%s>, the contract's is <%s>", qname(t.Name), root)
			}
			v, err := d.element(t, schema, "/"+root, 1)
			if err != nil {
				return nil, err
			}
			return v, d.epilogue()
		case xml.ProcInst:
			if t.Target == "xml" && !first {
				return nil, errors.New("xml: the XML declaration must come first")
			}
		case xml.CharData:
			if !isSpace(t) {
				return nil, errors.New("xml: text before the root element")
			}
		case xml.Directive:
			return nil, errors.New("xml: DOCTYPE and other declarations are not part of the API")
		}
		first = false
	}
}

type xmlDecoder struct {
	d  *xml.Decoder
	lr *limitReader
}

// next is the next token; its data is only valid until the next call.
func (d *xmlDecoder) next() (xml.Token, error) {
	tok, err := d.d.RawToken()
	if d.lr.over {
		return nil, fmt.Errorf("xml: the body is over %d bytes", MaxXMLBytes)
	}
	if err == io.EOF {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("xml: %w", err)
	}
	return tok, nil
}

// epilogue allows only comments, processing instructions and white space
// after the root element.
func (d *xmlDecoder) epilogue() error {
	for {
		tok, err := d.next()
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
		case xml.Directive:
			return errors.New("xml: DOCTYPE and other declarations are not part of the API")
		}
	}
}

// element reads the content of start, whose schema is ref (nil for an
// element the contract does not know), up to its end tag.
func (d *xmlDecoder) element(start xml.StartElement, ref *openapi3.SchemaRef, path string, depth int) (any, error) {
	if depth > MaxXMLDepth {
		return nil, fmt.Errorf("xml: %s: nested deeper than %d elements", path, MaxXMLDepth)
	}
	for _, a := range start.Attr {
		if a.Name.Space != "" || a.Name.Local == "xmlns" {
			return nil, fmt.Errorf("xml: %s: namespaces are not part of the API (attribute %s)", path, qname(a.Name))
		}
	}
	l := layoutOf(ref)
	if l.err != nil {
		return nil, fmt.Errorf("xml: %s: %w", path, l.err)
	}
	if l.kind == "object" || l.kind == "" {
		return d.object(start, l, path, depth)
	}
	if l.kind == "array" {
		return nil, fmt.Errorf("xml: %s: the contract's schema is a list, which has no element of its own", path)
	}
	if len(start.Attr) > 0 {
		return nil, fmt.Errorf("xml: %s: attribute %s on an element whose value is a %s", path, start.Attr[0].Name.Local, l.kind)
	}
	text, children, err := d.content(start, path, depth)
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
func (d *xmlDecoder) content(start xml.StartElement, path string, depth int) (string, map[string]any, error) {
	var text strings.Builder
	var children map[string]any
	for {
		tok, err := d.token(path)
		if err != nil {
			return "", nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if text.Len()+len(t) > MaxXMLBytes {
				return "", nil, fmt.Errorf("xml: %s: text over %d bytes", path, MaxXMLBytes)
			}
			text.Write(t)
		case xml.StartElement:
			if children == nil {
				children = map[string]any{}
			}
			if err := d.unknown(children, t, path, depth); err != nil {
				return "", nil, err
			}
		case xml.EndElement:
			if t.Name != start.Name {
				return "", nil, fmt.Errorf("xml: %s: </%s> closes <%s>", path, qname(t.Name), qname(start.Name))
			}
			return text.String(), children, nil
		case xml.Directive:
			return "", nil, fmt.Errorf("xml: %s: declarations are not part of the API", path)
		}
	}
}

func (d *xmlDecoder) token(path string) (xml.Token, error) {
	tok, err := d.d.RawToken()
	if d.lr.over {
		return nil, fmt.Errorf("xml: the body is over %d bytes", MaxXMLBytes)
	}
	if err == io.EOF {
		return nil, fmt.Errorf("xml: %s: the body ends inside the element", path)
	}
	if err != nil {
		return nil, fmt.Errorf("xml: %s: %w", path, err)
	}
	if se, ok := tok.(xml.StartElement); ok && se.Name.Space != "" {
		return nil, fmt.Errorf("xml: %s: namespaces are not part of the API (element <%s>)", path, qname(se.Name))
	}
	return tok, nil
}

// unknown reads an element the schema does not have into obj, under its own name.
func (d *xmlDecoder) unknown(obj map[string]any, start xml.StartElement, path string, depth int) error {
	v, err := d.element(start, nil, path+"/"+start.Name.Local, depth+1)
	if err != nil {
		return err
	}
	add(obj, start.Name.Local, v)
	return nil
}

// add sets a member; a member that repeats becomes an array, which a schema
// that wants one value rejects.
func add(obj map[string]any, key string, v any) {
	prev, ok := obj[key]
	if !ok {
		obj[key] = v
		return
	}
	if arr, ok := prev.(repeated); ok {
		obj[key] = append(arr, v)
		return
	}
	obj[key] = repeated{prev, v}
}

// repeated is an element that came more than once where one was due. It is
// an []any to the validator.
type repeated = []any

func (d *xmlDecoder) object(start xml.StartElement, l *xmlLayout, path string, depth int) (any, error) {
	obj := make(map[string]any, len(l.fields))
	var lists map[string][]any // unwrapped lists, by key
	for _, a := range start.Attr {
		name := a.Name.Local
		f := l.attrs[name]
		if f == nil {
			if e := l.elems[name]; e != nil || (l.text != nil && l.text.key == name) {
				return nil, fmt.Errorf("xml: %s: %s is an attribute here, but the contract makes it an element", path, name)
			}
			if _, dup := obj[name]; dup {
				return nil, fmt.Errorf("xml: %s: attribute %s repeats", path, name)
			}
			obj[name] = a.Value
			continue
		}
		if _, dup := obj[f.key]; dup {
			return nil, fmt.Errorf("xml: %s: attribute %s repeats", path, name)
		}
		obj[f.key] = scalar(a.Value, layoutOf(f.schema).kind)
	}
	var text []byte
	textOutside := false // text where the schema has no place for it: l.text is nil
	for {
		tok, err := d.token(path)
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			text = append(text, t...)
			if l.text == nil && !isSpace(t) {
				textOutside = true
			}
		case xml.StartElement:
			name := t.Name.Local
			childPath := path + "/" + name
			f := l.elems[name]
			switch {
			case f == nil && l.attrs[name] != nil:
				return nil, fmt.Errorf("xml: %s: <%s> is an element here, but the contract makes it an attribute", path, name)
			case f == nil:
				if err := d.unknown(obj, t, path, depth); err != nil {
					return nil, err
				}
			case f.list && !f.wrapped:
				v, err := d.element(t, f.items, childPath, depth+1)
				if err != nil {
					return nil, err
				}
				if lists == nil {
					lists = map[string][]any{}
				}
				lists[f.key] = append(lists[f.key], v)
			case f.list:
				if _, dup := obj[f.key]; dup {
					return nil, fmt.Errorf("xml: %s: <%s> repeats; its items belong in one", path, name)
				}
				v, err := d.wrapped(t, f, childPath, depth+1)
				if err != nil {
					return nil, err
				}
				obj[f.key] = v
			default:
				v, err := d.element(t, f.schema, childPath, depth+1)
				if err != nil {
					return nil, err
				}
				add(obj, f.key, v)
			}
		case xml.EndElement:
			if t.Name != start.Name {
				return nil, fmt.Errorf("xml: %s: </%s> closes <%s>", path, qname(t.Name), qname(start.Name))
			}
			for key, items := range lists {
				if _, clash := obj[key]; clash {
					return nil, fmt.Errorf("xml: %s: %s is both an attribute and elements", path, key)
				}
				obj[key] = items
			}
			if textOutside {
				if len(obj) == 0 {
					// Text where an object is due (validation names it), or an unknown element's text.
					return string(text), nil
				}
				return nil, fmt.Errorf("xml: %s: text beside elements or attributes, which the contract has no place for here", path)
			}
			if l.text != nil {
				if _, clash := obj[l.text.key]; clash {
					return nil, fmt.Errorf("xml: %s: %s is both the text and a member", path, l.text.key)
				}
				obj[l.text.key] = scalar(string(text), layoutOf(l.text.schema).kind)
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
			if l.kind == "" && len(obj) == 0 {
				return "", nil // an unknown empty element
			}
			return obj, nil
		case xml.Directive:
			return nil, fmt.Errorf("xml: %s: declarations are not part of the API", path)
		}
	}
}

// wrapped reads a wrapped list: the wrapper holds one element per item.
func (d *xmlDecoder) wrapped(start xml.StartElement, f *xmlField, path string, depth int) (any, error) {
	if depth > MaxXMLDepth {
		return nil, fmt.Errorf("xml: %s: nested deeper than %d elements", path, MaxXMLDepth)
	}
	if len(start.Attr) > 0 {
		return nil, fmt.Errorf("xml: %s: attribute %s on a list", path, qname(start.Attr[0].Name))
	}
	items := []any{}
	for {
		tok, err := d.token(path)
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if !isSpace(t) {
				return nil, fmt.Errorf("xml: %s: text in a list, whose items are <%s> elements", path, f.item)
			}
		case xml.StartElement:
			if t.Name.Local != f.item {
				return nil, fmt.Errorf("xml: %s: <%s> in a list of <%s>", path, t.Name.Local, f.item)
			}
			v, err := d.element(t, f.items, path+"/"+f.item, depth+1)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
		case xml.EndElement:
			if t.Name != start.Name {
				return nil, fmt.Errorf("xml: %s: </%s> closes <%s>", path, qname(t.Name), qname(start.Name))
			}
			return items, nil
		case xml.Directive:
			return nil, fmt.Errorf("xml: %s: declarations are not part of the API", path)
		}
	}
}

// jsonNumber is JSON's number syntax: XML carries numbers as JSON writes them.
var jsonNumber = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

// scalar is text as the schema's type reads it; text that does not parse
// stays a string, so that validation reports the wrong type.
func scalar(text, kind string) any {
	switch kind {
	case "integer", "number":
		t := strings.Trim(text, " \t\r\n")
		if jsonNumber.MatchString(t) {
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
type limitReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if k, _ := l.r.Read(one[:]); k > 0 {
			l.over = true
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}
