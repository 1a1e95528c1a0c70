package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

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
	status *openapi3.SchemaRef
	// batchStatus reads an XML status body with its batch items, if any.
	batchStatus *openapi3.SchemaRef
	basePath    string // the API base's path, before /{format}/
	routes      routeCache
}

// Violation is one rule of the contract an exchange broke. Title is stable
// from one occurrence to the next (what a report groups by and a reader
// searches for); Detail is this occurrence's. After kin-openapi's
// ValidationError.
type Violation struct {
	Operation string // the contract's operationId, or "METHOD path" off the contract's map
	In        string // "request" or "response"
	Pointer   string // JSON pointer into the body ("/uuids/0"), "" for the whole message
	Parameter string // the parameter at fault, e.g. `query "page"`, when not the body
	Title     string
	Detail    string
}

// Stable titles of the rules the contract checks beyond the schemas.
const (
	TitleNotInTable        = "status is not a code of the result-code table"
	TitleBodyOn204         = "a 204 answer has a body"
	TitleNoOperation       = "no operation of the contract"
	TitleStatusBodyCode    = "status body: code is not the HTTP status"
	TitleStatusBodyText    = "status body: text is not the code table's"
	TitleStatusBodyMsg     = "status body: message is not the code table's"
	TitleItemNotInTable    = "batch item: code is not a code of the result-code table"
	TitleItemText          = "batch item: text is not the code table's"
	TitleItemMsg           = "batch item: message is not the code table's"
	TitleItemNoUUIDs       = "batch item: a 300 item without uuids"
	TitleStatusBodyType    = "status body: Content-Type is not JSON"
	TitleStatusBodyJSON    = "status body: not JSON"
	TitleStatusBodyXMLType = "status body: Content-Type is not XML"
	TitleXMLMalformed      = "XML body: malformed, or not the contract's XML"
	TitleXMLRoot           = "XML body: root element is not the contract's"
	TitleFormat            = "body is not in its path's format"
	TitleNoChallenge       = "a 401 without WWW-Authenticate"
	TitleNoBasicChallenge  = "a 401 without a Basic challenge"
	TitleChallengeSyntax   = "WWW-Authenticate is not a list of challenges"
	TitleSchema            = "breaks the schema"
	TitleParameter         = "parameter breaks the contract"
	TitleUndocumented      = "breaks the operation's documented responses"
	TitleNoCredentials     = "no Basic credentials"
	TitleUnexpectedStatus  = "status is not the one the condition provokes"
)

// Key is what makes two violations the same broken rule, whichever check
// saw it. The detail is part of it: two schema errors at one pointer (a
// missing member and an unknown one) are two rules.
func (v Violation) Key() string {
	return strings.Join([]string{v.In, v.Pointer, v.Parameter, v.Title, v.Detail}, "\x00")
}

// String is the violation in one line: where, the stable title, then this occurrence.
func (v Violation) String() string {
	where := v.In
	switch {
	case v.Parameter != "":
		where += " parameter " + v.Parameter
	case v.Pointer != "":
		where += " " + v.Pointer
	}
	s := where + ": " + v.Title
	if v.Detail != "" {
		s += ": " + v.Detail
	}
	return s
}

// Violations lists every rule an exchange broke, each once.
type Violations []Violation

func (v Violations) Error() string {
	lines := make([]string, len(v))
	for i, x := range v {
		lines[i] = x.String()
	}
	return "contract violated:\n  - " + strings.Join(lines, "\n  - ")
}

// Merge appends the violations of more that v does not hold yet: one broken
// rule is reported once, however many checks saw it.
func (v Violations) Merge(more ...Violation) Violations {
	seen := map[string]bool{}
	for _, x := range v {
		seen[x.Key()] = true
	}
	for _, x := range more {
		if !seen[x.Key()] {
			seen[x.Key()] = true
			v = append(v, x)
		}
	}
	return v
}

// LoadDocument parses and validates the shipped openapi.yaml, once per
// process: every caller gets the same document, which none may change (Load
// sets the servers on a copy of its own).
func LoadDocument() (*openapi3.T, error) { return loadDocument() }

var loadDocument = sync.OnceValues(parseDocument)

