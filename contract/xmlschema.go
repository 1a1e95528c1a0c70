package contract

import (
	"fmt"
	"mime"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/getkin/kin-openapi/openapi3"
)

// The XML representation is read from the schemas' hints, as openapi.yaml's
// introduction describes: a schema's xml.name names the root element (or an
// item of a list), a property is an element named by its key (or by its own
// inline xml.name), an attribute when its xml object says attribute: true,
// the element's text when it carries XMLTextExtension. A list is its items
// repeated, inside a wrapper element only when xml.wrapped is true.

// XMLTextExtension marks the property that holds an element's text content
// (OpenAPI 3.0 has no word for it): phoneNumber's value.
const XMLTextExtension = "x-xml-text"

// XML bodies are bounded so that no input can exhaust the suite: the API
// refuses bodies over 16 MiB, and no body of the contract nests deeper than a
// few levels.
const (
	MaxXMLBytes = 16 << 20
	MaxXMLDepth = 64
)

// IsXMLMediaType reports whether a Content-Type names one of the API's XML
// media types (application/xml or text/xml, parameters and case aside).
func IsXMLMediaType(contentType string) bool {
	mt := mediaType(contentType)
	return mt == "application/xml" || mt == "text/xml"
}

// IsJSONMediaType reports whether a Content-Type names application/json.
func IsJSONMediaType(contentType string) bool {
	return mediaType(contentType) == "application/json"
}

func mediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// xmlField is one member of an object as XML writes it.
type xmlField struct {
	key      string // the JSON member
	name     string // the element or attribute; for an unwrapped list, each item's element
	schema   *openapi3.SchemaRef
	attr     bool
	text     bool
	list     bool
	wrapped  bool
	item     string // a wrapped list's item element
	items    *openapi3.SchemaRef
	required bool
	nullable bool

	lay, itemLay atomic.Pointer[xmlLayout] // layouts of schema and items, once looked up
}

func (f *xmlField) layout() *xmlLayout { return cached(&f.lay, f.schema) }

func (f *xmlField) itemLayout() *xmlLayout { return cached(&f.itemLay, f.items) }

func cached(p *atomic.Pointer[xmlLayout], ref *openapi3.SchemaRef) *xmlLayout {
	if l := p.Load(); l != nil {
		return l
	}
	l := layoutOf(ref)
	p.Store(l)
	return l
}

// xmlLayout is how an object schema is written in XML.
type xmlLayout struct {
	root   string // the element a body of this schema is
	kind   string
	elems  map[string]*xmlField // by element name
	attrs  map[string]*xmlField // by attribute name
	byKey  map[string]*xmlField
	text   *xmlField
	fields []*xmlField // in key order
	err    error       // the schema's hints contradict each other
}

// layouts caches each schema's layout without keeping the schema alive: a
// process that loads the contract again does not grow the cache.
var layouts sync.Map // weak.Pointer[openapi3.Schema] -> *xmlLayout

var schemaless = &xmlLayout{}

func layoutOf(ref *openapi3.SchemaRef) *xmlLayout {
	if ref == nil || ref.Value == nil {
		return schemaless
	}
	key := weak.Make(ref.Value)
	if l, ok := layouts.Load(key); ok {
		return l.(*xmlLayout)
	}
	l, loaded := layouts.LoadOrStore(key, buildLayout(ref))
	if !loaded {
		runtime.AddCleanup(ref.Value, func(k weak.Pointer[openapi3.Schema]) { layouts.Delete(k) }, key)
	}
	return l.(*xmlLayout)
}

func buildLayout(ref *openapi3.SchemaRef) *xmlLayout {
	l := &xmlLayout{root: rootName(ref), kind: kindOf(ref), byKey: map[string]*xmlField{}, elems: map[string]*xmlField{}, attrs: map[string]*xmlField{}}
	if l.kind != "object" {
		return l
	}
	required := map[string]bool{}
	requiredIn(ref, 0, required)
	collect(ref, 0, func(s *openapi3.Schema) {
		for key, prop := range s.Properties {
			if _, seen := l.byKey[key]; !seen && prop != nil && prop.Value != nil {
				l.byKey[key] = newField(key, prop)
			}
		}
	})
	for key, f := range l.byKey {
		f.required = required[key]
		l.fields = append(l.fields, f)
	}
	slices.SortFunc(l.fields, func(a, b *xmlField) int { return strings.Compare(a.key, b.key) })
	for _, f := range l.fields {
		switch {
		case f.text:
			if l.text != nil {
				l.err = fmt.Errorf("the schema has two text properties, %s and %s", l.text.key, f.key)
			}
			l.text = f
		case f.attr:
			if l.attrs[f.name] != nil {
				l.err = fmt.Errorf("the schema names two attributes %s", f.name)
			}
			l.attrs[f.name] = f
		default:
			if l.elems[f.name] != nil {
				l.err = fmt.Errorf("the schema names two elements <%s>", f.name)
			}
			l.elems[f.name] = f
		}
	}
	return l
}

func newField(key string, prop *openapi3.SchemaRef) *xmlField {
	s := prop.Value
	f := &xmlField{key: key, name: key, schema: prop, nullable: s.Nullable || s.Type.IncludesNull()}
	if x := s.XML; x != nil {
		// A referenced schema's name is its name as a root or an item; the
		// property's own key names its element.
		if x.Name != "" && prop.Ref == "" {
			f.name = x.Name
		}
		f.attr = x.Attribute
	}
	if b, _ := s.Extensions[XMLTextExtension].(bool); b {
		f.text = true
	}
	if kindOf(prop) == "array" {
		f.list = true
		f.items = s.Items
		f.wrapped = s.XML != nil && s.XML.Wrapped
		item := key
		if s.Items != nil && s.Items.Value != nil && s.Items.Value.XML != nil && s.Items.Value.XML.Name != "" {
			item = s.Items.Value.XML.Name
		}
		if f.wrapped {
			f.item = item
		} else {
			f.name = item
		}
	}
	return f
}

// collect visits a schema and the members of its allOf, anyOf and oneOf.
func collect(ref *openapi3.SchemaRef, depth int, visit func(*openapi3.Schema)) {
	if ref == nil || ref.Value == nil || depth > MaxXMLDepth {
		return
	}
	s := ref.Value
	visit(s)
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, member := range group {
			collect(member, depth+1, visit)
		}
	}
}

// requiredIn adds the members a schema and its allOf require (an anyOf or
// oneOf member requires them only in one alternative).
func requiredIn(ref *openapi3.SchemaRef, depth int, required map[string]bool) {
	if ref == nil || ref.Value == nil || depth > MaxXMLDepth {
		return
	}
	for _, r := range ref.Value.Required {
		required[r] = true
	}
	for _, member := range ref.Value.AllOf {
		requiredIn(member, depth+1, required)
	}
}

// kindOf is the JSON type a schema's value has: object, array, integer,
// number, boolean, string, or "" when the schema does not say.
func kindOf(ref *openapi3.SchemaRef) string {
	kind := ""
	collect(ref, 0, func(s *openapi3.Schema) {
		if kind != "" {
			return
		}
		for _, t := range []string{"object", "array", "integer", "number", "boolean", "string"} {
			if s.Type.Includes(t) {
				kind = t
				return
			}
		}
		if len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil {
			kind = "object"
		}
	})
	return kind
}

// rootName is the element a body of this schema is written as.
func rootName(ref *openapi3.SchemaRef) string {
	name := ""
	collect(ref, 0, func(s *openapi3.Schema) {
		if name == "" && s.XML != nil {
			name = s.XML.Name
		}
	})
	return name
}
