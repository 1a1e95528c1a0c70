// Package reference is the reference implementation of the Call Cases API:
// an in-memory server that answers exactly as docs/rules.md and
// openapi.yaml say, the suite's default target.
package reference

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Options configures a Server; zero fields take the documented defaults.
type Options struct {
	Username, Password                 string         // full-rights user; defaults "operator-admin" / "admin-secret"
	ReadOnlyUsername, ReadOnlyPassword string         // read-only user; defaults "auditor" / "auditor-secret"
	FaultTimer                         time.Duration  // the server's timer for the 504 fault; default 1s
	Location                           *time.Location // zone dates are written in and naive query dates are read in; default a fixed +03:00 zone
}

// DefaultOptions returns what a zero Options field stands for.
func DefaultOptions() Options {
	return Options{
		Username:         "operator-admin",
		Password:         "admin-secret",
		ReadOnlyUsername: "auditor",
		ReadOnlyPassword: "auditor-secret",
		FaultTimer:       time.Second,
		Location:         time.FixedZone("+03:00", 3*60*60),
	}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	for _, f := range []struct {
		field *string
		def   string
	}{
		{&o.Username, d.Username}, {&o.Password, d.Password},
		{&o.ReadOnlyUsername, d.ReadOnlyUsername}, {&o.ReadOnlyPassword, d.ReadOnlyPassword},
	} {
		if *f.field == "" {
			*f.field = f.def
		}
	}
	if o.FaultTimer <= 0 {
		o.FaultTimer = d.FaultTimer
	}
	if o.Location == nil {
		o.Location = d.Location
	}
	return o
}

// Fixtures names the seeded objects the suite's configuration points at.
type Fixtures struct {
	Project          string // manual mode, stopped: the suite adds cases here
	AutoProject      string // automatic operator assignment
	CompletedProject string // its run is completed
	Operator         string // exists, assigned to no project
}

// Server serves the whole site: the API under /fx/api/v1/ and the fault
// hook under /faults/. It is safe for concurrent use.
type Server struct {
	opts     Options
	store    *store
	faults   *faults
	router   router
	fixtures Fixtures
	onPanic  func(v any) // tests set it to prove no input reaches the recovery
}

const (
	apiBase    = "/fx/api/v1"
	faultsBase = "/faults"
)

// New returns a server seeded with the fixtures of docs/fixtures.md.
func New(opts Options) *Server {
	s := &Server{
		opts:   opts.withDefaults(),
		faults: newFaults(),
	}
	s.store = newStore(s.opts.Location)
	s.seed()
	s.routes()
	return s
}

func (s *Server) seed() {
	st := s.store
	main := st.addProject("corebo00000000000000000000000001", "Обзвон клиентов: ручное назначение", projectStopped, modeManual)
	auto := st.addProject("corebo00000000000000000000000002", "Обзвон клиентов: автоматическое назначение", projectStopped, modeAutomatic)
	done := st.addProject("corebo00000000000000000000000003", "Весенняя акция (завершён)", projectCompleted, modeManual)
	free := st.addOperator("employee000000000000000000000001", "petrov", "Петров Пётр Петрович")
	busy := st.addOperator("employee000000000000000000000002", "ivanova", "Иванова Анна Сергеевна")
	st.addOperator("employee000000000000000000000003", "sidorov", "Сидоров Сергей Иванович")
	main.operators = append(main.operators, busy)
	auto.operators = append(auto.operators, busy)
	// The finished campaign keeps its cases, with the CRM's external ids:
	// those ids must stay free in every other project.
	for i, title := range []string{"Смирнов А. В.", "Кузнецова Е. Н."} {
		id, title := fmt.Sprintf("crm-%d", 1001+i), title
		if _, f := st.create(done, caseFields{id: &id, title: &title}, true); f != nil {
			panic("seeding the reference: " + f.Error())
		}
	}
	s.fixtures = Fixtures{Project: main.uuid, AutoProject: auto.uuid, CompletedProject: done.uuid, Operator: free.uuid}
}

