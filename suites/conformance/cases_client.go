package conformance

import (
	"cmp"
	"net/http"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// casesClient is the cases of one format by uuid: its calls take values and
// return typed answers, each held to what the call needs (a create that
// fails is an error of the run; a read that fails, a verdict). A request a
// spec sends alone or among others (doAll, forbidden) comes from get or
// getGone, and of judges its answer as read does; a write the spec judges
// comes from post, put or delete, which the spec sends itself (as the
// read-only user, off the contract).
type casesClient struct {
	a       api
	project string // where post creates; "" is the main project
}

// cases is the client of the cases in a's format.
func cases(a api) casesClient { return casesClient{a: a} }

// in is the client whose post creates in project instead of the main one.
func (c casesClient) in(project string) casesClient { return casesClient{c.a, project} }

// caseRead is a read of a case that must exist: the case, and the exchange
// that read it, for failure messages.
type caseRead struct {
	CallCase
	X *client.Exchange
}

// create creates a case in the main project through POST
// /callcases/?project=, with fields added to a fresh uuid and title, and
// returns its uuid.
func (c casesClient) create(ctx SpecContext, fields map[string]any) string {
	GinkgoHelper()
	uuid, r := c.createRequest(fields)
	setup(env.API.Do(ctx, r), http.StatusCreated, "create a case")
	return uuid
}

// createAll is create for several cases, created at once, one POST
// /callcases/?project= each; fields[i] goes into case i.
func (c casesClient) createAll(ctx SpecContext, fields ...map[string]any) []string {
	GinkgoHelper()
	return createEach(ctx, "create a case", len(fields), func(i int) (string, client.Request) { return c.createRequest(fields[i]) })
}

// createRequest is the create of one case, registered for deletion before
// it is sent.
func (c casesClient) createRequest(fields map[string]any) (string, client.Request) {
	body := map[string]any{"uuid": newUUID(), "title": newTitle("case")}
	for k, v := range fields {
		body[k] = v
	}
	uuid := body["uuid"].(string)
	deleteLater(c.a, uuid)
	r := c.post(body)
	r.Purpose = "create a case to work on"
	return uuid, r
}

// post is a create in the main project (or the one of in) whose body is
// fields as they are sent (a uuid, a title, what else the spec gives the
// case).
func (c casesClient) post(fields map[string]any) client.Request {
	return client.Request{Method: http.MethodPost, Path: c.a.cases(), Query: projectQuery(cmp.Or(c.project, env.Config.Project)), JSON: fields}
}

// put is an update by uuid whose body is fields (the uuid, and what
// changes).
func (c casesClient) put(fields map[string]any) client.Request {
	return client.Request{Method: http.MethodPut, Path: c.a.cases(), JSON: fields}
}

// delete is the delete of the case with this uuid.
func (c casesClient) delete(uuid string) client.Request {
	return client.Request{Method: http.MethodDelete, Path: c.a.caseByUUID(uuid)}
}

// get is the read of a case that must exist.
func (c casesClient) get(uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: c.a.caseByUUID(uuid), Purpose: "read the case back"}
}

// read reads a case that must exist.
func (c casesClient) read(ctx SpecContext, uuid string) caseRead {
	GinkgoHelper()
	return c.of(env.API.Do(ctx, c.get(uuid)))
}

// readAll reads cases that must exist, at once.
func (c casesClient) readAll(ctx SpecContext, uuids ...string) []caseRead {
	GinkgoHelper()
	requests := make([]client.Request, len(uuids))
	for i, uuid := range uuids {
		requests[i] = c.get(uuid)
	}
	out := make([]caseRead, len(uuids))
	for i, x := range doAll(ctx, env.API, requests...) {
		out[i] = c.of(x)
	}
	return out
}

// of holds the answer to get (a read of a case that must exist), and
// decodes it.
func (casesClient) of(x *client.Exchange) caseRead {
	GinkgoHelper()
	Expect(x).To(BeRead())
	var c CallCase
	decodeAs(x, &c, "a case")
	return caseRead{c, x}
}

// getGone is the read of a case that must not exist (expectGone judges it).
func (c casesClient) getGone(uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: c.a.caseByUUID(uuid), Purpose: "check that the case does not exist"}
}

// expectGone asserts that no case with this uuid exists.
func (c casesClient) expectGone(ctx SpecContext, uuid string) {
	GinkgoHelper()
	expectGone(env.API.Do(ctx, c.getGone(uuid)), "case "+uuid)
}

// expectSame reads a case through this client's format and other's and
// holds the two reads to the same values, dates as instants; it returns the
// read through this client's format.
func (c casesClient) expectSame(ctx SpecContext, other api, uuid string) CallCase {
	GinkgoHelper()
	r, o := c.read(ctx, uuid), cases(other).read(ctx, uuid)
	Expect(o.UUID).To(Equal(r.UUID), "uuid through %s and %s", c.a.format, other.format)
	Expect(o.ID).To(Equal(r.ID), "id through %s and %s", c.a.format, other.format)
	Expect(o.Title).To(Equal(r.Title), "title through %s and %s", c.a.format, other.format)
	Expect(o.Parent.UUID).To(Equal(r.Parent.UUID), "parent through %s and %s", c.a.format, other.format)
	Expect(o.State.ID).To(Equal(r.State.ID), "state through %s and %s", c.a.format, other.format)
	Expect(o.Priority).To(Equal(r.Priority), "priority through %s and %s", c.a.format, other.format)
	Expect(o.Comment).To(Equal(r.Comment), "comment through %s and %s", c.a.format, other.format)
	Expect(o.PhoneNumbers.PhoneNumber).To(Equal(r.PhoneNumbers.PhoneNumber), "phone numbers, in order, through %s and %s", c.a.format, other.format)
	Expect(instant(o.CreationDate)).To(BeTemporally("==", instant(r.CreationDate)), "creationDate through %s and %s", c.a.format, other.format)
	Expect(instant(o.LastModified)).To(BeTemporally("==", instant(r.LastModified)), "lastModified through %s and %s", c.a.format, other.format)
	Expect(o.Scheduled == nil).To(Equal(r.Scheduled == nil), "scheduledTime through %s and %s", c.a.format, other.format)
	if r.Scheduled != nil {
		Expect(instant(*o.Scheduled)).To(BeTemporally("==", instant(*r.Scheduled)), "scheduledTime through %s and %s", c.a.format, other.format)
	}
	return r.CallCase
}
