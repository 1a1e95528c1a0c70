package reference

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
)

// One value, two encodings: every handler builds the same value (a view, a
// status body) and reads the same members from a request, whichever format
// the path names; a codec turns them into JSON or XML and back. The XML
// shapes are the struct tags of the views (view.go) and the request bodies'
// element maps (xmlbody.go).

// codec is one representation of the API: the {format} path segment.
type codec struct {
	name        string
	contentType string   // of the answers
	mediaTypes  []string // a request body may be declared as any of these
	encode      func(v any) ([]byte, error)
	// decode reads a request body into its members, keyed and encoded as
	// the JSON representation's, so that one parser checks both.
	decode func(body []byte, shape *requestBody) (map[string]json.RawMessage, *failure)
}

var (
	jsonCodec = &codec{
		name:        "json",
		contentType: "application/json; charset=utf-8",
		mediaTypes:  []string{"application/json"},
		encode:      encodeJSON,
		decode: func(body []byte, _ *requestBody) (map[string]json.RawMessage, *failure) {
			return decodeObject(body, "the body")
		},
	}
	xmlCodec = &codec{
		name:        "xml",
		contentType: "application/xml; charset=utf-8",
		mediaTypes:  []string{"application/xml", "text/xml"},
		encode:      encodeXML,
		decode:      decodeXML,
	}
	// codecs are the formats served, by path segment.
	codecs = map[string]*codec{jsonCodec.name: jsonCodec, xmlCodec.name: xmlCodec}
)

// codecFor is the codec of a request path: the XML one under the API's
// /xml/, the JSON one everywhere else (the fault hook and unknown paths too).
func codecFor(path string) *codec {
	rest, ok := strings.CutPrefix(path, apiBase+"/")
	if !ok {
		return jsonCodec
	}
	segment, _, _ := strings.Cut(rest, "/")
	if c := codecs[segment]; c != nil {
		return c
	}
	return jsonCodec
}

// formatWriter carries the request's codec to whatever answers it, so that
// every status body, those of the precedence checks before routing and of
// the integration faults included, comes in the format of the path.
type formatWriter struct {
	http.ResponseWriter
	codec *codec
}

func (w *formatWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func withCodec(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	return &formatWriter{ResponseWriter: w, codec: codecFor(r.URL.Path)}
}

func codecOf(w http.ResponseWriter) *codec {
	if fw, ok := w.(*formatWriter); ok {
		return fw.codec
	}
	return jsonCodec
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Russian and URLs read better unescaped
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// xmlDeclaration is the one the product writes.
const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

func encodeXML(v any) ([]byte, error) {
	buf := bytes.NewBufferString(xmlDeclaration)
	if err := xml.NewEncoder(buf).Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