func parseDocument() (*openapi3.T, error) {
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
	shared, err := LoadDocument()
	if err != nil {
		return nil, err
	}
	doc := new(openapi3.T)
	*doc = *shared // the parsed paths and schemas are shared, read only
	doc.Servers = openapi3.Servers{{URL: strings.TrimSuffix(apiBase, "/")}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("openapi.yaml: routing %s: %w", apiBase, err)
	}
	status, batchStatus := doc.Components.Schemas["Status"], doc.Components.Schemas["BatchStatus"]
	if status == nil || status.Value == nil || batchStatus == nil || batchStatus.Value == nil {
		return nil, errors.New("openapi.yaml: no Status or BatchStatus schema")
	}
	u, err := url.Parse(strings.TrimSuffix(apiBase, "/"))
	if err != nil {
		return nil, fmt.Errorf("contract: API base %q: %w", apiBase, err)
	}
	return &Contract{doc: doc, router: router, table: DefaultTable(), status: status, batchStatus: batchStatus, basePath: u.Path}, nil
}

// Document is the loaded contract (servers set to the target).
func (c *Contract) Document() *openapi3.T { return c.doc }

// ValidateRequest checks a request the suite is about to send or has sent.
func (c *Contract) ValidateRequest(req *http.Request, body []byte) error {
	input, v := c.requestInput(req, body)
	if input == nil {
		return orNil(v)
	}
	return orNil(c.checkRequest(input, body))
}

// ValidateExchange checks the request and the response; the request is
// routed once for both.
func (c *Contract) ValidateExchange(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	input, v := c.requestInput(req, reqBody)
	if input == nil {
		return orNil(v.Merge(c.checkResponse(req, nil, status, header, respBody)...))
	}
	return orNil(c.checkRequest(input, reqBody).Merge(c.checkResponse(req, input, status, header, respBody)...))
}

// ValidateResponse checks a response alone: use it for requests that break
// the contract on purpose, whose answers must still keep it.
func (c *Contract) ValidateResponse(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	input, _ := c.requestInput(req, reqBody) // nil off the contract's map
	return orNil(c.checkResponse(req, input, status, header, respBody))
}

func orNil(v Violations) error {
	if len(v) == 0 {
		return nil
	}
	return v
}

func (c *Contract) checkRequest(input *openapi3filter.RequestValidationInput, body []byte) Violations {
	op := operation(input.Request, input)
	var v Violations
	if ct := input.Request.Header.Get("Content-Type"); len(body) > 0 && ct != "" {
		v = append(v, c.checkFormat(op, "request", input.Request, ct)...)
	}
	if err := openapi3filter.ValidateRequest(input.Request.Context(), input); err != nil {
		v = v.Merge(flatten(op, "request", err)...)
	}
	return v
}

// formatOf is the representation a path asks for: xml under {base}/xml/,
// json anywhere else.
func (c *Contract) formatOf(req *http.Request) string {
	rest, ok := strings.CutPrefix(req.URL.Path, c.basePath)
	if ok && (rest == "/xml" || strings.HasPrefix(rest, "/xml/")) {
		return "xml"
	}
	return "json"
}

// checkFormat holds a JSON or XML body to the path's format: under /xml/
// bodies are XML, elsewhere JSON (openapi.yaml's format parameter).
func (c *Contract) checkFormat(op, in string, req *http.Request, contentType string) Violations {
	switch format := c.formatOf(req); {
	case format == "xml" && IsJSONMediaType(contentType):
		return Violations{{Operation: op, In: in, Parameter: `header "Content-Type"`, Title: TitleFormat,
			Detail: fmt.Sprintf("Content-Type %q on an /xml/ path, whose bodies are application/xml or text/xml", contentType)}}
	case format == "json" && IsXMLMediaType(contentType):
		return Violations{{Operation: op, In: in, Parameter: `header "Content-Type"`, Title: TitleFormat,
			Detail: fmt.Sprintf("Content-Type %q on a /json/ path, whose bodies are application/json", contentType)}}
	}
	return nil
}

// operation names what an exchange did: the contract's operationId, or the
// method and path when the contract has no such operation.
func operation(req *http.Request, input *openapi3filter.RequestValidationInput) string {
	if input != nil && input.Route != nil && input.Route.Operation != nil && input.Route.Operation.OperationID != "" {
		return input.Route.Operation.OperationID
	}
	return req.Method + " " + req.URL.Path
}

