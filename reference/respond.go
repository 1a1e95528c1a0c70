package reference

import (
	"encoding/xml"
	"fmt"
	"net/http"

	"github.com/callcases/conformance/contract"
)

// failure is an answer other than the success an endpoint is for: a code
// from the table, an optional reason for humans, and the uuids a 300 lists.
type failure struct {
	code   int
	detail string
	uuids  []string
}

func (f *failure) Error() string { return fmt.Sprintf("%d: %s", f.code, f.detail) }

func fail(code int, format string, args ...any) *failure {
	return &failure{code: code, detail: fmt.Sprintf(format, args...)}
}

// statusBody is the body of every response that is not a bare resource
// (openapi.yaml's Status). Texts and messages come from the code table,
// never from Go. In XML it is <status>, a 300's uuids are
// <uuids><uuid/>...</uuids> and a batch's results <result><item/>...</result>.
type statusBody struct {
	XMLName xml.Name `json:"-" xml:"status"`
	Code    int      `json:"code" xml:"code"`
	Text    string   `json:"text" xml:"text"`
	Message string   `json:"message" xml:"message"`
	Detail  string   `json:"detail,omitempty" xml:"detail,omitempty"`
	UUIDs   uuidList `json:"uuids,omitempty" xml:"uuids,omitempty"`
	Result  results  `json:"result,omitempty" xml:"result,omitempty"`
}

// batchItem is one case's outcome inside a batch answer; a null id or uuid
// is an absent element in XML.
type batchItem struct {
	ID      *string  `json:"id" xml:"id,omitempty"`
	UUID    *string  `json:"uuid" xml:"uuid,omitempty"`
	Code    int      `json:"code" xml:"code"`
	Text    string   `json:"text" xml:"text"`
	Message string   `json:"message" xml:"message"`
	Detail  string   `json:"detail,omitempty" xml:"detail,omitempty"`
	UUIDs   uuidList `json:"uuids,omitempty" xml:"uuids,omitempty"`
}

// uuidList is a JSON array of uuids, <uuids><uuid/>...</uuids> in XML; an
// empty list is no member and no element. (encoding/xml's "uuids>uuid"
// would write an empty <uuids/> for it.)
type uuidList []string

func (l uuidList) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		UUID []string `xml:"uuid"`
	}{l}, start)
}

func (l *uuidList) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var v struct {
		UUID []string `xml:"uuid"`
	}
	err := d.DecodeElement(&v, &start)
	*l = v.UUID
	return err
}

// results are a batch's items: <result><item/>...</result> in XML.
type results []batchItem

func (l results) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		Item []batchItem `xml:"item"`
	}{l}, start)
}

func (l *results) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var v struct {
		Item []batchItem `xml:"item"`
	}
	err := d.DecodeElement(&v, &start)
	*l = v.Item
	return err
}

var table = contract.DefaultTable()

func newStatus(code int) statusBody {
	row := table.MustLookup(code)
	return statusBody{Code: code, Text: row.Text, Message: row.Message}
}

func newBatchItem(code int, id, uuid *string) batchItem {
	row := table.MustLookup(code)
	return batchItem{ID: id, UUID: uuid, Code: code, Text: row.Text, Message: row.Message}
}

// writeStatus answers code with its status body (or with nothing for 204).
func writeStatus(w http.ResponseWriter, code int) {
	if code == http.StatusNoContent {
		w.WriteHeader(code)
		return
	}
	write(w, code, newStatus(code))
}

// writeFailure answers a failure with its status body in the request's format.
func writeFailure(w http.ResponseWriter, f *failure) {
	if f.code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="callcases"`)
	}
	body := newStatus(f.code)
	body.Detail = f.detail
	body.UUIDs = f.uuids
	write(w, f.code, body)
}

// write answers v encoded by the request's codec.
func write(w http.ResponseWriter, code int, v any) { writeAs(codecOf(w), w, code, v) }

// writeJSON answers v as JSON whatever the path: the fault hook's own answers.
func writeJSON(w http.ResponseWriter, code int, v any) { writeAs(jsonCodec, w, code, v) }

func writeAs(c *codec, w http.ResponseWriter, code int, v any) {
	b, err := c.encode(v)
	if err != nil {
		// Only our own types reach here; failing to encode them is a bug.
		panic(fmt.Sprintf("encoding a %T as %s: %v", v, c.name, err))
	}
	w.Header().Set("Content-Type", c.contentType)
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

func writeText(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text))
}
