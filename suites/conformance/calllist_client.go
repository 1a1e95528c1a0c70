package conformance

import (
	"net/http"
	"net/url"

	"github.com/callcases/conformance/client"
	. "github.com/onsi/ginkgo/v2"
)

// calllistClient is the projects' dialing runs, in one format: the
// commands of POST /projects/{p}/calllist/. A command is the request under
// test, which the spec sends through the user it needs (env.API,
// env.ReadOnly, a fault's client); what it did is read back through
// projects(a).
type calllistClient struct{ a api }

// calllists is the client of the dialing runs in a's format.
func calllists(a api) calllistClient { return calllistClient{a} }

// command is the request of cmd to project's dialing run; a command other
// than the four the contract names is off the contract on purpose. The
// suite never sends start to a project that could dial: only to the
// completed project, where it must fail (stillCompleted comes first).
func (l calllistClient) command(project, cmd string) client.Request {
	return client.Request{Method: http.MethodPost, Path: l.a.calllist(project), Form: url.Values{"cmd": {cmd}},
		OffContract: cmd != "start" && cmd != "stop" && cmd != "update" && cmd != "delete"}
}

// stillCompleted reads the completed project before a command: one that no
// longer reads completed (an earlier command of the run changed it, which
// that command's spec reports) leaves the condition not provoked, and is
// sent nothing more.
func (l calllistClient) stillCompleted(ctx SpecContext) {
	GinkgoHelper()
	if state := projects(l.a).read(ctx, env.Config.CompletedProject).State; state != "completed" {
		notProvoked("the completed project %s reads %q, not completed (an earlier command of this run changed it?); the suite sends it commands, start above all, only while it is completed and cannot dial",
			env.Config.CompletedProject, state)
	}
}
