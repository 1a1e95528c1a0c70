package conformance

import (
	"net/http"
	"net/url"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func assign(ctx SpecContext, c *client.Client, a api, project, operator string) *client.Exchange {
	return c.Do(ctx, client.Request{Method: http.MethodPost, Path: a.operators(project), JSON: map[string]any{"uuid": operator}})
}

func unassign(ctx SpecContext, c *client.Client, a api, project, operator string) *client.Exchange {
	return c.Do(ctx, client.Request{Method: http.MethodDelete, Path: a.operators(project) + url.PathEscape(operator)})
}

// unassignLater puts the fixture operator's membership of the main project
// back as the preflight found it (not assigned) when the spec ends.
func unassignLater(a api) {
	DeferCleanup(func(ctx SpecContext) {
		x := unassign(ctx, env.API, a, env.Config.Project, env.Config.Operator)
		if x.Err != nil || (x.Status != http.StatusOK && x.Status != http.StatusNotFound) {
			reportLeftover("operator membership", env.Config.Operator+" in "+env.Config.Project, x)
		}
	})
}

var _ = Describe("operators", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S201-operator", format, func(ctx SpecContext) {
				unassignLater(a)
				Expect(assign(ctx, env.API, a, env.Config.Project, env.Config.Operator)).To(HaveResult(http.StatusCreated))
				Expect(memberUUIDs(ctx, a, env.Config.Project)).To(ContainElement(env.Config.Operator))
			})

			condition("E409-operator-assigned", format, func(ctx SpecContext) {
				unassignLater(a)
				setup(assign(ctx, env.API, a, env.Config.Project, env.Config.Operator), http.StatusCreated, "assign the operator")
				Expect(assign(ctx, env.API, a, env.Config.Project, env.Config.Operator)).To(HaveResult(http.StatusConflict))
			})

			condition("E404-operator", format, func(ctx SpecContext) {
				before := memberUUIDs(ctx, a, env.Config.Project)
				Expect(assign(ctx, env.API, a, env.Config.Project, unknownUUID())).To(HaveResult(http.StatusNotFound))
				Expect(memberUUIDs(ctx, a, env.Config.Project)).To(ConsistOf(before))
			})

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