// checkResponse holds a response to the table and, when the request was
// routed (input is not nil), to the operation's documented responses.
func (c *Contract) checkResponse(req *http.Request, input *openapi3filter.RequestValidationInput, status int, header http.Header, respBody []byte) Violations {
	op := operation(req, input)
	var v Violations
	row, documented := c.table.Lookup(status)
	if !documented {
		v = append(v, Violation{Operation: op, In: "response", Title: TitleNotInTable, Detail: strconv.Itoa(status)})
	}
	if status == http.StatusNoContent && len(respBody) > 0 {
		v = append(v, Violation{Operation: op, In: "response", Title: TitleBodyOn204, Detail: fmt.Sprintf("%d bytes", len(respBody))})
	}
	var challenge Violations
	if status == http.StatusUnauthorized {
		challenge = ChallengeViolations(op, header)
		v = v.Merge(challenge...)
	}
	if input != nil {
		if len(respBody) > 0 {
			v = v.Merge(c.checkFormat(op, "response", input.Request, header.Get("Content-Type"))...)
		}
		out := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: input,
			Status:                 status,
			Header:                 challengesForKin(header, len(challenge) > 0),
			Options:                input.Options,
		}
		out.SetBodyBytes(respBody)
		if err := openapi3filter.ValidateResponse(input.Request.Context(), out); err != nil {
			v = v.Merge(flatten(op, "response", err)...)
		}
	} else if documented && status != http.StatusNoContent {
		// Off the contract's map (an unknown path, say): the answer must still be a status body.
		v = v.Merge(c.checkStatusSchema(op, req, header, respBody)...)
	}
	if documented {
		v = v.Merge(c.checkStatusBody(op, row, header, respBody)...)
	}
	return v
}

// ChallengeViolations holds a 401's WWW-Authenticate to its promise: a
// Basic challenge among the challenges, in any of the header's lines,
// wherever it stands (RFC 9110 section 11.6.1). The matchers use it too, so
// that a missing challenge is one violation, whichever check saw it.
func ChallengeViolations(op string, header http.Header) Violations {
	const param = `header "WWW-Authenticate"`
	lines := header.Values("WWW-Authenticate")
	if len(lines) == 0 {
		return Violations{{Operation: op, In: "response", Parameter: param, Title: TitleNoChallenge, Detail: "a 401 must carry a Basic challenge"}}
	}
	challenges, err := ParseChallenges(lines...)
	if err != nil {
		return Violations{{Operation: op, In: "response", Parameter: param, Title: TitleChallengeSyntax, Detail: err.Error()}}
	}
	if !HasChallenge(challenges, "Basic") {
		return Violations{{Operation: op, In: "response", Parameter: param, Title: TitleNoBasicChallenge, Detail: fmt.Sprintf("got %q", lines)}}
	}
	return nil
}

// challengesForKin gives kin-openapi, which reads a header's first line
// only, the WWW-Authenticate lines as the one line they are equivalent to.
// When ChallengeViolations has already said what is wrong with them,
// kin-openapi gets a bare Basic challenge instead: it stops at the first bad
// header, and the body must still be checked.
func challengesForKin(header http.Header, judged bool) http.Header {
	lines := header.Values("WWW-Authenticate")
	if !judged && len(lines) < 2 {
		return header
	}
	h := header.Clone()
	if judged {
		h.Set("WWW-Authenticate", "Basic")
	} else {
		h.Set("WWW-Authenticate", strings.Join(lines, ", "))
	}
	return h
}

// requestInput routes a request; off the contract's map it returns nil and
// the violation that says so.
func (c *Contract) requestInput(req *http.Request, body []byte) (*openapi3filter.RequestValidationInput, Violations) {
	route, params, err := c.findRoute(req)
	if err != nil {
		return nil, Violations{{Operation: operation(req, nil), In: "request", Title: TitleNoOperation,
			Detail: fmt.Sprintf("%s %s", req.Method, req.URL.Path)}}
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
		return errNoCredentials
	}
	return nil
}

var errNoCredentials = errors.New(TitleNoCredentials)

