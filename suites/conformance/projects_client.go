package conformance

import (
	"net/http"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// projectsClient is the fixture projects, in one format, as the specs read
// them: their state. A read's request comes from get, for a spec that sends
// it among others (forbidden), and of judges its answer as read does.
type projectsClient struct{ a api }

// projects is the client of the projects in a's format.
func projects(a api) projectsClient { return projectsClient{a} }

// projectRead is a read of a fixture project: its state, and the exchange
// that read it, for failure messages.
type projectRead struct {
	State string
	X     *client.Exchange
}

// get is the read of a fixture project.
func (p projectsClient) get(uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: p.a.project(uuid), Purpose: "read the project's state"}
}

// read reads a fixture project's state.
func (p projectsClient) read(ctx SpecContext, uuid string) projectRead {
	GinkgoHelper()
	return p.of(env.API.Do(ctx, p.get(uuid)))
}

// of holds the answer to get (a read of a fixture project) and reads its
// state.
func (projectsClient) of(x *client.Exchange) projectRead {
	GinkgoHelper()
	Expect(x).To(BeRead())
	var p struct {
		State string `json:"state"`
	}
	decodeAs(x, &p, "a project")
	return projectRead{p.State, x}
}
