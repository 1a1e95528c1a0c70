package conformance

import (
	"net/http"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// A project's state.

// readProject reads a fixture project.
func readProject(ctx SpecContext, a api, uuid string) string {
	GinkgoHelper()
	state, _ := readProjectX(ctx, a, uuid)
	return state
}

// readProjectX reads a fixture project's state, with the exchange for failure messages.
func readProjectX(ctx SpecContext, a api, uuid string) (string, *client.Exchange) {
	GinkgoHelper()
	x := env.API.Do(ctx, projectRequest(a, uuid))
	return projectStateOf(x), x
}

func projectRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.project(uuid), Purpose: "read the project's state"}
}

// projectStateOf holds a read of a fixture project and returns its state.
func projectStateOf(x *client.Exchange) string {
	GinkgoHelper()
	Expect(x).To(BeRead())
	var p struct {
		State string `json:"state"`
	}
	decodeAs(x, &p, "a project")
	return p.State
}