// checkStatusSchema holds an answer off the contract's map to the status
// body of the path's format.
func (c *Contract) checkStatusSchema(op string, req *http.Request, header http.Header, body []byte) Violations {
	ct := header.Get("Content-Type")
	var value any
	if c.formatOf(req) == "xml" {
		if !IsXMLMediaType(ct) {
			return Violations{{Operation: op, In: "response", Title: TitleStatusBodyXMLType,
				Detail: fmt.Sprintf("Content-Type %q, want application/xml or text/xml on an /xml/ path", ct)}}
		}
		var err error
		if value, err = DecodeXML(c.status, bytes.NewReader(body)); err != nil {
			var xe *XMLError
			if errors.As(err, &xe) {
				return Violations{xe.Violation(op, "response")}
			}
			return Violations{{Operation: op, In: "response", Title: TitleXMLMalformed, Detail: oneLine(err.Error())}}
		}
	} else {
		if !IsJSONMediaType(ct) {
			return Violations{{Operation: op, In: "response", Title: TitleStatusBodyType, Detail: fmt.Sprintf("Content-Type %q", ct)}}
		}
		if err := json.Unmarshal(body, &value); err != nil {
			return Violations{{Operation: op, In: "response", Title: TitleStatusBodyJSON, Detail: err.Error()}}
		}
	}
	if err := c.status.Value.VisitJSON(value, openapi3.MultiErrors()); err != nil {
		return flatten(op, "response", err)
	}
	return nil
}

// StatusBodyViolations holds a status body to the code table: the code it
// names is the HTTP status (row's), and text and message are the table's.
// A body that is no status body gives none: the schema decides whether one
// was due. The matchers use it too, so that a wrong message is one
// violation, whichever check saw it.
func StatusBodyViolations(op string, row Result, body []byte) Violations {
	var sb struct {
		Code    *int              `json:"code"`
		Text    *string           `json:"text"`
		Message *string           `json:"message"`
		Result  []json.RawMessage `json:"result"`
	}
	// Only an object naming a code can be a status body; a list page need not be decoded again.
	if !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) || !bytes.Contains(body, []byte(`"code"`)) ||
		UnmarshalJSON(body, &sb) != nil || sb.Code == nil {
		return nil
	}
	v := StatusBodyRules(op, row, sb.Code, sb.Text, sb.Message)
	for i, raw := range sb.Result {
		var item statusItem
		if UnmarshalJSON(raw, &item) == nil { // an item that is no object: the schema judges it
			v = append(v, item.rules(op, i)...)
		}
	}
	return v
}

// statusItem is what the code table holds of a batch result item.
type statusItem struct {
	Code    *int    `json:"code"`
	Text    *string `json:"text"`
	Message *string `json:"message"`
	UUIDs   []any   `json:"uuids"`
}

// rules holds the i-th item of a batch's result to the code table: its
// code is one of the table's, and its text and message that code's; a 300
// item lists the uuids of the cases found, as a 300 status body does. A
// member that is of the wrong type is the schema's to judge.
func (it statusItem) rules(op string, i int) Violations {
	if it.Code == nil {
		return nil
	}
	at := fmt.Sprintf("/result/%d", i)
	row, ok := DefaultTable().Lookup(*it.Code)
	if !ok {
		return Violations{{Operation: op, In: "response", Pointer: at + "/code", Title: TitleItemNotInTable, Detail: fmt.Sprintf("item %d: code %d", i, *it.Code)}}
	}
	var v Violations
	if it.Text != nil && *it.Text != row.Text {
		v = append(v, Violation{Operation: op, In: "response", Pointer: at + "/text", Title: TitleItemText,
			Detail: fmt.Sprintf("item %d: got %q, the table says %q for %d", i, *it.Text, row.Text, row.Code)})
	}
	if it.Message != nil && *it.Message != row.Message {
		v = append(v, Violation{Operation: op, In: "response", Pointer: at + "/message", Title: TitleItemMsg,
			Detail: fmt.Sprintf("item %d: got %q, the table says %q for %d", i, *it.Message, row.Message, row.Code)})
	}
	if row.Code == http.StatusMultipleChoices && len(it.UUIDs) == 0 {
		v = append(v, Violation{Operation: op, In: "response", Pointer: at + "/uuids", Title: TitleItemNoUUIDs,
			Detail: fmt.Sprintf("item %d: a 300 item lists the uuids of the cases found", i)})
	}
	return v
}

// checkStatusBody is StatusBodyViolations for a body of either format, by
// its Content-Type.
func (c *Contract) checkStatusBody(op string, row Result, header http.Header, body []byte) Violations {
	if !IsXMLMediaType(header.Get("Content-Type")) {
		return StatusBodyViolations(op, row, body)
	}
	code, text, message, items := c.xmlStatusBody(body)
	if code == nil {
		return nil // not a status body; the schema decides whether one was due
	}
	v := StatusBodyRules(op, row, code, text, message)
	for i, item := range items {
		v = append(v, item.rules(op, i)...)
	}
	return v
}

