package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
)

// The fault hook's components and faults (docs/fault-hook.md).
const (
	Dialer      = "dialer"
	Integration = "integration"

	FaultNone    = "none"
	FaultDown    = "down"
	FaultTimeout = "timeout"

	// RunHeader carries the run's id (or one spec's scope) on every request,
	// so that a hook with scopes applies this run's faults to it alone.
	RunHeader = "X-Conformance-Run"
)

var components = []string{Dialer, Integration}

// Hook is what GET {faults}/ says.
type Hook struct {
	Global map[string]string            // component → fault, for everyone
	Scopes bool                         // the hook supports scoped faults
	Scoped map[string]map[string]string // scope → component → fault
	Lease  *Lease                       // nil when free (or not shown)
}

// Lease is who holds the hook's lease, and until when.
type Lease struct {
	Holder  string `json:"holder"`
	Expires string `json:"expires"`
}

// FaultOf is the fault a request of scope meets ("" scope: a request without one).
func (h Hook) FaultOf(scope, component string) string {
	if f := h.Scoped[scope][component]; scope != "" && f != "" && f != FaultNone {
		return f
	}
	return h.Global[component]
}

// ReadHook reads the fault hook.
func (e *Env) ReadHook(ctx context.Context) (Hook, error) {
	return e.readHook(ctx, e.Faults)
}

// HookRead is the request that reads the fault hook (through a client of
// the hook, Env.Faults).
func HookRead() client.Request {
	return client.Request{Method: http.MethodGet, Path: "/", Purpose: "read the fault hook"}
}

// FaultSet is the request that sets component's fault, in scope when it is
// not "" (through a client of the hook, Env.Faults).
func FaultSet(scope, component, fault string) client.Request {
	body := map[string]string{"fault": fault}
	purpose := fmt.Sprintf("set the %s fault to %s", component, fault)
	if scope != "" {
		body["scope"] = scope
		purpose += " in scope " + scope
	}
	return client.Request{Method: http.MethodPut, Path: "/" + component, JSON: body, Purpose: purpose}
}

