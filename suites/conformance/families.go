package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/contract"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The families: one table per cross-cutting condition whose rows are the
// contract's operations, read from openapi.yaml when the tree is built, so
// that an operation added to the contract joins every family it belongs to
// without a new spec. The request for an operation is built from one table
// of example values (examples), not written per family.

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
		runError("the suite has no example body for operation %s: add one to examples in suites/conformance/families.go", op.ID)
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

// familyRowOf is one row of a family: the catalogue row's title with the
// operation (and the variant) named, and its decorators with the label
// op:ID.
func familyRowOf(id, format string, op contract.Operation, variant string) (string, []any) {
	text := fmt.Sprintf("%s [%s %s]", title(id), op.ID, variant)
	if variant == "" {
		text = fmt.Sprintf("%s [%s]", title(id), op.ID)
	}
	return text, append(labels(id, format), Label(catalogue.OpLabel(op.ID)))
}

// opsWhere lists the operations a family covers.
func opsWhere(keep func(contract.Operation) bool) []contract.Operation {
	var out []contract.Operation
	for _, op := range operations {
		if keep(op) {
			out = append(out, op)
		}
	}
	return out
}

// callsTo is one call per operation that keep holds for, each sent as c
// says when the run is under way.
func callsTo(keep func(contract.Operation) bool, variant string, as func() *client.Client, c func() call) []familyCall {
	var out []familyCall
	for _, op := range opsWhere(keep) {
		out = append(out, familyCall{op: op, variant: variant, as: as, call: c})
	}
	return out
}

var _ = Describe("families over the contract's operations", func() {
	for _, format := range formats {
		a := api{format}
		send := func(ctx SpecContext, calls []familyCall) []familyAnswer {
			return sendFamily(ctx, a, calls, nil, nil, false)
		}
		Context(format, func() {
			// 401 comes first: a request without valid credentials is refused
			// whatever it names, so each call names an unknown project, an
			// unknown case and, where there is one, a malformed body: 404 and
			// 400 must not come before it, nor 403 on a write. The contract
			// requires credentials; the answer must still keep it.
			unauthorized := func() call {
				return call{project: unknownUUID(), malformed: true, purpose: "without valid credentials", offContract: true}
			}
			documents401 := func(op contract.Operation) bool { return op.Documents(http.StatusUnauthorized) }
			check401 := func(ans familyAnswer) {
				Expect(ans.x).To(HaveResult(http.StatusUnauthorized), "401 comes before 400 and 404")
				Expect(ans.x).To(HaveBasicChallenge())
			}
			familyTable("401 on every operation without credentials", "E401-every-operation", format,
				callsTo(documents401, "no credentials", func() *client.Client { return env.API.WithAuthorization("") }, unauthorized), send, check401)
			familyTable("401 on every operation with a wrong password", "E401-every-operation", format,
				callsTo(documents401, "wrong password", func() *client.Client {
					return env.API.As(client.Credentials{Username: env.Config.Username, Password: "wrong-" + env.RunID})
				}, unauthorized), send, check401)
			// The read-only user's name with a wrong password: 401, not the 403 its rights would give.
			familyTable("401 on every write for the read-only user with a wrong password", "E401-readonly-wrong-password", format,
				callsTo(func(op contract.Operation) bool { return op.Writes() && documents401(op) }, "", func() *client.Client {
					return env.API.As(client.Credentials{Username: env.Config.ReadOnlyUsername, Password: "wrong-" + env.RunID})
				}, unauthorized), send, check401)

			// 403 for the read-only user on every write, before 400 and 404.
			familyTable("403 on every write", "E403-every-write", format,
				callsTo(func(op contract.Operation) bool { return op.Writes() && op.Documents(http.StatusForbidden) }, "",
					func() *client.Client { return env.ReadOnly }, func() call { return call{project: unknownUUID(), malformed: true, purpose: "as the read-only user"} }),
				send,
				func(ans familyAnswer) {
					Expect(ans.x).To(HaveResult(http.StatusForbidden), "the read-only user %q is refused every write, before 400 and 404 (%s)",
						env.Config.ReadOnlyUsername, config.EnvReadOnlyUsername)
				})

			// 404 for an unknown project, on every operation that names one,
			// with an otherwise valid request; nothing is created.
			familyTable("404 for an unknown project", "E404-unknown-project", format,
				callsTo(func(op contract.Operation) bool { return op.Project != "" && op.Documents(http.StatusNotFound) }, "",
					nil, func() call { return call{project: unknownUUID(), purpose: "in a project that does not exist"} }),
				func(ctx SpecContext, calls []familyCall) []familyAnswer {
					return sendFamily(ctx, a, calls, nil, nil, true)
				},
				answeredAndNothingMade(http.StatusNotFound))

			// 400 for a malformed body, on every operation that takes one, in
			// the main project and naming an unknown case: 400 before 404.
			familyTable("400 for a malformed body", "E400-malformed-body", format,
				callsTo(func(op contract.Operation) bool { return op.BodyType != "" && op.Documents(http.StatusBadRequest) }, "",
					nil, func() call {
						return call{project: env.Config.Project, malformed: true, purpose: "with a malformed body"}
					}),
				send,
				func(ans familyAnswer) {
					Expect(ans.x).To(HaveResult(http.StatusBadRequest), "400 comes before 404")
				})
		})
	}
})
