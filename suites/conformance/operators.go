package conformance

import (
	"net/http"
	"slices"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/config"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The specs that change or compare the fixture operator's membership of the
// main project (shares: membership) take turns on it, in one container
// (turns): they are the run's longest sequence of round trips.
var _ = turns(catalogue.SharesMembership, "operator membership", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S201-operator", format, func(ctx SpecContext) {
				operators(a).claim(ctx)
				Expect(env.API.Do(ctx, operators(a).assign(env.Config.Project, env.Config.Operator))).To(HaveResult(http.StatusCreated))
				Expect(operators(a).read(ctx, env.Config.Project).UUIDs).To(ContainElement(env.Config.Operator), "the assigned operator is listed among the project's operators (uuids listed)")
			})

			condition("E409-operator-assigned", format, func(ctx SpecContext) {
				operators(a).claim(ctx)
				setup(env.API.Do(ctx, operators(a).assign(env.Config.Project, env.Config.Operator)), http.StatusCreated, "assign the operator")
				Expect(env.API.Do(ctx, operators(a).assign(env.Config.Project, env.Config.Operator))).To(HaveResult(http.StatusConflict))
			})

			condition("E404-operator", format, func(ctx SpecContext) {
				before := operators(a).read(ctx, env.Config.Project).UUIDs
				Expect(env.API.Do(ctx, operators(a).assign(env.Config.Project, unknownUUID()))).To(HaveResult(http.StatusNotFound))
				Expect(operators(a).read(ctx, env.Config.Project).UUIDs).To(ConsistOf(before), "assigning an unknown operator left the project's operators (uuids listed before and after)")
			})

			condition("E403-operators", format, func(ctx SpecContext) {
				// 403 comes before routing, so any operator uuid provokes it; the
				// fixture one when it is free, so that a write applied shows.
				// One listing tells both whether it is free and the membership before.
				before := operators(a).read(ctx, env.Config.Project).UUIDs
				operator, putBack := env.Config.Operator, func() {}
				if operator == "" || slices.Contains(before, operator) {
					operator = unknownUUID()
				} else {
					putBack = operators(a).unassignLater()
				}
				after := forbidden(ctx, a, env.ReadOnly.Do(ctx, operators(a).assign(env.Config.Project, operator)), operators(a).get(env.Config.Project))[0]
				Expect(operators(a).of(after, env.Config.Project).UUIDs).To(ConsistOf(before), "the refused assignment left the project's operators (uuids listed before and after)")
				putBack() // the operators are as they were: nothing to undo
			})

			condition("S200-unassign", format, func(ctx SpecContext) {
				putBack := operators(a).claim(ctx)
				// Already assigned (409) will do: an earlier spec's cleanup may
				// have failed to unassign, which is this very rule broken, and
				// must not make this spec a run error instead of its verdict.
				if x := env.API.Do(ctx, operators(a).assign(env.Config.Project, env.Config.Operator)); x.Err != nil || x.Status != http.StatusConflict {
					setup(x, http.StatusCreated, "assign the operator")
				}
				Expect(env.API.Do(ctx, operators(a).unassign(env.Config.Project, env.Config.Operator))).To(HaveResult(http.StatusOK))
				x := env.API.Do(ctx, operators(a).get(env.Config.Project))
				Expect(x).To(AnswerOneOf(BeRead(), HaveResult(http.StatusNoContent)))
				Expect(operators(a).of(x, env.Config.Project).UUIDs).NotTo(ContainElement(env.Config.Operator), "the unassigned operator is not listed"+Shown(x))
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
				before := operators(a).read(ctx, env.Config.AutoProject).UUIDs
				// An operator who exists: the fixture one, else one the project already has.
				operator := env.Config.Operator
				if operator == "" && len(before) > 0 {
					operator = before[0]
				}
				if operator == "" {
					notProvoked("%s is not set and the automatic project has no operator", config.EnvOperator)
				}
				Expect(env.API.Do(ctx, operators(a).assign(env.Config.AutoProject, operator))).To(HaveResult(http.StatusNotImplemented))
				Expect(env.API.Do(ctx, operators(a).unassign(env.Config.AutoProject, operator))).To(HaveResult(http.StatusNotImplemented))
				Expect(operators(a).read(ctx, env.Config.AutoProject).UUIDs).To(ConsistOf(before), "membership is unchanged")
			})
		})
	}
})
