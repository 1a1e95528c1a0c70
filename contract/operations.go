package contract

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Operation is one operation of openapi.yaml as the coverage matrix and the
// suite's families see it: what it is called, how it is reached, which
// codes it documents, and what its request carries.
type Operation struct {
	ID     string // operationId
	Method string // GET, POST, ...
	Path   string // the path template, e.g. /{format}/projects/{project}/callcases/
	Codes  []int  // the documented response codes, ascending
	// BodyType is the media type of the request body ("" when it takes none).
	BodyType string
	// Project says where the operation names a project: "path", "query" or "".
	Project string
}

// Writes reports whether the operation changes data (every method but GET and HEAD).
func (o Operation) Writes() bool { return o.Method != http.MethodGet && o.Method != http.MethodHead }

// CaseEndpoint reports whether the path is a case endpoint (it has
// "callcases" in it), the ones the integration service stands behind.
func (o Operation) CaseEndpoint() bool { return strings.Contains(o.Path, "callcases") }

// NamesCase reports whether the path names one case, by its uuid or by
// its external id.
func (o Operation) NamesCase() bool {
	return strings.Contains(o.Path, "{uuid}") || strings.Contains(o.Path, "{id}")
}

// Documents reports whether the operation documents code.
func (o Operation) Documents(code int) bool { return slices.Contains(o.Codes, code) }

// Operations lists the operations of a document in path order, then method
// order, each with its codes ascending.
func Operations(doc *openapi3.T) []Operation {
	var out []Operation
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Find(path)
		if item == nil {
			continue
		}
		for method, op := range item.Operations() {
			o := Operation{ID: op.OperationID, Method: method, Path: path}
			if op.Responses != nil {
				for status := range op.Responses.Map() {
					if code, err := strconv.Atoi(status); err == nil {
						o.Codes = append(o.Codes, code)
					}
				}
			}
			slices.Sort(o.Codes)
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for mediaType := range op.RequestBody.Value.Content {
					if o.BodyType == "" || mediaType < o.BodyType {
						o.BodyType = mediaType
					}
				}
			}
			for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
				for _, p := range params {
					if p.Value != nil && p.Value.Name == "project" {
						o.Project = p.Value.In
					}
				}
			}
			out = append(out, o)
		}
	}
	slices.SortStableFunc(out, func(a, b Operation) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(methodRank(a.Method), methodRank(b.Method))
	})
	return out
}

func methodRank(m string) string {
	i := slices.Index([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}, m)
	if i < 0 {
		return "9" + m
	}
	return strconv.Itoa(i)
}

// Operations lists the contract's operations (see the function Operations).
func (c *Contract) Operations() []Operation { return Operations(c.doc) }

// OperationOf names the operation a request routes to ("" off the contract's map).
func (c *Contract) OperationOf(req *http.Request) string {
	route, _, err := c.findRoute(req)
	if err != nil || route.Operation == nil {
		return ""
	}
	return route.Operation.OperationID
}
