package reference

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"
	"unicode/utf8"
)

// The fault hook (docs/fault-hook.md) switches simulated failures of the two
// back-end components the API depends on: for everyone (a global fault), or
// only for the requests of one caller (a scoped fault, chosen by the
// X-Conformance-Run header), so that several conformance runs can share one
// staging. A lease lets a caller say that it is changing state that others
// read; the hook only keeps the record, callers honour it.

const (
	faultNone    = "none"
	faultDown    = "down"
	faultTimeout = "timeout"

	componentDialer      = "dialer"      // модуль обзвона: call list commands
	componentIntegration = "integration" // сервис интеграции: case endpoints

	// ScopeHeader names the scope a request belongs to.
	ScopeHeader = "X-Conformance-Run"

	maxScopes     = 1000             // scopes held at once; more is refused, not grown without bound
	maxNameLength = 128              // of a scope or a lease holder
	maxLeaseTTL   = time.Hour        // a lease is for minutes; a dead holder must not block for long
	defaultTTL    = 60 * time.Second // when a PUT of the lease names none
)

// componentFaults is the fault of each component, globally or in one scope.
type componentFaults struct {
	Dialer      string `json:"dialer"`
	Integration string `json:"integration"`
}

func (c *componentFaults) of(component string) *string {
	if component == componentDialer {
		return &c.Dialer
	}
	return &c.Integration
}

func (c componentFaults) none() bool { return c.Dialer == faultNone && c.Integration == faultNone }

type lease struct {
	holder  string
	expires time.Time
}

type faults struct {
	mu     sync.Mutex
	global componentFaults
	scoped map[string]componentFaults
	lease  lease            // holder "" when nobody ever held it
	now    func() time.Time // tests move the clock
}

func newFaults() *faults {
	return &faults{global: componentFaults{faultNone, faultNone}, scoped: map[string]componentFaults{}, now: time.Now}
}

// faultsView is the answer of GET {faults}/ and of every PUT of a component.
type faultsView struct {
	componentFaults
	Scopes bool                       `json:"scopes"` // this hook supports scoped faults
	Scoped map[string]componentFaults `json:"scoped"` // scope → its faults; only scopes with a fault
	Lease  *leaseView                 `json:"lease"`  // null when free or expired
}

type leaseView struct {
	Holder  string `json:"holder"`
	Expires string `json:"expires"` // RFC 3339
}

func (f *faults) view() faultsView {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := faultsView{componentFaults: f.global, Scopes: true, Scoped: make(map[string]componentFaults, len(f.scoped)), Lease: f.leaseLocked()}
	for scope, c := range f.scoped {
		v.Scoped[scope] = c
	}
	return v
}

// leaseLocked is the current lease, nil when it is free or expired.
func (f *faults) leaseLocked() *leaseView {
	if f.lease.holder == "" || !f.now().Before(f.lease.expires) {
		return nil
	}
	return &leaseView{Holder: f.lease.holder, Expires: f.lease.expires.Format(time.RFC3339Nano)}
}

// get is the fault a request of this scope meets: its scope's, when that
// scope has one for the component, else the global one.
func (f *faults) get(component, scope string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.scoped[scope]; ok && scope != "" {
		if fault := *c.of(component); fault != faultNone {
			return fault
		}
	}
	return *f.global.of(component)
}

func (s *Server) getFaults(w http.ResponseWriter, r *http.Request, _ params) {
	writeJSON(w, http.StatusOK, s.faults.view())
}

