package conformance

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/harness"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func assign(ctx SpecContext, c *client.Client, a api, project, operator string) *client.Exchange {
	return c.Do(ctx, client.Request{Method: http.MethodPost, Path: a.operators(project), JSON: map[string]any{"uuid": operator}})
}

func unassign(ctx context.Context, c *client.Client, a api, project, operator string) *client.Exchange {
	return c.Do(ctx, client.Request{Method: http.MethodDelete, Path: a.operators(project) + url.PathEscape(operator)})
}

// claimOperator makes the fixture operator's membership of the main project
// this spec's for its duration (the spec holds its turn on the membership,
// and the hook's lease, as its row shares it): it checks that the operator
// is not assigned, as the spec needs. One that was assigned when the run started and still is
// (by someone else, or by a run that was killed) is not touched, and the
// condition is not provoked. One the preflight found unassigned is this
// run's to put back: an earlier spec's cleanup that did not take, which is
// the API's failure, and the spec goes on to give its verdict.
func claimOperator(ctx SpecContext, a api) (putBack func()) {
	GinkgoHelper()
	// Read only when the preflight found it assigned: else it is this run's.
	if env.OperatorAssigned && operatorAssigned(ctx) {
		notProvoked("%s %s is already assigned to the main project %s (by someone else, or by a run that was killed); the suite changes only a membership it can put back as it found it",
			config.EnvOperator, env.Config.Operator, env.Config.Project)
	}
	return unassignLater(a)
}

// operatorAssigned reads whether the fixture operator is assigned to the main project.
func operatorAssigned(ctx SpecContext) bool {
	GinkgoHelper()
	member, err := env.IsMember(ctx, env.Config.Project, env.Config.Operator)
	if err != nil {
		runError("setup could not list the main project's operators: %v", err)
	}
	return member
}

// The specs that change or compare the fixture operator's membership of the
// main project (shares: membership) take turns on it, in one container
// (turns): they are the run's longest sequence of round trips.
var _ = turns(catalogue.SharesMembership, "operator membership", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S201-operator", format, func(ctx SpecContext) {
				claimOperator(ctx, a)
				Expect(assign(ctx, env.API, a, env.Config.Project, env.Config.Operator)).To(HaveResult(http.StatusCreated))
				Expect(memberUUIDs(ctx, a, env.Config.Project)).To(ContainElement(env.Config.Operator), "the assigned operator is listed among the project's operators (uuids listed)")
			})

			condition("E409-operator-assigned", format, func(ctx SpecContext) {
				claimOperator(ctx, a)
				setup(assign(ctx, env.API, a, env.Config.Project, env.Config.Operator), http.StatusCreated, "assign the operator")
				Expect(assign(ctx, env.API, a, env.Config.Project, env.Config.Operator)).To(HaveResult(http.StatusConflict))
			})

			condition("E404-operator", format, func(ctx SpecContext) {
				before := memberUUIDs(ctx, a, env.Config.Project)
				Expect(assign(ctx, env.API, a, env.Config.Project, unknownUUID())).To(HaveResult(http.StatusNotFound))
				Expect(memberUUIDs(ctx, a, env.Config.Project)).To(ConsistOf(before), "assigning an unknown operator left the project's operators (uuids listed before and after)")
			})

			condition("E403-operators", format, func(ctx SpecContext) {
				// 403 comes before routing, so any operator uuid provokes it; the
				// fixture one when it is free, so that a write applied shows.
				// One listing tells both whether it is free and the membership before.
				before := memberUUIDs(ctx, a, env.Config.Project)
				operator, putBack := env.Config.Operator, func() {}
				if operator == "" || slices.Contains(before, operator) {
					operator = unknownUUID()
				} else {
					putBack = unassignLater(a)
				}
				after := forbidden(ctx, a, assign(ctx, env.ReadOnly, a, env.Config.Project, operator), harness.OperatorsRequest(a.format, env.Config.Project))[0]
				Expect(memberUUIDsOf(after, env.Config.Project)).To(ConsistOf(before), "the refused assignment left the project's operators (uuids listed before and after)")
				putBack() // the operators are as they were: nothing to undo
			})

			condition("S200-unassign", format, func(ctx SpecContext) {
				putBack := claimOperator(ctx, a)
				// Already assigned (409) will do: an earlier spec's cleanup may
				// have failed to unassign, which is this very rule broken, and
				// must not make this spec a run error instead of its verdict.
				if x := assign(ctx, env.API, a, env.Config.Project, env.Config.Operator); x.Err != nil || x.Status != http.StatusConflict {
					setup(x, http.StatusCreated, "assign the operator")
				}
				Expect(unassign(ctx, env.API, a, env.Config.Project, env.Config.Operator)).To(HaveResult(http.StatusOK))
				x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.operators(env.Config.Project), Purpose: "the operator is no longer listed"})
				Expect(x).To(AnswerOneOf(BeRead(), HaveResult(http.StatusNoContent)))
				if x.Status == http.StatusOK {
					var list struct {
						Operator []struct {
							UUID string `json:"uuid"`
						} `json:"operator"`
					}
					decodeAs(x, &list, "the project's operators")
					for _, o := range list.Operator {
						Expect(o.UUID).NotTo(Equal(env.Config.Operator), "the unassigned operator is not listed"+Shown(x))
					}
				}
				putBack() // the list shows it unassigned: nothing left to undo
			})
		})
	}
})

var _ = Describe("operators", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("E501-operators-mode", format, func(ctx SpecContext) {
				before := memberUUIDs(ctx, a, env.Config.AutoProject)
				// An operator who exists: the fixture one, else one the project already has.
				operator := env.Config.Operator
				if operator == "" && len(before) > 0 {
					operator = before[0]
				}
				if operator == "" {
					notProvoked("%s is not set and the automatic project has no operator", config.EnvOperator)
				}
				Expect(assign(ctx, env.API, a, env.Config.AutoProject, operator)).To(HaveResult(http.StatusNotImplemented))
				Expect(unassign(ctx, env.API, a, env.Config.AutoProject, operator)).To(HaveResult(http.StatusNotImplemented))
				Expect(memberUUIDs(ctx, a, env.Config.AutoProject)).To(ConsistOf(before), "membership is unchanged")
			})
		})
	}
})
