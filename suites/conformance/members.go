package conformance

import (
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/harness"
	. "github.com/onsi/ginkgo/v2"
)

// The operators a project has, as the specs read them.

// memberUUIDs lists the uuids of a project's operators.
func memberUUIDs(ctx SpecContext, a api, project string) []string {
	GinkgoHelper()
	return memberUUIDsOf(env.API.Do(ctx, harness.OperatorsRequest(a.format, project)), project)
}

// memberUUIDsOf reads the answer to harness.OperatorsRequest for project.
func memberUUIDsOf(x *client.Exchange, project string) []string {
	GinkgoHelper()
	ops, err := harness.OperatorsOf(x)
	noError(err, "listing the operators of %s", project)
	uuids := make([]string, len(ops))
	for i, o := range ops {
		uuids[i] = o.UUID
	}
	return uuids
}
