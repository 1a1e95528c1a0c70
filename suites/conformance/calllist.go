package conformance

import (
	"net/http"
	"net/url"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/harness"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The suite never sends start to a project that could dial: only to the
// completed project, where it must fail.
func command(ctx SpecContext, c *client.Client, a api, project, cmd string) *client.Exchange {
	return c.Do(ctx, client.Request{Method: http.MethodPost, Path: a.calllist(project), Form: url.Values{"cmd": {cmd}},
		OffContract: cmd != "start" && cmd != "stop" && cmd != "update" && cmd != "delete"})
}

var _ = Describe("call list", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S200-calllist", format, func(ctx SpecContext) {
				Expect(command(ctx, env.API, a, env.Config.Project, "stop")).To(HaveResult(http.StatusOK))
				Expect(command(ctx, env.API, a, env.Config.Project, "update")).To(HaveResult(http.StatusOK))
				Expect(readProject(ctx, a, env.Config.Project)).To(Equal("stopped"))
			})

			condition("E400-unknown-cmd", format, func(ctx SpecContext) {
				Expect(command(ctx, env.API, a, env.Config.Project, "launch")).To(HaveResult(http.StatusBadRequest))
				Expect(readProject(ctx, a, env.Config.Project)).To(Equal("stopped"))
			})

			condition("E404-calllist-project", format, func(ctx SpecContext) {
				Expect(command(ctx, env.API, a, unknownUUID(), "stop")).To(HaveResult(http.StatusNotFound))
			})

			condition("E500-start-completed", format, func(ctx SpecContext) {
				Expect(command(ctx, env.API, a, env.Config.CompletedProject, "start")).To(HaveResult(http.StatusInternalServerError))
				Expect(readProject(ctx, a, env.Config.CompletedProject)).To(Equal("completed"))
			})

			condition("E500-dialer-down", format, func(ctx SpecContext) {
				before := readProject(ctx, a, env.Config.Project)
				fault(ctx, harness.Dialer, harness.FaultDown)
				Expect(command(ctx, env.API, a, env.Config.Project, "stop")).To(HaveResult(http.StatusInternalServerError))
				Expect(command(ctx, env.API, a, env.Config.Project, "update")).To(HaveResult(http.StatusInternalServerError))
				Expect(readProject(ctx, a, env.Config.Project)).To(Equal(before))
			})
		})
	}
})

// fault sets a component's fault for the rest of the spec; it is put back to
// none when the spec ends, whatever happened.
func fault(ctx SpecContext, component, f string) {
	GinkgoHelper()
	DeferCleanup(func(ctx SpecContext) {
		if err := env.SetFault(ctx, component, harness.FaultNone); err != nil {
			runError("could not put %s back to none: %v", component, err)
		}
	})
	if err := env.SetFault(ctx, component, f); err != nil {
		runError("setup could not set the %s fault: %v", component, err)
	}
}
