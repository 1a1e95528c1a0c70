package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// XMLDeclaration leads every body EncodeXML writes.
const XMLDeclaration = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`

// EncodeXML writes a value as the XML body of the given schema: the inverse
// of DecodeXML, so that one request value is sent as JSON or as XML. The
// value is anything encoding/json marshals (a struct, a map, a
// json.RawMessage); it is read as the JSON it marshals to. Members keep the
// order JSON gives them; null members are left out, members the schema does
// not have are written as elements under their own names.
func EncodeXML(schema *openapi3.SchemaRef, value any) ([]byte, error) {
	root := layoutOf(schema).root
	if root == "" {
		return nil, errors.New("xml: the contract's schema names no root element")
	}
	raw, err := json.Marshal(value)
	if err != nil {
		return nil, fmt.Errorf("xml: %w", err)
	}
	v, err := parseOrdered(raw)
	if err != nil {
		return nil, fmt.Errorf("xml: %w", err)
	}
	if v == nil {
		return nil, errors.New("xml: a null body has no XML form")
	}
	e := &xmlEncoder{}
	e.buf.WriteString(XMLDeclaration)
	if err := e.value(root, schema, v, "/"+root, 1); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

type xmlEncoder struct {
	buf bytes.Buffer
}

// value writes v as the element name; a list is written as name repeated.
func (e *xmlEncoder) value(name string, ref *openapi3.SchemaRef, v any, path string, depth int) error {
	if depth > MaxXMLDepth {
		return fmt.Errorf("xml: %s: nested deeper than %d elements", path, MaxXMLDepth)
	}
	if !validName(name) {
		return fmt.Errorf("xml: %s: %q cannot be an element name", path, name)
	}
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		// A list's items; or, where the schema wants one value, the same
		// element repeated (as DecodeXML reads a repeated element).
		items := ref
		if layoutOf(ref).kind == "array" {
			items = ref.Value.Items
		}
		for _, item := range v {
			if err := e.value(name, items, item, path, depth); err != nil {
				return err
			}
		}
		return nil
	case ordered:
		return e.object(name, layoutOf(ref), v, path, depth)
	}
	text, err := scalarText(v)
	if err != nil {
		return fmt.Errorf("xml: %s: %w", path, err)
	}
	if text == "" {
		e.buf.WriteString("<" + name + "/>")
		return nil
	}
	e.buf.WriteString("<" + name + ">")
	if err := escape(&e.buf, text, path); err != nil {
		return err
	}
	e.buf.WriteString("</" + name + ">")
	return nil
}

func (e *xmlEncoder) object(name string, l *xmlLayout, obj ordered, path string, depth int) error {
	if l.err != nil {
		return fmt.Errorf("xml: %s: %w", path, l.err)
	}
	e.buf.WriteString("<" + name)
	var text *member
	for i, m := range obj {
		f := l.byKey[m.key]
		switch {
		case f == nil || m.value == nil:
		case f.attr:
			s, err := scalarText(m.value)
			if err != nil {
				return fmt.Errorf("xml: %s/@%s: %w", path, f.name, err)
			}
			e.buf.WriteString(" " + f.name + `="`)
			if err := escape(&e.buf, s, path+"/@"+f.name); err != nil {
				return err
			}
			e.buf.WriteByte('"')
		case f.text:
			text = &obj[i]
		}
	}
	mark := e.buf.Len()
	e.buf.WriteByte('>')
	if text != nil {
		s, err := scalarText(text.value)
		if err != nil {
			return fmt.Errorf("xml: %s: %w", path, err)
		}
		if err := escape(&e.buf, s, path); err != nil {
			return err
		}
	}
	for _, m := range obj {
		f := l.byKey[m.key]
		var err error
		switch {
		case m.value == nil:
		case f == nil:
			err = e.value(m.key, nil, m.value, path+"/"+m.key, depth+1)
		case f.attr || f.text:
		case f.list && f.wrapped:
			err = e.wrapped(f, m.value, path+"/"+f.name, depth+1)
		case f.list:
			err = e.value(f.name, f.schema, m.value, path+"/"+f.name, depth+1)
		default:
			err = e.value(f.name, f.schema, m.value, path+"/"+f.name, depth+1)
		}
		if err != nil {
			return err
		}
	}
	if e.buf.Len() == mark+1 {
		e.buf.Truncate(mark)
		e.buf.WriteString("/>")
		return nil
	}
	e.buf.WriteString("</" + name + ">")
	return nil
}

func (e *xmlEncoder) wrapped(f *xmlField, v any, path string, depth int) error {
	items, ok := v.([]any)
	if !ok {
		items = []any{v} // not a list: written as one item, for validation to refuse
	}
	if len(items) == 0 {
		e.buf.WriteString("<" + f.name + "/>")
		return nil
	}
	e.buf.WriteString("<" + f.name + ">")
	for _, item := range items {
		if err := e.value(f.item, f.items, item, path+"/"+f.item, depth+1); err != nil {
			return err
		}
	}
	e.buf.WriteString("</" + f.name + ">")
	return nil
}

func scalarText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	}
	return "", fmt.Errorf("a %T where the contract has a single value", v)
}

// escape writes s as XML character data, refusing what XML 1.0 cannot carry.
func escape(b *bytes.Buffer, s, path string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("xml: %s: the text is not UTF-8", path)
	}
	for _, r := range s {
		if !isXMLChar(r) {
			return fmt.Errorf("xml: %s: %U is no character of XML 1.0", path, r)
		}
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		case '\r':
			b.WriteString("&#xD;") // a raw CR would be read back as a newline
		case '\t':
			b.WriteString("&#x9;") // raw white space in an attribute is normalised to a space
		case '\n':
			b.WriteString("&#xA;")
		default:
			b.WriteRune(r)
		}
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// validName accepts the element names this API can have: a letter or '_',
// then letters, digits, '_', '-', '.'; no namespace prefix.
func validName(name string) bool {
	if name == "" || strings.HasPrefix(strings.ToLower(name), "xml") {
		return false
	}
	for i, r := range name {
		letter := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f && isXMLChar(r) && r != 0xFFFD
		if !letter && (i == 0 || !(r == '-' || r == '.' || r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}

// ordered is a JSON object with its members in the order they came.
type ordered []member

type member struct {
	key   string
	value any
}

// parseOrdered reads JSON into nil, bool, string, json.Number, []any and ordered.
func parseOrdered(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	v, err := readOrdered(d, 0)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func readOrdered(d *json.Decoder, depth int) (any, error) {
	if depth > MaxXMLDepth {
		return nil, fmt.Errorf("the value nests deeper than %d", MaxXMLDepth)
	}
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		obj := ordered{}
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil, err
			}
			v, err := readOrdered(d, depth+1)
			if err != nil {
				return nil, err
			}
			key := k.(string)
			if i := slices.IndexFunc(obj, func(m member) bool { return m.key == key }); i >= 0 {
				obj[i].value = v // a repeated member: the last wins, as encoding/json has it
				continue
			}
			obj = append(obj, member{key, v})
		}
		_, err := d.Token()
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for d.More() {
			v, err := readOrdered(d, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := d.Token()
		return arr, err
	}
	return tok, nil
}
