package reference

import (
	"bytes"
	"encoding/json"
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

// statusBody is the status body (docs/rules.md) for every response that is not a bare
// resource. Texts and messages come from the code table, never from Go.
type statusBody struct {
	Code    int         `json:"code"`
	Text    string      `json:"text"`
	Message string      `json:"message"`
	Detail  string      `json:"detail,omitempty"`
	UUIDs   []string    `json:"uuids,omitempty"`
	Result  []batchItem `json:"result,omitempty"`
}

// batchItem is one case's outcome inside a batch answer.
type batchItem struct {
	ID      *string  `json:"id"`
	UUID    *string  `json:"uuid"`
	Code    int      `json:"code"`
	Text    string   `json:"text"`
	Message string   `json:"message"`
	Detail  string   `json:"detail,omitempty"`
	UUIDs   []string `json:"uuids,omitempty"`
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
	writeJSON(w, code, newStatus(code))
}

func writeFailure(w http.ResponseWriter, f *failure) {
	if f.code == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="callcases"`)
	}
	body := newStatus(f.code)
	body.Detail = f.detail
	body.UUIDs = f.uuids
	writeJSON(w, f.code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // Russian and URLs read better unescaped
	if err := enc.Encode(v); err != nil {
		// Only our own types reach here; failing to encode them is a bug.
		panic(fmt.Sprintf("encoding a %T: %v", v, err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func writeText(w http.ResponseWriter, code int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(text))
}
