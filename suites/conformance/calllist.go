package conformance

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/callcases/conformance/catalogue"
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
				c, _ := fault(ctx, harness.FaultDown, harness.Dialer)
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

// fault sets components' fault for the rest of the spec and returns the
// client whose requests meet it, and a function that puts it back at once.
// On a hook with scopes only this spec's requests through that client meet
// the fault; on one without, the fault is global and the spec holds the
// hook's lease meanwhile. It is put back (and read back) when the spec ends,
// whatever happened.
func fault(ctx SpecContext, f string, components ...string) (*client.Client, func()) {
	GinkgoHelper()
	held, err := env.HoldFaults(ctx, f, components...)
	if err != nil {
		runError("setup could not set the %s fault: %v", strings.Join(components, " and "), err)
	}
	undo := func(ctx context.Context) {
		if err := held.Undo(ctx); err != nil {
			runError("%v", err)
		}
	}
	later(func(ctx SpecContext) { undo(ctx) })
	return held.Client, func() { GinkgoHelper(); undo(ctx) }
}

// holdLease takes the fault hook's lease for the rest of the spec, waiting
// (and saying so) while another run holds it; without a hook there is none.
// Take it before registering the cleanups it must cover: it is released
// after them.
//
// state names what the spec changes or reads that others change (a
// membership, a list window): the run's own specs on the same state take
// turns (harness.Env.Exclusive), with no round trip, and share the run's
// hold on the lease. Spec bodies do not call it: condition does (takeTurn),
// for the state the spec's row shares.
func holdLease(ctx SpecContext, state catalogue.Share, why string) {
	GinkgoHelper()
	// The run's hold first: while specs of the run queue for the state, the
	// run keeps the lease, instead of giving it back and taking it again
	// between them.
	keepLease(ctx, why)
	unlock, err := env.Exclusive(ctx, string(state))
	if err != nil {
		runError("%v", err)
	}
	later(func(SpecContext) { unlock() })
	env.Speed.Holds(string(state))
}

// keepLease holds the fault hook's lease until the node that calls it ends
// (a spec; in a BeforeAll, its container), as one of the run's holders.
func keepLease(ctx SpecContext, why string) {
	GinkgoHelper()
	release, err := env.AcquireLease(ctx, why)
	if err != nil {
		runError("%v", err)
	}
	later(func(ctx SpecContext) {
		if err := release(ctx); err != nil {
			runError("%v", err)
		}
	})
}
