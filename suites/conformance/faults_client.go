package conformance

import (
	"context"
	"strings"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/harness"
	. "github.com/onsi/ginkgo/v2"
)

// faultHookClient is the fault hook as the specs use it: a fault set for
// the rest of a spec, and the hook's lease, which a run holds while a
// global fault or a shared state could disturb another run. It is one hook
// for every format, so it is built from nothing. Whatever it cannot set,
// take or give back is an error of the run, never a verdict on the API.
type faultHookClient struct{}

// faultHook is the client of the fault hook.
func faultHook() faultHookClient { return faultHookClient{} }

// read is the read of the hook, for a spec to send as the user it needs.
func (faultHookClient) read() client.Request { return harness.HookRead() }

// put is the setting of component's fault (in scope, when not ""), for a
// spec to send as the user it needs.
func (faultHookClient) put(scope, component, fault string) client.Request {
	return harness.FaultSet(scope, component, fault)
}

// set sets components' fault for the rest of the spec and returns the
// client whose requests meet it, and a function that puts it back at once.
// On a hook with scopes only this spec's requests through that client meet
// the fault; on one without, the fault is global and the spec holds the
// hook's lease meanwhile. It is put back (and read back) when the spec ends,
// whatever happened.
func (faultHookClient) set(ctx SpecContext, f string, components ...string) (*client.Client, func()) {
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
func (h faultHookClient) holdLease(ctx SpecContext, state catalogue.Share, why string) {
	GinkgoHelper()
	// The run's hold first: while specs of the run queue for the state, the
	// run keeps the lease, instead of giving it back and taking it again
	// between them.
	h.keepLease(ctx, why)
	unlock, err := env.Exclusive(ctx, string(state))
	if err != nil {
		runError("%v", err)
	}
	later(func(SpecContext) { unlock() })
	env.Speed.Holds(string(state))
}

// keepLease holds the fault hook's lease until the node that calls it ends
// (a spec; in a BeforeAll, its container), as one of the run's holders.
func (faultHookClient) keepLease(ctx SpecContext, why string) {
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
