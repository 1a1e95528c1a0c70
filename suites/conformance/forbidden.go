package conformance

import (
	"net/http"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The read-only user's writes (auth.go): each refused, while the same user
// still reads, for every spec that sends one.

// forbidden asserts a read-only write was refused and that the same user's
// read of the same target still succeeds. The preflight does not probe
// writes (a probe would be this very condition), so a failure says which
// setting to doubt too. The spec's read-backs of what the write must have
// left go out with that read, as the full-rights user; their answers are
// returned for the spec to judge after the refusal.
func forbidden(ctx SpecContext, a api, x *client.Exchange, readBacks ...client.Request) []*client.Exchange {
	GinkgoHelper()
	senders := []*client.Client{env.ReadOnly}
	requests := []client.Request{{Method: http.MethodGet, Path: a.project(env.Config.Project), Purpose: "the read-only user may read"}}
	for _, r := range readBacks {
		senders, requests = append(senders, env.API), append(requests, r)
	}
	got := doEach(ctx, senders, requests)
	Expect(x).To(HaveResult(http.StatusForbidden),
		"the read-only user %q must be refused writes; if the target gives that user write rights, %s names the wrong user",
		env.Config.ReadOnlyUsername, config.EnvReadOnlyUsername)
	Expect(got[0]).To(BeRead())
	return got[1:]
}