func (s *Server) putFault(w http.ResponseWriter, r *http.Request, p params) {
	component := p["component"]
	if component != componentDialer && component != componentIntegration {
		writeFailure(w, fail(http.StatusNotFound, "no component %q: dialer or integration (or the lease)", component))
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
	scope, f := nameMember(members, "scope")
	if f != nil {
		writeFailure(w, f)
		return
	}
	s.faults.mu.Lock()
	if scope == nil {
		*s.faults.global.of(component) = *fault
	} else {
		c, ok := s.faults.scoped[*scope]
		if !ok {
			if *fault == faultNone {
				s.faults.mu.Unlock()
				writeJSON(w, http.StatusOK, s.faults.view()) // nothing to clear
				return
			}
			if len(s.faults.scoped) >= maxScopes {
				s.faults.mu.Unlock()
				writeFailure(w, fail(http.StatusConflict, "the hook holds %d scopes already; clear some first", maxScopes))
				return
			}
			c = componentFaults{faultNone, faultNone}
		}
		*c.of(component) = *fault
		if c.none() {
			delete(s.faults.scoped, *scope) // a scope without faults is not listed
		} else {
			s.faults.scoped[*scope] = c
		}
	}
	s.faults.mu.Unlock()
	writeJSON(w, http.StatusOK, s.faults.view())
}

// nameMember reads an optional scope or holder: a non-empty string of at
// most maxNameLength characters without control characters.
func nameMember(members map[string]json.RawMessage, name string) (*string, *failure) {
	v, f := stringMember(members, name)
	if f != nil || v == nil {
		return v, f
	}
	if *v == "" || utf8.RuneCountInString(*v) > maxNameLength || !utf8.ValidString(*v) || containsControl(*v) {
		return nil, fail(http.StatusBadRequest, "%q must be 1 to %d printable characters", name, maxNameLength)
	}
	return v, nil
}

func containsControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}

// leaseConflict is the 409 of the lease: who holds it, and until when.
type leaseConflict struct {
	statusBody
	Holder  string `json:"holder"`
	Expires string `json:"expires"`
}

func writeLeaseConflict(w http.ResponseWriter, l *leaseView) {
	body := leaseConflict{statusBody: newStatus(http.StatusConflict), Holder: l.Holder, Expires: l.Expires}
	body.Detail = "the lease is held by " + l.Holder + " until " + l.Expires
	writeJSON(w, http.StatusConflict, body)
}

// putLease takes the lease for a holder, or renews it: 200 when it was free,
// expired or the holder's own; 409 naming the holder otherwise.
func (s *Server) putLease(w http.ResponseWriter, r *http.Request, _ params) {
	members, f := readJSON(w, r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	holder, f := nameMember(members, "holder")
	if f != nil {
		writeFailure(w, f)
		return
	}
	if holder == nil {
		writeFailure(w, fail(http.StatusBadRequest, `"holder" is required`))
		return
	}
	ttl := defaultTTL
	text, f := stringMember(members, "ttl")
	if f != nil {
		writeFailure(w, f)
		return
	}
	if text != nil {
		d, err := time.ParseDuration(*text)
		if err != nil || d <= 0 || d > maxLeaseTTL {
			writeFailure(w, fail(http.StatusBadRequest, `"ttl" must be a duration such as "60s", above zero and at most %s`, maxLeaseTTL))
			return
		}
		ttl = d
	}
	fs := s.faults
	fs.mu.Lock()
	if current := fs.leaseLocked(); current != nil && current.Holder != *holder {
		fs.mu.Unlock()
		writeLeaseConflict(w, current)
		return
	}
	fs.lease = lease{holder: *holder, expires: fs.now().Add(ttl)}
	granted := fs.leaseLocked()
	fs.mu.Unlock()
	writeJSON(w, http.StatusOK, granted)
}

// deleteLease releases the holder's lease: 200 when it is released, or was
// free or expired already; 409 when another holds it. The holder comes in a
// JSON body {"holder": ...} or the query ?holder=.
func (s *Server) deleteLease(w http.ResponseWriter, r *http.Request, _ params) {
	var holder *string
	if q := r.URL.Query(); q.Has("holder") {
		h := q.Get("holder")
		holder = &h
	} else {
		members, f := readJSON(w, r)
		if f != nil {
			writeFailure(w, f)
			return
		}
		if holder, f = nameMember(members, "holder"); f != nil {
			writeFailure(w, f)
			return
		}
	}
	if holder == nil || *holder == "" {
		writeFailure(w, fail(http.StatusBadRequest, `"holder" is required`))
		return
	}
	fs := s.faults
	fs.mu.Lock()
	current := fs.leaseLocked()
	if current != nil && current.Holder != *holder {
		fs.mu.Unlock()
		writeLeaseConflict(w, current)
		return
	}
	fs.lease = lease{}
	fs.mu.Unlock()
	writeStatus(w, http.StatusOK)
}

// componentFault answers for a failing component and tells whether it did:
// down is downCode at once; timeout waits for the server's timer, then 504.
func (s *Server) componentFault(w http.ResponseWriter, r *http.Request, component string, downCode int) bool {
	switch s.faults.get(component, r.Header.Get(ScopeHeader)) {
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
