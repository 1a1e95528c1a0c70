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
				Expect(projects(a).read(ctx, env.Config.Project).State).To(Equal("stopped"), "stop and update leave the main project stopped (its state read back)")
			})

			condition("E400-unknown-cmd", format, func(ctx SpecContext) {
				Expect(command(ctx, env.API, a, env.Config.Project, "launch")).To(HaveResult(http.StatusBadRequest))
				Expect(projects(a).read(ctx, env.Config.Project).State).To(Equal("stopped"), "an unknown command leaves the main project stopped (its state read back)")
			})

			condition("E404-calllist-project", format, func(ctx SpecContext) {
				Expect(command(ctx, env.API, a, unknownUUID(), "stop")).To(HaveResult(http.StatusNotFound))
			})

			condition("E500-dialer-down", format, func(ctx SpecContext) {
				before := projects(a).read(ctx, env.Config.Project).State
				c, _ := faultHook().set(ctx, harness.FaultDown, harness.Dialer)
				Expect(command(ctx, c, a, env.Config.Project, "stop")).To(HaveResult(http.StatusInternalServerError))
				Expect(command(ctx, c, a, env.Config.Project, "update")).To(HaveResult(http.StatusInternalServerError))
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
				stillCompleted(ctx, a)
				Expect(command(ctx, env.API, a, env.Config.CompletedProject, "start")).To(HaveResult(http.StatusInternalServerError))
				Expect(projects(a).read(ctx, env.Config.CompletedProject).State).To(Equal("completed"), "a refused start leaves the project completed (its state read back)")
			})

			condition("S200-calllist-completed", format, func(ctx SpecContext) {
				stillCompleted(ctx, a)
				for _, cmd := range []string{"update", "stop", "delete"} {
					Expect(command(ctx, env.API, a, env.Config.CompletedProject, cmd)).To(HaveResult(http.StatusOK), "%s on the completed project answers 200", cmd)
					Expect(projects(a).read(ctx, env.Config.CompletedProject).State).To(Equal("completed"), "%s leaves the completed project completed (its state read back)", cmd)
				}
			})
		})
	}
}))

// stillCompleted reads the completed project before a command: one that no
// longer reads completed (an earlier command of the run changed it, which
// that command's spec reports) leaves the condition not provoked, and is
// sent nothing more.
func stillCompleted(ctx SpecContext, a api) {
	GinkgoHelper()
	if state := projects(a).read(ctx, env.Config.CompletedProject).State; state != "completed" {
		notProvoked("the completed project %s reads %q, not completed (an earlier command of this run changed it?); the suite sends it commands, start above all, only while it is completed and cannot dial",
			env.Config.CompletedProject, state)
	}
}
