package conformance

import (
	"net/http"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/contract"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The families: one table per cross-cutting condition whose rows are the
// contract's operations, read from openapi.yaml when the tree is built, so
// that an operation added to the contract joins every family it belongs to
// without a new spec. The request for an operation is built from one table
// of example values (examples, in familyrequests.go), not written per
// family.

var _ = Describe("families over the contract's operations", func() {
	for _, format := range formats {
		a := api{format}
		send := func(ctx SpecContext, calls []familyCall) []familyAnswer {
			return sendFamily(ctx, a, calls, nil, nil, false)
		}
		Context(format, func() {
			// 401 comes first: a request without valid credentials is refused
			// whatever it names, so each call names an unknown project, an
			// unknown case and, where there is one, a malformed body: 404 and
			// 400 must not come before it, nor 403 on a write. The contract
			// requires credentials; the answer must still keep it.
			unauthorized := func() call {
				return call{project: unknownUUID(), malformed: true, purpose: "without valid credentials", offContract: true}
			}
			documents401 := func(op contract.Operation) bool { return op.Documents(http.StatusUnauthorized) }
			check401 := func(ans familyAnswer) {
				Expect(ans.x).To(HaveResult(http.StatusUnauthorized), "401 comes before 400 and 404")
				Expect(ans.x).To(HaveBasicChallenge())
			}
			familyTable("401 on every operation without credentials", "E401-every-operation", format,
				callsTo(documents401, "no credentials", func() *client.Client { return env.API.WithAuthorization("") }, unauthorized), send, check401)
			familyTable("401 on every operation with a wrong password", "E401-every-operation", format,
				callsTo(documents401, "wrong password", func() *client.Client {
					return env.API.As(client.Credentials{Username: env.Config.Username, Password: "wrong-" + env.RunID})
				}, unauthorized), send, check401)
			// The read-only user's name with a wrong password: 401, not the 403 its rights would give.
			familyTable("401 on every write for the read-only user with a wrong password", "E401-readonly-wrong-password", format,
				callsTo(func(op contract.Operation) bool { return op.Writes() && documents401(op) }, "", func() *client.Client {
					return env.API.As(client.Credentials{Username: env.Config.ReadOnlyUsername, Password: "wrong-" + env.RunID})
				}, unauthorized), send, check401)

			// 403 for the read-only user on every write, before 400 and 404.
			familyTable("403 on every write", "E403-every-write", format,
				callsTo(func(op contract.Operation) bool { return op.Writes() && op.Documents(http.StatusForbidden) }, "",
					func() *client.Client { return env.ReadOnly }, func() call { return call{project: unknownUUID(), malformed: true, purpose: "as the read-only user"} }),
				send,
				func(ans familyAnswer) {
					Expect(ans.x).To(HaveResult(http.StatusForbidden), "the read-only user %q is refused every write, before 400 and 404 (%s)",
						env.Config.ReadOnlyUsername, config.EnvReadOnlyUsername)
				})

			// 404 for an unknown project, on every operation that names one,
			// with an otherwise valid request; nothing is created.
			familyTable("404 for an unknown project", "E404-unknown-project", format,
				callsTo(func(op contract.Operation) bool { return op.Project != "" && op.Documents(http.StatusNotFound) }, "",
					nil, func() call { return call{project: unknownUUID(), purpose: "in a project that does not exist"} }),
				func(ctx SpecContext, calls []familyCall) []familyAnswer {
					return sendFamily(ctx, a, calls, nil, nil, true)
				},
				answeredAndNothingMade(http.StatusNotFound))

			// 400 for a malformed body, on every operation that takes one, in
			// the main project and naming an unknown case: 400 before 404.
			familyTable("400 for a malformed body", "E400-malformed-body", format,
				callsTo(func(op contract.Operation) bool { return op.BodyType != "" && op.Documents(http.StatusBadRequest) }, "",
					nil, func() call {
						return call{project: env.Config.Project, malformed: true, purpose: "with a malformed body"}
					}),
				send,
				func(ans familyAnswer) {
					Expect(ans.x).To(HaveResult(http.StatusBadRequest), "400 comes before 404")
				})
		})
	}
})