func (s *Server) routes() {
	api := func(method, path string, h handlerFunc) {
		s.router.add(method, apiBase+"/{format}"+path, func(w http.ResponseWriter, r *http.Request, p params) {
			if codecs[p["format"]] == nil {
				writeFailure(w, fail(http.StatusNotFound, "format %q is not served", p["format"]))
				return
			}
			h(w, r, p)
		})
	}
	api("GET", "/projects/{p}", s.getProject)
	api("POST", "/callcases/", s.createCase)
	api("GET", "/callcases/", s.listCases)
	api("PUT", "/callcases/", s.updateCase)
	api("GET", "/callcases/{uuid}", s.getCase)
	api("DELETE", "/callcases/{uuid}", s.deleteCase)
	api("GET", "/callcases/{uuid}/get-state", s.getState)
	api("POST", "/callcases/{uuid}/set-state", s.setState)
	api("POST", "/projects/{p}/callcases/", s.createByExtID)
	api("PUT", "/projects/{p}/callcases/", s.updateByExtID)
	api("GET", "/projects/{p}/callcases/{id}", s.getByExtID)
	api("DELETE", "/projects/{p}/callcases/{id}", s.deleteByExtID)
	api("POST", "/projects/{p}/callcases-batch/", s.batchCreate)
	api("PUT", "/projects/{p}/callcases-batch/", s.batchUpdate)
	api("DELETE", "/projects/{p}/callcases-batch/", s.batchDelete)
	api("POST", "/projects/{p}/calllist/", s.callList)
	api("GET", "/projects/{p}/operators/", s.listOperators)
	api("POST", "/projects/{p}/operators/", s.assignOperator)
	api("DELETE", "/projects/{p}/operators/{op}", s.unassignOperator)

	s.router.add("GET", faultsBase+"/", s.getFaults)
	s.router.add("PUT", faultsBase+"/lease", s.putLease)
	s.router.add("DELETE", faultsBase+"/lease", s.deleteLease)
	s.router.add("PUT", faultsBase+"/{component}", s.putFault)
}

// ServeHTTP applies the precedence of docs/rules.md before routing: 401, then
// 403 for the read-only user, then the integration faults on case endpoints;
// only then does the path decide. An unknown path or method is 404.
//
// Every answer is in the format of the path (codecFor): XML under the
// API's /xml/, 401 and 403 included; JSON everywhere else.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w = withCodec(w, r)
	defer s.recover(w)
	who := s.authenticate(r)
	if who == noAccess {
		writeFailure(w, fail(http.StatusUnauthorized, "missing or wrong Basic credentials"))
		return
	}
	if who == readAccess && !reads(r.Method) {
		writeFailure(w, fail(http.StatusForbidden, "the read-only user may only read"))
		return
	}
	if isCaseEndpoint(r) && s.componentFault(w, r, componentIntegration, http.StatusServiceUnavailable) {
		return
	}
	h, p, ok := s.router.match(r)
	if !ok {
		writeFailure(w, fail(http.StatusNotFound, "no endpoint %s %s", r.Method, r.URL.Path))
		return
	}
	h(w, r, p)
}

// isCaseEndpoint: docs/rules.md calls every API path with "callcases" in it a case
// endpoint; those are the ones the integration service stands behind.
func isCaseEndpoint(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, apiBase+"/") && strings.Contains(r.URL.Path, "callcases")
}

// recover turns a panic into a 500 status body, a last resort: tests hook
// onPanic to prove that no input gets here.
func (s *Server) recover(w http.ResponseWriter) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	if s.onPanic != nil {
		s.onPanic(v)
	}
	writeFailure(w, fail(http.StatusInternalServerError, "internal error: %v", v))
}

// Fixtures returns the uuids of the seeded objects.
func (s *Server) Fixtures() Fixtures { return s.fixtures }

// Settings returns the suite configuration (env var name → value) that points
// the conformance suite at this server when it is served at root, e.g.
// "http://127.0.0.1:8080".
func (s *Server) Settings(root string) map[string]string {
	root = strings.TrimSuffix(root, "/")
	return map[string]string{
		"CONFORMANCE_TARGET":            root + apiBase,
		"CONFORMANCE_FAULTS_URL":        root + faultsBase,
		"CONFORMANCE_USERNAME":          s.opts.Username,
		"CONFORMANCE_PASSWORD":          s.opts.Password,
		"CONFORMANCE_READONLY_USERNAME": s.opts.ReadOnlyUsername,
		"CONFORMANCE_READONLY_PASSWORD": s.opts.ReadOnlyPassword,
		"CONFORMANCE_PROJECT":           s.fixtures.Project,
		"CONFORMANCE_AUTO_PROJECT":      s.fixtures.AutoProject,
		"CONFORMANCE_COMPLETED_PROJECT": s.fixtures.CompletedProject,
		"CONFORMANCE_OPERATOR":          s.fixtures.Operator,
	}
}
