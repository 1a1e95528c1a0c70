package explore

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/callcases/conformance/client"
)

// step is one generated request, abstract: each side builds it with its
// own uuids and fixtures (build), and the runner learns from the answers
// (after). A step is a value the report prints.
type step struct {
	what  string // "update by uuid, case 2", shown in the report
	kind  string // how a 200 reads: "case", "state", "list", or "" (a status body)
	slots []int  // the cases it touches: they are read back at the end
	write bool   // a write: the cases it touches may move their lastModified
	// bad: the request is broken on purpose (off the contract); its answer
	// must be the reference's and it must change nothing.
	bad   bool
	build func(s *side) client.Request
	// creates: the slot a create gives a case to, by the answer's Location
	// (-1: none), and the batch's slots, by its items' uuids.
	creates      int
	batchCreates []int
	// user transforms the side's credentials (bad credentials), nil: as is.
	user func(client.Credentials) client.Credentials
	// list: the query of a list, built per side (bounds are each server's own dates).
	list func(s *side) url.Values
	// tieBound: a list bound taken from this slot's lastModified; cases the
	// target dated at the same instant are left out of the comparison.
	tieBound int
	bound    int // 1: modifiedAfter, 2: modifiedBefore the tieBound case's lastModified
	// observe: a write to case observe-1 (0: none) is judged by its
	// dates, so they are read first when the target has not shown them.
	observe int
}

func (a api) cases() string                 { return "/" + a.format + "/callcases/" }
func (a api) caseByUUID(uuid string) string { return a.cases() + url.PathEscape(uuid) }
func (a api) project(p string) string       { return "/" + a.format + "/projects/" + url.PathEscape(p) }
func (a api) byExternalID(p, id string) string {
	return a.project(p) + "/callcases/" + url.PathEscape(id)
}
func (a api) external(p string) string { return a.project(p) + "/callcases/" }
func (a api) batch(p string) string    { return a.project(p) + "/callcases-batch/" }

// api builds paths for one format.
type api struct{ format string }

// describe prints a request for the report, one line.
func describe(r client.Request) string {
	var b strings.Builder
	b.WriteString(r.Method + " " + r.Path)
	if r.Query != nil {
		b.WriteString("?" + r.Query.Encode())
	}
	switch {
	case r.JSON != nil:
		b.WriteString(" " + show(r.JSON))
	case r.Form != nil:
		b.WriteString(" form " + r.Form.Encode())
	case r.Raw != nil:
		b.WriteString(fmt.Sprintf(" raw %q", clip(string(r.Raw), 200)))
	}
	if r.ContentType != "" {
		b.WriteString(" (Content-Type: " + r.ContentType + ")")
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

var (
	get  = http.MethodGet
	post = http.MethodPost
	put  = http.MethodPut
	del  = http.MethodDelete
)
