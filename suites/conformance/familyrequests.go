package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	. "github.com/onsi/ginkgo/v2"
)

// The request a family (families.go, faults.go) sends to each of the
// contract's operations: the operations read from openapi.yaml, a valid
// body for each from one table of example values, or a malformed one, and
// the path filled with fresh identifiers.

// operations are the contract's operations, in path order.
var operations = func() []contract.Operation {
	doc, err := contract.LoadDocument()
	if err != nil {
		panic(err) // the shipped contract is the suite's own: a broken one is a build defect
	}
	return contract.Operations(doc)
}()

// example is how the suite fills one operation's request body: JSON members
// or form fields from the values of one call.
type example struct {
	json func(v exampleValues) map[string]any
	form func(v exampleValues) url.Values
}

// exampleValues are the identifiers one call names: fresh ones, so that a
// call the target wrongly applies is cleaned up by uuid and names nothing
// another spec uses.
type exampleValues struct {
	uuid, id, title, operator string
}

// examples holds a valid body for every operation that takes one.
var examples = map[string]example{
	"createCallCase": {json: func(v exampleValues) map[string]any { return map[string]any{"uuid": v.uuid, "title": v.title} }},
	"updateCallCase": {json: func(v exampleValues) map[string]any { return map[string]any{"uuid": v.uuid, "title": v.title} }},
	"setCallCaseState": {form: func(exampleValues) url.Values {
		return url.Values{"state": {"adjourned"}}
	}},
	"createCallCaseByExternalId": {json: func(v exampleValues) map[string]any {
		return map[string]any{"uuid": v.uuid, "id": v.id, "title": v.title}
	}},
	"updateCallCaseByExternalId": {json: func(v exampleValues) map[string]any { return map[string]any{"id": v.id, "title": v.title} }},
	"createCallCases": {json: func(v exampleValues) map[string]any {
		return map[string]any{"callcase": []any{map[string]any{"uuid": v.uuid, "id": v.id, "title": v.title}}}
	}},
	"updateCallCases": {json: func(v exampleValues) map[string]any {
		return map[string]any{"callcase": []any{map[string]any{"id": v.id, "title": v.title}}}
	}},
	"deleteCallCases": {json: func(v exampleValues) map[string]any { return map[string]any{"uuid": []string{v.uuid}} }},
	// update changes no state: the only command safe on a project that could dial.
	"controlCallList": {form: func(exampleValues) url.Values { return url.Values{"cmd": {"update"}} }},
	"assignOperator":  {json: func(v exampleValues) map[string]any { return map[string]any{"uuid": v.operator} }},
}

// call is what a family sends to one operation.
type call struct {
	project   string // the project named in the path or the query
	malformed bool   // a body that does not parse as its media type
	purpose   string
	// offContract: the call breaks the contract on purpose (it has no
	// valid credentials); the answer must still keep it.
	offContract bool
}

// callOf builds the request for op in format: path parameters filled with
// fresh identifiers (no case has them), the project as given, the example
// body or a malformed one. The uuid of anything the call could create is
// returned so that the spec can clean it up and check that it was not.
func callOf(op contract.Operation, format string, c call) (client.Request, string) {
	GinkgoHelper()
	v := exampleValues{uuid: newUUID(), id: newExternalID(), title: newTitle(op.ID), operator: unknownUUID()}
	path := strings.NewReplacer(
		"{format}", format,
		"{project}", url.PathEscape(c.project),
		"{uuid}", url.PathEscape(v.uuid),
		"{id}", url.PathEscape(v.id),
		"{operator}", url.PathEscape(v.operator),
	).Replace(op.Path)
	r := client.Request{Method: op.Method, Path: path, Purpose: fmt.Sprintf("%s (%s)", op.ID, c.purpose), OffContract: c.offContract}
	if op.Project == "query" {
		r.Query = projectQuery(c.project)
	}
	if op.BodyType == "" {
		return r, v.uuid
	}
	ex, ok := examples[op.ID]
	if !ok {
		runError("the suite has no example body for operation %s: add one to examples in suites/conformance/familyrequests.go", op.ID)
	}
	switch {
	case c.malformed:
		r.Raw, r.ContentType, r.OffContract = malformedBody(format, op.BodyType), declaredType(format, op.BodyType), true
	case ex.form != nil:
		r.Form = ex.form(v)
	default:
		r.JSON = ex.json(v)
	}
	return r, v.uuid
}

// malformedBody is a body that does not parse as its media type: JSON (or
// XML) cut short, or a form field that is not percent-encoding (a lenient
// form parser still finds no valid state or command in it).
func malformedBody(format, mediaType string) []byte {
	switch {
	case strings.Contains(mediaType, "form"):
		return []byte("state=%zz&cmd=%zz")
	case format == "xml" || strings.Contains(mediaType, "xml"):
		return []byte("<callcase><title>cut short")
	}
	return []byte(`{"title": "cut short`)
}

// declaredType is the type a malformed body is declared as: its format's
// own (a body of the other format is another 400), or the form's.
func declaredType(format, mediaType string) string {
	if format == "xml" && !strings.Contains(mediaType, "form") {
		return "application/xml"
	}
	return mediaType
}

// creates reports whether a successful call of op makes a case.
func creates(op contract.Operation) bool {
	return op.Method == http.MethodPost && strings.Contains(op.Path, "callcases")
}
