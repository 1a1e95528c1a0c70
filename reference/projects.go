package reference

import (
	"net/http"
	"slices"
)

// Project endpoints: the project itself, its call list (dialing run) and its
// operators.

func (s *Server) getProject(w http.ResponseWriter, r *http.Request, p params) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, f := st.findProject(p["p"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	write(w, http.StatusOK, viewProject(proj))
}

var callListCommands = []string{"start", "stop", "update", "delete"}

// callList: POST /projects/{p}/calllist/ with the form field cmd. Order of
// answers: 400 bad cmd, 404 project, 500 start of a completed run, then the
// dialer's faults, and only then the command takes effect.
func (s *Server) callList(w http.ResponseWriter, r *http.Request, p params) {
	form, f := readForm(w, r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	cmd := form.Get("cmd")
	if !slices.Contains(callListCommands, cmd) {
		writeFailure(w, fail(http.StatusBadRequest, "cmd %q is not start, stop, update or delete", cmd))
		return
	}
	if f := s.checkCallList(p["p"], cmd); f != nil {
		writeFailure(w, f)
		return
	}
	// The store is not locked while the dialer fault may wait out its timer.
	if s.componentFault(w, r, componentDialer, http.StatusInternalServerError) {
		return
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj := st.projects[p["p"]] // projects are never removed
	if proj.state != projectCompleted {
		switch cmd {
		case "start":
			proj.state = projectRunning
		case "stop", "delete": // delete removes the run; its cases stay
			proj.state = projectStopped
		}
	}
	writeStatus(w, http.StatusOK)
}

func (s *Server) checkCallList(projectID, cmd string) *failure {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, f := st.findProject(projectID)
	if f != nil {
		return f
	}
	if cmd == "start" && proj.state == projectCompleted {
		return fail(http.StatusInternalServerError, "the run of project %s is completed and cannot start", proj.uuid)
	}
	return nil
}

func (s *Server) listOperators(w http.ResponseWriter, r *http.Request, p params) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, f := st.findProject(p["p"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	if len(proj.operators) == 0 {
		writeStatus(w, http.StatusNoContent)
		return
	}
	list := operatorsView{Operator: make([]operatorView, 0, len(proj.operators))}
	for _, o := range proj.operators {
		list.Operator = append(list.Operator, viewOperator(o))
	}
	write(w, http.StatusOK, list)
}

// membership finds the project and operator named and checks that the
// project's membership is managed by hand: 404 before 501 (docs/rules.md, precedence).
func (st *store) membership(projectID, operatorID string) (*project, *operator, *failure) {
	proj, f := st.findProject(projectID)
	if f != nil {
		return nil, nil, f
	}
	op, ok := st.operators[operatorID]
	if !ok {
		return nil, nil, fail(http.StatusNotFound, "no operator %s", operatorID)
	}
	if proj.mode != modeManual {
		return nil, nil, fail(http.StatusNotImplemented, "project %s assigns operators automatically", proj.uuid)
	}
	return proj, op, nil
}

// assignOperator: POST /projects/{p}/operators/ {"uuid": operator}.
func (s *Server) assignOperator(w http.ResponseWriter, r *http.Request, p params) {
	members, f := readBody(w, r, assignBody)
	if f != nil {
		writeFailure(w, f)
		return
	}
	uuid, f := stringMember(members, "uuid")
	if f == nil && (uuid == nil || !uuidShape.MatchString(*uuid)) {
		f = fail(http.StatusBadRequest, `"uuid" must be an operator's uuid`)
	}
	if f != nil {
		writeFailure(w, f)
		return
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, op, f := st.membership(p["p"], *uuid)
	if f != nil {
		writeFailure(w, f)
		return
	}
	if proj.assigned(op) {
		writeFailure(w, fail(http.StatusConflict, "operator %s is already assigned to project %s", op.uuid, proj.uuid))
		return
	}
	proj.operators = append(proj.operators, op)
	writeStatus(w, http.StatusCreated)
}

// unassignOperator: DELETE /projects/{p}/operators/{op}. An operator not of
// a uuid's shape is 400, before the project is looked up (400 before 404).
func (s *Server) unassignOperator(w http.ResponseWriter, r *http.Request, p params) {
	if !uuidShape.MatchString(p["op"]) {
		writeFailure(w, fail(http.StatusBadRequest, "operator %q is not a uuid", p["op"]))
		return
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, op, f := st.membership(p["p"], p["op"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	if !proj.assigned(op) {
		writeFailure(w, fail(http.StatusNotFound, "operator %s is not assigned to project %s", op.uuid, proj.uuid))
		return
	}
	proj.operators = slices.DeleteFunc(proj.operators, func(o *operator) bool { return o == op })
	writeStatus(w, http.StatusOK)
}
