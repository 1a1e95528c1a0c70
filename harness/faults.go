package harness

import (
	"context"
	"fmt"
	"net/http"

	"github.com/callcases/conformance/client"
)

// The fault hook's components and faults (docs/fault-hook.md).
const (
	Dialer      = "dialer"
	Integration = "integration"

	FaultNone    = "none"
	FaultDown    = "down"
	FaultTimeout = "timeout"
)

// FaultState reads the hook: component → fault.
func (e *Env) FaultState(ctx context.Context) (map[string]string, error) {
	return e.faultState(ctx, e.Faults)
}

// FaultStateAs reads the hook as another user of the same target.
func (e *Env) faultState(ctx context.Context, c *client.Client) (map[string]string, error) {
	x := c.Do(ctx, client.Request{Method: http.MethodGet, Path: "/", Purpose: "read the fault hook"})
	if x.Err != nil {
		return nil, x.Err
	}
	if x.Status != http.StatusOK {
		return nil, fmt.Errorf("GET %s/ answered %d, want 200: %s", e.Config.FaultsURL, x.Status, clip(x.Body))
	}
	state := map[string]string{}
	if err := x.Decode(&state); err != nil {
		return nil, err
	}
	for _, component := range []string{Dialer, Integration} {
		if _, ok := state[component]; !ok {
			return nil, fmt.Errorf("GET %s/ has no %q component: %s", e.Config.FaultsURL, component, clip(x.Body))
		}
	}
	return state, nil
}

// SetFault puts a component into a fault.
func (e *Env) SetFault(ctx context.Context, component, fault string) error {
	x := e.Faults.Do(ctx, client.Request{Method: http.MethodPut, Path: "/" + component, JSON: map[string]string{"fault": fault},
		Purpose: fmt.Sprintf("set the %s fault to %s", component, fault)})
	if x.Err != nil {
		return x.Err
	}
	if x.Status != http.StatusOK {
		return fmt.Errorf("PUT %s/%s answered %d, want 200: %s", e.Config.FaultsURL, component, x.Status, clip(x.Body))
	}
	return nil
}

// ResetFaults puts every component back to none; it is called whatever happened.
func (e *Env) ResetFaults(ctx context.Context) error {
	if e.Faults == nil {
		return nil
	}
	var first error
	for _, component := range []string{Dialer, Integration} {
		if err := e.SetFault(ctx, component, FaultNone); err != nil && first == nil {
			first = err
		}
	}
	return first
}
