package reference

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// The fault hook (docs/fault-hook.md) switches simulated failures of the two
// back-end components the API depends on.

const (
	faultNone    = "none"
	faultDown    = "down"
	faultTimeout = "timeout"

	componentDialer      = "dialer"      // модуль обзвона: call list commands
	componentIntegration = "integration" // сервис интеграции: case endpoints
)

type faults struct {
	mu          sync.Mutex
	dialer      string
	integration string
}

type faultsView struct {
	Dialer      string `json:"dialer"`
	Integration string `json:"integration"`
}

func (f *faults) view() faultsView {
	f.mu.Lock()
	defer f.mu.Unlock()
	return faultsView{Dialer: f.dialer, Integration: f.integration}
}

func (f *faults) get(component string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if component == componentDialer {
		return f.dialer
	}
	return f.integration
}

func (s *Server) getFaults(w http.ResponseWriter, r *http.Request, _ params) {
	writeJSON(w, http.StatusOK, s.faults.view())
}

func (s *Server) putFault(w http.ResponseWriter, r *http.Request, p params) {
	component := p["component"]
	if component != componentDialer && component != componentIntegration {
		writeFailure(w, fail(http.StatusNotFound, "no component %q: dialer or integration", component))
		return
	}
	members, f := readJSON(w, r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	fault, f := stringMember(members, "fault")
	if f != nil {
		writeFailure(w, f)
		return
	}
	if fault == nil || !slices.Contains([]string{faultNone, faultDown, faultTimeout}, *fault) {
		writeFailure(w, fail(http.StatusBadRequest, `"fault" must be none, down or timeout`))
		return
	}
	s.faults.mu.Lock()
	if component == componentDialer {
		s.faults.dialer = *fault
	} else {
		s.faults.integration = *fault
	}
	s.faults.mu.Unlock()
	writeJSON(w, http.StatusOK, s.faults.view())
}

// componentFault answers for a failing component and tells whether it did:
// down is downCode at once; timeout waits for the server's timer, then 504.
func (s *Server) componentFault(w http.ResponseWriter, r *http.Request, component string, downCode int) bool {
	switch s.faults.get(component) {
	case faultDown:
		writeFailure(w, fail(downCode, "the %s component is down (fault hook)", component))
		return true
	case faultTimeout:
		timer := time.NewTimer(s.opts.FaultTimer)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			// The client gave up first; answer at once rather than hold
			// the goroutine, with the code it would have got.
		}
		writeFailure(w, fail(http.StatusGatewayTimeout, "the %s component did not answer within %s (fault hook)", component, s.opts.FaultTimer))
		return true
	}
	return false
}