func (e *Env) readHook(ctx context.Context, c *client.Client) (Hook, error) {
	x := c.Do(ctx, HookRead())
	if x.Err != nil {
		return Hook{}, x.Err
	}
	if x.Status != http.StatusOK {
		return Hook{}, fmt.Errorf("GET %s/ answered %d, want 200: %s", e.Config.FaultsURL, x.Status, clip(x.Body))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(x.Body, &raw); err != nil {
		return Hook{}, fmt.Errorf("GET %s/ is not a JSON object: %v: %s", e.Config.FaultsURL, err, clip(x.Body))
	}
	h := Hook{Global: map[string]string{}}
	for _, component := range components {
		var f string
		if err := json.Unmarshal(raw[component], &f); err != nil || f == "" {
			return Hook{}, fmt.Errorf("GET %s/ has no %q component: %s", e.Config.FaultsURL, component, clip(x.Body))
		}
		h.Global[component] = f
	}
	// Members a hook without scopes or lease does not send stay zero.
	_ = json.Unmarshal(raw["scopes"], &h.Scopes)
	_ = json.Unmarshal(raw["scoped"], &h.Scoped)
	_ = json.Unmarshal(raw["lease"], &h.Lease)
	return h, nil
}

// FaultState reads the hook's global faults: component → fault.
func (e *Env) FaultState(ctx context.Context) (map[string]string, error) {
	h, err := e.ReadHook(ctx)
	return h.Global, err
}

// SetFault puts a component into a fault for everyone.
func (e *Env) SetFault(ctx context.Context, component, fault string) error {
	return e.setFault(ctx, "", component, fault)
}

// setFault puts a component into a fault, in a scope unless scope is "".
func (e *Env) setFault(ctx context.Context, scope, component, fault string) error {
	x := e.Faults.Do(ctx, FaultSet(scope, component, fault))
	if x.Err != nil {
		return x.Err
	}
	if x.Status != http.StatusOK {
		return fmt.Errorf("PUT %s/%s answered %d, want 200: %s", e.Config.FaultsURL, component, x.Status, clip(x.Body))
	}
	return nil
}

// ResetFault puts a component back to none and reads the hook back: a hook
// that answers 200 but keeps the fault has left the staging broken, and the
// error says so, and how to put it right by hand.
func (e *Env) ResetFault(ctx context.Context, scope, component string) error {
	if err := e.setFault(ctx, scope, component, FaultNone); err != nil {
		return e.brokenStaging(scope, component, "", err)
	}
	h, err := e.ReadHook(ctx)
	if err != nil {
		return e.brokenStaging(scope, component, "", fmt.Errorf("reading the hook back: %w", err))
	}
	kept := h.Global[component]
	if scope != "" {
		kept = h.Scoped[scope][component]
	}
	if kept != "" && kept != FaultNone {
		return e.brokenStaging(scope, component, kept, nil)
	}
	return nil
}

// brokenStaging is the run error of a fault that could not be put back.
func (e *Env) brokenStaging(scope, component, kept string, cause error) error {
	who := "every user of the staging"
	body := `{"fault":"none"}`
	if scope != "" {
		who = "requests with " + RunHeader + ": " + scope
		body = fmt.Sprintf(`{"fault":"none","scope":%q}`, scope)
	}
	what := "the request to put it back failed: " + fmt.Sprint(cause)
	if cause == nil {
		what = fmt.Sprintf("the hook answered 200 to the reset, but reading it back shows %s still %q", component, kept)
	}
	return fmt.Errorf("the staging was left broken: the %s fault could not be put back to none for %s (%s); "+
		"fix the fault hook at %s (%s), or reset it by hand: PUT %s/%s with body %s as the full-rights user",
		component, who, what, config.EnvFaultsURL, e.Config.FaultsURL, e.Config.FaultsURL, component, body)
}

// scopeSeq numbers the scopes of one process.
var scopeSeq atomic.Int64

// NewScope is a scope of this run, unique in the run: the run id, the
// process, a counter. Each fault spec has its own, so that two fault specs
// of one run do not meet each other's faults either.
func (e *Env) NewScope() string {
	return fmt.Sprintf("%s-%d-%d", e.RunID, e.Process, scopeSeq.Add(1))
}

// HeldFault is a fault the run has set, on one or more components; Client
// is the client whose requests meet it. Undo puts it back (and is safe to
// call twice).
type HeldFault struct {
	env        *Env
	Scope      string // "" for a global fault
	components []string
	Client     *client.Client
	release    func(context.Context) error
	undone     bool
}

// HoldFault sets a fault that only this spec meets, when the hook supports
// scopes. On a hook without scopes the fault is global: the run first takes
// the lease (waiting for another run to finish with it), and keeps it until
// Undo, so that two runs never set or reset each other's faults.
func (e *Env) HoldFault(ctx context.Context, component, fault string) (*HeldFault, error) {
	return e.HoldFaults(ctx, fault, component)
}

// HoldFaults is HoldFault for several components at once, in one scope.
func (e *Env) HoldFaults(ctx context.Context, fault string, components ...string) (*HeldFault, error) {
	h := &HeldFault{env: e, components: components, Client: e.API}
	if e.Scopes {
		h.Scope = e.NewScope()
		h.Client = e.API.WithHeader(RunHeader, h.Scope)
	} else {
		release, err := e.AcquireLease(ctx, "set a global "+strings.Join(components, " and ")+" fault")
		if err != nil {
			return nil, err
		}
		e.Speed.Holds("faults")
		h.release = release
	}
	for _, component := range components {
		if err := e.setFault(ctx, h.Scope, component, fault); err != nil {
			// It may have been applied although the answer says otherwise.
			return nil, errors.Join(fmt.Errorf("setting the %s fault: %w", component, err), h.Undo(ctx))
		}
	}
	return h, nil
}

// Undo puts the faults back to none, checks that they took, and releases the lease.
func (h *HeldFault) Undo(ctx context.Context) error {
	if h.undone {
		return nil
	}
	h.undone = true
	var errs []error
	for _, component := range h.components {
		errs = append(errs, h.env.ResetFault(ctx, h.Scope, component))
	}
	err := errors.Join(errs...)
	if h.release != nil && err == nil {
		// A fault that would not reset keeps the lease until it expires: other runs must not start on a broken staging.
		err = h.release(ctx)
	}
	return err
}

// ResetFaults runs when the run ends, whatever happened: it clears the
// faults this run set and reads the hook back. On a hook with scopes those
// are the run's scopes, and nothing else is touched. On one without, a
// global fault left on is put back only while holding the lease, so that a
// fault another run holds at that moment is left alone.
func (e *Env) ResetFaults(ctx context.Context) error {
	if e.Faults == nil {
		return nil
	}
	h, err := e.ReadHook(ctx)
	if err != nil {
		return fmt.Errorf("reading the fault hook to put it back: %w", err)
	}
	var errs []error
	scopes := make([]string, 0, len(h.Scoped))
	for scope := range h.Scoped {
		if strings.HasPrefix(scope, e.RunID+"-") {
			scopes = append(scopes, scope)
		}
	}
	sort.Strings(scopes)
	for _, scope := range scopes {
		for _, component := range components {
			if f := h.Scoped[scope][component]; f != "" && f != FaultNone {
				errs = append(errs, e.ResetFault(ctx, scope, component))
			}
		}
	}
	if !e.Scopes && (h.Global[Dialer] != FaultNone || h.Global[Integration] != FaultNone) {
		errs = append(errs, e.resetStaleGlobal(ctx))
	}
	return errors.Join(errs...)
}

// resetStaleGlobal puts global faults back to none once it holds the lease:
// whoever set them no longer holds it, so they are stale (a run that was
// killed while it held a fault).
func (e *Env) resetStaleGlobal(ctx context.Context) error {
	release, err := e.AcquireLease(ctx, "put back a global fault left on")
	if err != nil {
		return err
	}
	h, err := e.ReadHook(ctx)
	if err != nil {
		return errors.Join(err, release(ctx))
	}
	var errs []error
	for _, component := range components {
		if h.Global[component] != FaultNone {
			errs = append(errs, e.ResetFault(ctx, "", component))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err // keep the lease: see HeldFault.Undo
	}
	return release(ctx)
}

// leaseTTL is how long one hold of the lease lasts: long enough for the few
// requests a hold covers, short enough that a run that died holding it
// blocks the others for little longer than their wait.
func (e *Env) leaseTTL() time.Duration { return max(time.Minute, 6*e.Config.Timeout) }

// leaseRetry is how often a waiting run asks for the lease again.
const leaseRetry = 250 * time.Millisecond

// LeaseHolder names this run as the holder of the lease: its processes
// share it (runlock.go).
func (e *Env) LeaseHolder() string { return e.RunID }

// AcquireLease takes the hook's lease for this run, waiting up to
// CONFORMANCE_LEASE_WAIT while another run holds it and saying so through
// e.Notify. The run's processes share it: the first to need it takes it,
// the last to release it gives it back, and the others only count
// themselves in (no round trip, unless it is due for renewal). Without a
// hook, or on a hook that has no lease (404), there is nothing to take: it
// returns at once. The release function gives this process's hold back.
func (e *Env) AcquireLease(ctx context.Context, why string) (release func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if e.Faults == nil {
		return noop, nil
	}
	unlock, err := e.lockPath(ctx, "lease")
	if err != nil {
		return nil, err
	}
	defer unlock()
	count, path, err := e.readLeaseCount()
	if err != nil {
		return nil, err
	}
	if count.holders == 0 || (!count.none && time.Since(count.taken) > e.leaseTTL()/2) {
		none, err := e.takeLease(ctx, why)
		if err != nil {
			return nil, err
		}
		count.taken, count.none = time.Now(), none
	}
	count.holders++
	if err := writeLeaseCount(path, count); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error { return e.dropLease(ctx) }, nil
}

// dropLease counts this hold out, and gives the lease back with the last.
func (e *Env) dropLease(ctx context.Context) error {
	unlock, err := e.lockPath(ctx, "lease")
	if err != nil {
		return err
	}
	defer unlock()
	count, path, err := e.readLeaseCount()
	if err != nil {
		return err
	}
	count.holders = max(count.holders-1, 0)
	if err := writeLeaseCount(path, count); err != nil {
		return err
	}
	if count.holders > 0 || count.none {
		return nil
	}
	if err := e.releaseLease(ctx, e.LeaseHolder()); err != nil {
		count.owed = true // EndLease tries again
		_ = writeLeaseCount(path, count)
		return err
	}
	return nil
}

// EndLease runs once every process of the run is done: a lease a process
// could not give back (it died holding it, or its give-back failed) is
// given back, and the run's folder removed.
func (e *Env) EndLease(ctx context.Context) error {
	defer e.removeRunDir()
	if e.Faults == nil {
		return nil
	}
	count, _, err := e.readLeaseCount()
	if err != nil || (count.holders == 0 && !count.owed) || count.none {
		return err
	}
	return e.releaseLease(ctx, e.LeaseHolder())
}

// takeLease puts the run's hold on the lease, waiting while another run
// holds it; none: the hook has no lease.
func (e *Env) takeLease(ctx context.Context, why string) (none bool, err error) {
	holder := e.LeaseHolder()
	deadline := time.Now().Add(e.Config.LeaseWait)
	var told string
	for {
		x := e.Faults.Do(ctx, client.Request{Method: http.MethodPut, Path: "/lease",
			JSON: map[string]string{"holder": holder, "ttl": e.leaseTTL().String()}, Purpose: "take the fault hook's lease to " + why})
		switch {
		case x.Err != nil:
			return false, fmt.Errorf("taking the fault hook's lease: %w", x.Err)
		case x.Status == http.StatusOK:
			if told != "" {
				e.notify(fmt.Sprintf("run %s: got the fault hook's lease", e.RunID))
			}
			return false, nil
		case x.Status == http.StatusNotFound:
			return true, nil // a hook without a lease: nothing to share
		case x.Status != http.StatusConflict:
			return false, fmt.Errorf("PUT %s/lease answered %d, want 200 or 409: %s", e.Config.FaultsURL, x.Status, clip(x.Body))
		}
		var current Lease
		_ = json.Unmarshal(x.Body, &current)
		if time.Now().After(deadline) {
			return false, fmt.Errorf("the fault hook's lease is held by %q (until %s) and was not free within %s (%s): another run is changing state this run would read; retry later or raise %s",
				current.Holder, current.Expires, e.Config.LeaseWait, config.EnvLeaseWait, config.EnvLeaseWait)
		}
		if current.Holder != told {
			told = current.Holder
			e.notify(fmt.Sprintf("run %s: waiting for the fault hook's lease to %s; %q holds it until %s (waiting up to %s, %s)",
				e.RunID, why, current.Holder, current.Expires, e.Config.LeaseWait, config.EnvLeaseWait))
		}
		wait := time.NewTimer(leaseRetry)
		select {
		case <-ctx.Done():
			wait.Stop()
			return false, fmt.Errorf("waiting for the fault hook's lease: %w", ctx.Err())
		case <-wait.C:
		}
	}
}

func (e *Env) releaseLease(ctx context.Context, holder string) error {
	x := e.Faults.Do(ctx, client.Request{Method: http.MethodDelete, Path: "/lease", JSON: map[string]string{"holder": holder}, Purpose: "release the fault hook's lease", Retry: true})
	if x.Err != nil {
		return fmt.Errorf("releasing the fault hook's lease: %w", x.Err)
	}
	if x.Status != http.StatusOK {
		return fmt.Errorf("DELETE %s/lease answered %d, want 200: %s", e.Config.FaultsURL, x.Status, clip(x.Body))
	}
	return nil
}

func (e *Env) notify(msg string) {
	if e.Notify != nil {
		e.Notify(msg)
	}
}

// hookScopesAtBuild says, before the run starts, whether the fault hook
// supports scopes: the suite decides then which specs must be Serial (see
// AtBuild). One GET; a hook that cannot be asked counts as without scopes,
// the safe side. The run checks the answer again in its preflight.
func (e *Env) hookScopesAtBuild(ctx context.Context) bool {
	h, err := e.ReadHook(ctx)
	return err == nil && h.Scopes
}
