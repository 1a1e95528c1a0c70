package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	conformance "github.com/callcases/conformance"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Contract validates exchanges with one target against openapi.yaml and the
// code table. Build it once per process: loading and routing are the
// expensive part, validation after that is cheap.
type Contract struct {
	doc    *openapi3.T
	router routers.Router
	table  *Table
	status *openapi3.Schema
}

// Violations lists every rule an exchange broke, one sentence each.
type Violations []string

func (v Violations) Error() string {
	return "contract violated:\n  - " + strings.Join(v, "\n  - ")
}

// LoadDocument parses and validates the shipped openapi.yaml.
func LoadDocument() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(conformance.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return doc, nil
}

// Load prepares validation of exchanges with the API served at apiBase
// (e.g. "http://127.0.0.1:8080/fx/api/v1").
func Load(apiBase string) (*Contract, error) {
	doc, err := LoadDocument()
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: strings.TrimSuffix(apiBase, "/")}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: routing %s: %w", apiBase, err)
	}
	status := doc.Components.Schemas["Status"]
	if status == nil || status.Value == nil {
		return nil, errors.New("openapi.yaml: no Status schema")
	}
	return &Contract{doc: doc, router: router, table: DefaultTable(), status: status.Value}, nil
}

// Document is the loaded contract (servers set to the target).
func (c *Contract) Document() *openapi3.T { return c.doc }

// ValidateRequest checks a request the suite is about to send or has sent.
func (c *Contract) ValidateRequest(req *http.Request, body []byte) error {
	input, err := c.requestInput(req, body)
	if err != nil {
		return Violations{err.Error()}
	}
	return orNil(c.checkRequest(input))
}

// ValidateExchange checks the request and the response; the request is
// routed once for both.
func (c *Contract) ValidateExchange(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	input, err := c.requestInput(req, reqBody)
	if err != nil {
		return orNil(append(Violations{err.Error()}, c.checkResponse(nil, status, header, respBody)...))
	}
	return orNil(append(c.checkRequest(input), c.checkResponse(input, status, header, respBody)...))
}

// ValidateResponse checks a response alone: use it for requests that break
// the contract on purpose, whose answers must still keep it.
func (c *Contract) ValidateResponse(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	input, _ := c.requestInput(req, reqBody) // nil off the contract's map
	return orNil(c.checkResponse(input, status, header, respBody))
}

func orNil(v Violations) error {
	if len(v) == 0 {
		return nil
	}
	return v
}

func (c *Contract) checkRequest(input *openapi3filter.RequestValidationInput) Violations {
	if err := openapi3filter.ValidateRequest(input.Request.Context(), input); err != nil {
		return flatten("request", err)
	}
	return nil
}

// checkResponse holds a response to the table and, when the request was
// routed (input is not nil), to the operation's documented responses.
func (c *Contract) checkResponse(input *openapi3filter.RequestValidationInput, status int, header http.Header, respBody []byte) Violations {
	var v Violations
	row, documented := c.table.Lookup(status)
	if !documented {
		v = append(v, fmt.Sprintf("status %d is not a code of the result-code table", status))
	}
	if status == http.StatusNoContent && len(respBody) > 0 {
		v = append(v, fmt.Sprintf("a 204 answer has a body (%d bytes)", len(respBody)))
	}
	if input != nil {
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: input,
			Status:                 status,
			Header:                 header,
			Options:                input.Options,
		}
		out.SetBodyBytes(respBody)
		if err := openapi3filter.ValidateResponse(input.Request.Context(), out); err != nil {
			v = append(v, flatten("response", err)...)
		}
	} else if documented && status != http.StatusNoContent {
		// Off the contract's map (an unknown path, say): the answer must still be a status body.
		v = append(v, c.checkStatusSchema(header, respBody)...)
	}
	if documented {
		v = append(v, c.checkStatusBody(row, respBody)...)
	}
	return v
}

