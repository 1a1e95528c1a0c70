package conformance

import (
	"net/http"
	"slices"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// externalClient is the cases of one project by external id, in one
// format: create, read, update and delete by the id a customer's system
// gives a case (/projects/{p}/callcases/). External ids are unique, and
// looked up, per project (docs/rules.md, identifiers), so a client is of
// one project: the main one, or another through in. post, put, delete and
// get build the requests a spec sends itself (under test, alone or among
// others, off the contract); read and of judge a read that must find one
// case, as cases(a)'s do; create and createAll are groundwork, whose
// failure is an error of the run.
type externalClient struct {
	a       api
	project string
}

// externalIDs is the client of the main project's cases by external id, in
// a's format.
func externalIDs(a api) externalClient { return externalClient{a, env.Config.Project} }

// in is the client of another project's cases by external id.
func (e externalClient) in(project string) externalClient { return externalClient{e.a, project} }

// create creates a case with external id id, as groundwork, and returns its
// uuid.
func (e externalClient) create(ctx SpecContext, id string) string {
	GinkgoHelper()
	uuid, r := e.createRequest(id)
	setup(env.API.Do(ctx, r), http.StatusCreated, "create a case with an external id")
	return uuid
}

// createAll is create for several ids, created at once.
func (e externalClient) createAll(ctx SpecContext, ids ...string) []string {
	GinkgoHelper()
	return createEach(ctx, "create a case with an external id", len(ids), func(i int) (string, client.Request) { return e.createRequest(ids[i]) })
}

// createRequest is the create of one case with external id id, registered
// for deletion before it is sent.
func (e externalClient) createRequest(id string) (string, client.Request) {
	uuid := newUUID()
	deleteLater(e.a, uuid)
	r := e.post(map[string]any{"uuid": uuid, "id": id, "title": newTitle("case with an external id")})
	r.Purpose = "create a case with an external id"
	return uuid, r
}

// post is a create by external id whose body is fields (an id, a title, a
// uuid that finds what a target made).
func (e externalClient) post(fields map[string]any) client.Request {
	return client.Request{Method: http.MethodPost, Path: e.a.external(e.project), JSON: fields}
}

// put is an update by external id whose body is fields (the id, and what
// changes).
func (e externalClient) put(fields map[string]any) client.Request {
	return client.Request{Method: http.MethodPut, Path: e.a.external(e.project), JSON: fields}
}

// delete is the delete of the case with external id id.
func (e externalClient) delete(id string) client.Request {
	return client.Request{Method: http.MethodDelete, Path: e.a.byExternalID(e.project, id)}
}

// get is the read of the case with external id id.
func (e externalClient) get(id string) client.Request {
	return client.Request{Method: http.MethodGet, Path: e.a.byExternalID(e.project, id), Purpose: "read the case by its external id"}
}

// read reads the one case with external id id.
func (e externalClient) read(ctx SpecContext, id string) caseRead {
	GinkgoHelper()
	return e.of(env.API.Do(ctx, e.get(id)))
}

// of holds the answer to get (a read of one case), and decodes it.
func (e externalClient) of(x *client.Exchange) caseRead {
	GinkgoHelper()
	return cases(e.a).of(x)
}

// getGone is the read of an external id no case must have (expectGone
// judges it).
func (e externalClient) getGone(id string) client.Request {
	return client.Request{Method: http.MethodGet, Path: e.a.byExternalID(e.project, id), Purpose: "check that no case has the external id"}
}

// expectGone asserts that no case of the project has external id id.
func (e externalClient) expectGone(ctx SpecContext, id string) {
	GinkgoHelper()
	expectGone(env.API.Do(ctx, e.getGone(id)), "external id "+id)
}

// foreignLists read the first page of cases of each fixture project but
// this one, where foreignIDs finds external ids in use elsewhere.
func (e externalClient) foreignLists() []client.Request {
	var out []client.Request
	for _, p := range []string{env.Config.CompletedProject, env.Config.AutoProject} {
		if p != "" && p != e.project {
			r := lists(e.a).get(projectQuery(p))
			r.Purpose = "look for an external id in another project"
			out = append(out, r)
		}
	}
	return out
}

// foreignIDs are the external ids that the cases the pages of foreignLists
// show have, in order, once each.
func (e externalClient) foreignIDs(pages []*client.Exchange) []string {
	GinkgoHelper()
	var ids []string
	for _, x := range pages {
		l, found := lists(e.a).ofOrEmpty(x)
		if !found {
			continue
		}
		for _, c := range l.CallCase {
			if c.ID != nil && *c.ID != "" && !slices.Contains(ids, *c.ID) {
				ids = append(ids, *c.ID)
			}
		}
	}
	return ids
}

// firstFree returns the first of ids that no case of the project has (a
// read by it answers 404), "" when every one is taken. The reads go out a
// few at once: the first is nearly always free.
func (e externalClient) firstFree(ctx SpecContext, ids []string) string {
	GinkgoHelper()
	for chunk := range slices.Chunk(ids, 4) {
		reads := make([]client.Request, len(chunk))
		for i, id := range chunk {
			reads[i] = e.get(id)
			reads[i].Purpose = "is this external id free in the main project?"
		}
		for i, x := range doAll(ctx, env.API, reads...) {
			Expect(x).To(AnswerOneOf(HaveResult(http.StatusNotFound), BeRead(), HaveResult(http.StatusMultipleChoices)))
			if x.Status == http.StatusNotFound {
				return chunk[i]
			}
		}
	}
	return ""
}