// StatusBodyRules holds the code, text and message a status body names (in
// either format; a nil text or message is absent, which the schema judges)
// to the code table's row for the HTTP status.
func StatusBodyRules(op string, row Result, code *int, text, message *string) Violations {
	var v Violations
	if code != nil && *code != row.Code {
		v = append(v, Violation{Operation: op, In: "response", Pointer: "/code", Title: TitleStatusBodyCode,
			Detail: fmt.Sprintf("code %d, but the HTTP status is %d", *code, row.Code)})
	}
	if text != nil && *text != row.Text {
		v = append(v, Violation{Operation: op, In: "response", Pointer: "/text", Title: TitleStatusBodyText,
			Detail: fmt.Sprintf("got %q, the table says %q for %d", *text, row.Text, row.Code)})
	}
	if message != nil && *message != row.Message {
		v = append(v, Violation{Operation: op, In: "response", Pointer: "/message", Title: TitleStatusBodyMsg,
			Detail: fmt.Sprintf("got %q, the table says %q for %d", *message, row.Message, row.Code)})
	}
	return v
}

// flatten turns kin-openapi's nested errors into one violation per broken
// rule: a schema error at its JSON pointer, a parameter's error at the
// parameter, anything else with kin-openapi's reason as the title.
func flatten(op, in string, err error) Violations {
	var out Violations
	var walk func(err error, parameter string)
	walk = func(err error, parameter string) {
		// The wrappers first, by their own type: errors.As would find the
		// errors nested in them and lose the parameter they name.
		if multi, ok := err.(openapi3.MultiError); ok {
			for _, e := range multi {
				walk(e, parameter)
			}
			return
		}
		if respErr, ok := err.(*openapi3filter.ResponseError); ok && respErr.Err != nil {
			before := len(out)
			walk(respErr.Err, parameter)
			if len(out) == before {
				title := TitleUndocumented
				if respErr.Reason != "" {
					title = respErr.Reason
				}
				out = append(out, Violation{Operation: op, In: in, Title: title, Detail: oneLine(respErr.Err.Error())})
			}
			return
		}
		if reqErr, ok := err.(*openapi3filter.RequestError); ok && reqErr.Err != nil {
			if reqErr.Parameter != nil {
				parameter = fmt.Sprintf("%s %q", reqErr.Parameter.In, reqErr.Parameter.Name)
			}
			before := len(out)
			walk(reqErr.Err, parameter)
			if len(out) == before {
				title := TitleSchema
				if parameter != "" {
					title = TitleParameter
				}
				out = append(out, Violation{Operation: op, In: in, Parameter: parameter, Title: title, Detail: oneLine(reqErr.Err.Error())})
			}
			return
		}
		// A body that does not read as the contract's XML, in the words of
		// the decoder (kin-openapi wraps it in its own parse error).
		var xmlErr *XMLError
		if errors.As(err, &xmlErr) {
			out = append(out, xmlErr.Violation(op, in))
			return
		}
		var multi openapi3.MultiError
		if errors.As(err, &multi) {
			for _, e := range multi {
				walk(e, parameter)
			}
			return
		}
		var schemaErr *openapi3.SchemaError
		if errors.As(err, &schemaErr) {
			if inner := schemaErr.Unwrap(); inner != nil {
				var nested openapi3.MultiError
				if errors.As(inner, &nested) {
					walk(nested, parameter)
					return
				}
			}
			v := Violation{Operation: op, In: in, Parameter: parameter, Title: TitleSchema, Detail: oneLine(schemaErr.Reason)}
			if parameter == "" {
				v.Pointer = pointer(schemaErr.JSONPointer())
				// kin-openapi points an unknown member at its object; the
				// member itself is what a reader looks for.
				if m := unsupported.FindStringSubmatch(schemaErr.Reason); m != nil {
					v.Pointer = strings.TrimSuffix(v.Pointer, "/") + "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(m[1])
				}
			}
			out = append(out, v)
			return
		}
		var secErr *openapi3filter.SecurityRequirementsError
		if errors.As(err, &secErr) || errors.Is(err, errNoCredentials) {
			out = append(out, Violation{Operation: op, In: in, Title: TitleNoCredentials})
			return
		}
		out = append(out, Violation{Operation: op, In: in, Parameter: parameter, Title: TitleUndocumented, Detail: oneLine(err.Error())})
	}
	walk(err, "")
	return Violations(nil).Merge(out...)
}

var unsupported = regexp.MustCompile(`^property "(.*)" is unsupported$`)

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