func (c *Contract) requestInput(req *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("request: %s %s is no operation of the contract", req.Method, req.URL.Path)
	}
	clone := req.Clone(req.Context())
	clone.Body = io.NopCloser(bytes.NewReader(body))
	return &openapi3filter.RequestValidationInput{
		Request:    clone,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			AuthenticationFunc:    basicAuthPresent,
		},
	}, nil
}

// basicAuthPresent accepts a request that carries Basic credentials: whether
// they are right is the server's business, not the contract's.
func basicAuthPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if _, _, ok := in.RequestValidationInput.Request.BasicAuth(); !ok {
		return errors.New("no Basic credentials")
	}
	return nil
}

func (c *Contract) checkStatusSchema(header http.Header, body []byte) []string {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return []string{fmt.Sprintf("response: Content-Type %q, want application/json for a status body", ct)}
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return []string{fmt.Sprintf("response: body is not JSON: %v", err)}
	}
	if err := c.status.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		return flatten("response body", err)
	}
	return nil
}

// checkStatusBody holds a status body to the code table: the code it names
// is the HTTP status, and text and message are the table's.
func (c *Contract) checkStatusBody(row Result, body []byte) []string {
	var sb struct {
		Code    *int    `json:"code"`
		Text    *string `json:"text"`
		Message *string `json:"message"`
	}
	// Only an object naming a code can be a status body; a list page need not be decoded again.
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) || !bytes.Contains(body, []byte(`"code"`)) ||
		json.Unmarshal(body, &sb) != nil || sb.Code == nil {
		return nil // not a status body; the schema decides whether one was due
	}
	var v []string
	if *sb.Code != row.Code {
		v = append(v, fmt.Sprintf("status body: code %d, but the HTTP status is %d", *sb.Code, row.Code))
	}
	if sb.Text != nil && *sb.Text != row.Text {
		v = append(v, fmt.Sprintf("status body: text %q, the table says %q for %d", *sb.Text, row.Text, row.Code))
	}
	if sb.Message != nil && *sb.Message != row.Message {
		v = append(v, fmt.Sprintf("status body: message %q, the table says %q for %d", *sb.Message, row.Message, row.Code))
	}
	return v
}

// flatten turns kin-openapi's nested errors into one sentence per broken rule.
func flatten(where string, err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		var multi openapi3.MultiError
		if errors.As(err, &multi) {
			for _, e := range multi {
				walk(e)
			}
			return
		}
		var schemaErr *openapi3.SchemaError
		if errors.As(err, &schemaErr) {
			if inner := schemaErr.Unwrap(); inner != nil {
				var nested openapi3.MultiError
				if errors.As(inner, &nested) {
					walk(nested)
					return
				}
			}
			out = append(out, fmt.Sprintf("%s: at %s: %s", where, pointer(schemaErr.JSONPointer()), schemaErr.Reason))
			return
		}
		var respErr *openapi3filter.ResponseError
		if errors.As(err, &respErr) && respErr.Err != nil {
			prefix := where
			if respErr.Reason != "" {
				prefix = where + ": " + respErr.Reason
			}
			before := len(out)
			walk(respErr.Err)
			if len(out) == before {
				out = append(out, prefix+": "+respErr.Err.Error())
			}
			return
		}
		var reqErr *openapi3filter.RequestError
		if errors.As(err, &reqErr) && reqErr.Err != nil {
			prefix := where
			if reqErr.Parameter != nil {
				prefix = fmt.Sprintf("%s: %s parameter %q", where, reqErr.Parameter.In, reqErr.Parameter.Name)
			} else if reqErr.RequestBody != nil {
				prefix = where + " body"
			}
			before := len(out)
			walk(reqErr.Err)
			if len(out) == before {
				out = append(out, prefix+": "+reqErr.Err.Error())
			} else if prefix != where {
				for i := before; i < len(out); i++ {
					out[i] = prefix + strings.TrimPrefix(out[i], where)
				}
			}
			return
		}
		out = append(out, where+": "+oneLine(err.Error()))
	}
	walk(err)
	return slices.Compact(out)
}

func pointer(p []string) string {
	if len(p) == 0 {
		return "/"
	}
	return "/" + strings.Join(p, "/")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
