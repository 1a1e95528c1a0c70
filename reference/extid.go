package reference

import "net/http"

// Case endpoints addressed by external id within a project. Ids are unique
// per project on create (209); where several cases share one anyway, acting
// on it is 300 listing them all, and nothing changes.

func (st *store) findProject(uuid string) (*project, *failure) {
	p, ok := st.projects[uuid]
	if !ok {
		return nil, fail(http.StatusNotFound, "no project %s", uuid)
	}
	return p, nil
}

// createByExtID: POST /projects/{p}/callcases/ with an id in the body.
func (s *Server) createByExtID(w http.ResponseWriter, r *http.Request, p params) {
	fields, f := readCaseFields(w, r)
	if f == nil {
		f = fields.checkCreate(true)
	}
	if f != nil {
		writeFailure(w, f)
		return
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, f := st.findProject(p["p"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	c, f := st.create(proj, fields, true)
	if f != nil {
		writeFailure(w, f)
		return
	}
	w.Header().Set("Location", caseLocation(r, p["format"], c.uuid))
	writeStatus(w, http.StatusCreated)
}

// updateByExtID: PUT /projects/{p}/callcases/ with the id in the body; the
// id is the key here, so it never changes, and a uuid in the body is ignored.
func (s *Server) updateByExtID(w http.ResponseWriter, r *http.Request, p params) {
	fields, f := readCaseFields(w, r)
	if f == nil && fields.id == nil {
		f = fail(http.StatusBadRequest, `"id" is required`)
	}
	if f != nil {
		writeFailure(w, f)
		return
	}
	fields.uuid = nil
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findByExtID(p["p"], *fields.id)
	if f != nil {
		writeFailure(w, f)
		return
	}
	st.update(c, fields)
	writeStatus(w, http.StatusOK)
}

func (st *store) findByExtID(projectID, id string) (*callCase, *failure) {
	if !validExtID(id) {
		return nil, fail(http.StatusBadRequest, "an external id has 1 to %d characters XML can carry", maxExtID)
	}
	proj, f := st.findProject(projectID)
	if f != nil {
		return nil, f
	}
	return proj.findExtID(id)
}

func (s *Server) getByExtID(w http.ResponseWriter, r *http.Request, p params) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findByExtID(p["p"], p["id"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	write(w, http.StatusOK, st.viewCase(c))
}

func (s *Server) deleteByExtID(w http.ResponseWriter, r *http.Request, p params) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findByExtID(p["p"], p["id"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	st.remove(c)
	writeStatus(w, http.StatusOK)
}
