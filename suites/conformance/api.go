package conformance

import (
	"net/http"
	"net/url"

	"github.com/callcases/conformance/client"
	. "github.com/onsi/ginkgo/v2"
)

// The paths and bodies of the API in one format.

// api builds requests for one format.
type api struct{ format string }

func (a api) cases() string                 { return "/" + a.format + "/callcases/" }
func (a api) caseByUUID(uuid string) string { return a.cases() + url.PathEscape(uuid) }
func (a api) project(p string) string       { return "/" + a.format + "/projects/" + url.PathEscape(p) }
func (a api) byExternalID(p, id string) string {
	return a.project(p) + "/callcases/" + url.PathEscape(id)
}
func (a api) external(p string) string  { return a.project(p) + "/callcases/" }
func (a api) batch(p string) string     { return a.project(p) + "/callcases-batch/" }
func (a api) calllist(p string) string  { return a.project(p) + "/calllist/" }
func (a api) operators(p string) string { return a.project(p) + "/operators/" }

func projectQuery(p string) url.Values { return url.Values{"project": {p}} }

// otherFormat is the other of the two formats, the one a case is read back
// through (crossformat.go).
func otherFormat(format string) string {
	if format == "xml" {
		return "json"
	}
	return "xml"
}

// mediaType is the Content-Type of the format's bodies.
func (a api) mediaType() string { return "application/" + a.format }

// encoded is a create's body in the format, as the client writes it, for
// rows that send it broken or mislabelled: one value, never a hand-typed
// second copy in each format.
func encoded(a api, value map[string]any) ([]byte, string) {
	GinkgoHelper()
	body, contentType, err := env.API.Body(client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), JSON: value})
	if err != nil || len(body) == 0 {
		runError("the suite could not write a %s body: %v", a.format, err)
	}
	return body, contentType
}
