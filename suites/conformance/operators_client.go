package conformance

import (
	"net/http"
	"net/url"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/harness"
	. "github.com/onsi/ginkgo/v2"
)

// operatorsClient is the projects' operators, in one format: who a project
// has (a read: read, get, of), assigning and unassigning one (requests the
// spec sends through the user it needs), and the fixture operator's
// membership of the main project, which a spec claims and the run puts
// back as the preflight found it.
type operatorsClient struct{ a api }

// operators is the client of the projects' operators in a's format.
func operators(a api) operatorsClient { return operatorsClient{a} }

// operatorsRead is a read of a project's operators: their uuids, and the
// exchange that listed them, for failure messages.
type operatorsRead struct {
	UUIDs []string
	X     *client.Exchange
}

// get is the read of a project's operators.
func (o operatorsClient) get(project string) client.Request {
	return harness.OperatorsRequest(o.a.format, project)
}

// read lists the uuids of a project's operators.
func (o operatorsClient) read(ctx SpecContext, project string) operatorsRead {
	GinkgoHelper()
	return o.of(env.API.Do(ctx, o.get(project)), project)
}

// of reads the answer to get for project (204 is none).
func (operatorsClient) of(x *client.Exchange, project string) operatorsRead {
	GinkgoHelper()
	ops, err := harness.OperatorsOf(x)
	noError(err, "listing the operators of %s", project)
	uuids := make([]string, len(ops))
	for i, o := range ops {
		uuids[i] = o.UUID
	}
	return operatorsRead{uuids, x}
}

// assign is the assignment of operator to project, for the spec to send
// as the user it needs (the read-only user must be refused it).
func (o operatorsClient) assign(project, operator string) client.Request {
	return client.Request{Method: http.MethodPost, Path: o.a.operators(project), JSON: map[string]any{"uuid": operator}}
}

// unassign is the unassignment of operator from project.
func (o operatorsClient) unassign(project, operator string) client.Request {
	return client.Request{Method: http.MethodDelete, Path: o.a.operators(project) + url.PathEscape(operator)}
}

// claim makes the fixture operator's membership of the main project this
// spec's for its duration (the spec holds its turn on the membership, and
// the hook's lease, as its row shares it): it checks that the operator is
// not assigned, as the spec needs. One that was assigned when the run
// started and still is (by someone else, or by a run that was killed) is
// not touched, and the condition is not provoked. One the preflight found
// unassigned is this run's to put back: an earlier spec's cleanup that did
// not take, which is the API's failure, and the spec goes on to give its
// verdict.
func (o operatorsClient) claim(ctx SpecContext) (putBack func()) {
	GinkgoHelper()
	// Read only when the preflight found it assigned: else it is this run's.
	if env.OperatorAssigned && o.assigned(ctx) {
		notProvoked("%s %s is already assigned to the main project %s (by someone else, or by a run that was killed); the suite changes only a membership it can put back as it found it",
			config.EnvOperator, env.Config.Operator, env.Config.Project)
	}
	return o.unassignLater()
}

// assigned reads whether the fixture operator is assigned to the main
// project, in the run's first format, as the preflight read it.
func (operatorsClient) assigned(ctx SpecContext) bool {
	GinkgoHelper()
	member, err := env.IsMember(ctx, env.Config.Project, env.Config.Operator)
	if err != nil {
		runError("setup could not list the main project's operators: %v", err)
	}
	return member
}

// unassignLater puts the fixture operator's membership of the main project
// back as the preflight found it (not assigned) when the spec ends, unless
// the spec calls the function it returns: it has seen it so already.
func (o operatorsClient) unassignLater() (putBack func()) {
	seen := false
	later(func(ctx SpecContext) {
		if seen {
			return
		}
		// Sent again when its answer never came: a 404 then is done.
		r := o.unassign(env.Config.Project, env.Config.Operator)
		r.Purpose, r.Retry = "put the operator's membership back", true
		x := env.API.Do(cleanupContext(ctx), r)
		if x.Err != nil || (x.Status != http.StatusOK && x.Status != http.StatusNotFound) {
			reportLeftover("operator membership", env.Config.Operator+" in "+env.Config.Project, x)
		}
	})
	return func() { seen = true }
}
