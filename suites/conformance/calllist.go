package conformance

import (
	"net/http"

	"github.com/callcases/conformance/harness"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("call list", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S200-calllist", format, func(ctx SpecContext) {
				Expect(env.API.Do(ctx, calllists(a).command(env.Config.Project, "stop"))).To(HaveResult(http.StatusOK))
				Expect(env.API.Do(ctx, calllists(a).command(env.Config.Project, "update"))).To(HaveResult(http.StatusOK))
				Expect(projects(a).read(ctx, env.Config.Project).State).To(Equal("stopped"), "stop and update leave the main project stopped (its state read back)")
			})

			condition("E400-unknown-cmd", format, func(ctx SpecContext) {
				Expect(env.API.Do(ctx, calllists(a).command(env.Config.Project, "launch"))).To(HaveResult(http.StatusBadRequest))
				Expect(projects(a).read(ctx, env.Config.Project).State).To(Equal("stopped"), "an unknown command leaves the main project stopped (its state read back)")
			})

			condition("E404-calllist-project", format, func(ctx SpecContext) {
				Expect(env.API.Do(ctx, calllists(a).command(unknownUUID(), "stop"))).To(HaveResult(http.StatusNotFound))
			})

			condition("E500-dialer-down", format, func(ctx SpecContext) {
				before := projects(a).read(ctx, env.Config.Project).State
				c, _ := faultHook().set(ctx, harness.FaultDown, harness.Dialer)
				Expect(c.Do(ctx, calllists(a).command(env.Config.Project, "stop"))).To(HaveResult(http.StatusInternalServerError))
				Expect(c.Do(ctx, calllists(a).command(env.Config.Project, "update"))).To(HaveResult(http.StatusInternalServerError))
				Expect(projects(a).read(ctx, env.Config.Project).State).To(Equal(before), "commands refused while the dialer is down leave the project's state (read back)")
			})
		})
	}
})

// The commands to the completed project take turns, in both formats, in
// one container on one process: stop and delete must leave it completed,
// and on a target where they do not, start must not reach it afterwards,
// when it could dial. So start goes out only after a read that finds it
// completed, and stop and delete only while it reads completed.
var _ = Describe("the completed project", append(orderedDecorators("E500-start-completed", "S200-calllist-completed"), func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("E500-start-completed", format, func(ctx SpecContext) {
				calllists(a).stillCompleted(ctx)
				Expect(env.API.Do(ctx, calllists(a).command(env.Config.CompletedProject, "start"))).To(HaveResult(http.StatusInternalServerError))
				Expect(projects(a).read(ctx, env.Config.CompletedProject).State).To(Equal("completed"), "a refused start leaves the project completed (its state read back)")
			})

			condition("S200-calllist-completed", format, func(ctx SpecContext) {
				calllists(a).stillCompleted(ctx)
				for _, cmd := range []string{"update", "stop", "delete"} {
					Expect(env.API.Do(ctx, calllists(a).command(env.Config.CompletedProject, cmd))).To(HaveResult(http.StatusOK), "%s on the completed project answers 200", cmd)
					Expect(projects(a).read(ctx, env.Config.CompletedProject).State).To(Equal("completed"), "%s leaves the completed project completed (its state read back)", cmd)
				}
			})
		})
	}
}))
