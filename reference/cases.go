package reference

import (
	"net/http"
	"time"
)

// Case endpoints addressed by uuid, and the list.

const pageSize = 100

// caseLocation is the absolute URL a created case is read at, in the
// format it was created in. The product writes it absolute, and its public
// PHP client reads only an absolute Location that starts with the API base.
func caseLocation(r *http.Request, format, uuid string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + apiBase + "/" + format + "/callcases/" + uuid
}

// createCase: POST /callcases/?project=P. External ids are not checked for
// uniqueness here (docs/rules.md, identifiers): this is how two cases come to share one.
func (s *Server) createCase(w http.ResponseWriter, r *http.Request, p params) {
	q, f := readQuery(r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	projectID := q.Get("project")
	if projectID == "" {
		writeFailure(w, fail(http.StatusBadRequest, "the query parameter project is required"))
		return
	}
	fields, f := readCaseFields(w, r)
	if f == nil {
		f = fields.checkCreate(false)
	}
	if f != nil {
		writeFailure(w, f)
		return
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, ok := st.projects[projectID]
	if !ok {
		writeFailure(w, fail(http.StatusNotFound, "no project %s", projectID))
		return
	}
	c, f := st.create(proj, fields, false)
	if f != nil {
		writeFailure(w, f)
		return
	}
	w.Header().Set("Location", caseLocation(r, p["format"], c.uuid))
	writeStatus(w, http.StatusCreated)
}

func readCaseFields(w http.ResponseWriter, r *http.Request) (caseFields, *failure) {
	members, f := readBody(w, r, caseBody)
	if f != nil {
		return caseFields{}, f
	}
	return parseCaseFields(members)
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, p params) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findCase(p["uuid"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	write(w, http.StatusOK, st.viewCase(c))
}

// findCase finds the case a request names by uuid (its path or body): a
// uuid not of a uuid's shape is 400, a well-formed one that names no case
// 404 (docs/rules.md, identifiers).
func (st *store) findCase(uuid string) (*callCase, *failure) {
	if !uuidShape.MatchString(uuid) {
		return nil, fail(http.StatusBadRequest, "%q is not a uuid", uuid)
	}
	c, ok := st.cases[uuid]
	if !ok {
		return nil, fail(http.StatusNotFound, "no case %s", uuid)
	}
	return c, nil
}

// updateCase: PUT /callcases/ with the uuid in the body; partial.
func (s *Server) updateCase(w http.ResponseWriter, r *http.Request, _ params) {
	fields, f := readCaseFields(w, r)
	if f == nil && fields.uuid == nil {
		f = fail(http.StatusBadRequest, `"uuid" is required`)
	}
	if f == nil && !uuidShape.MatchString(*fields.uuid) {
		f = fail(http.StatusBadRequest, `"uuid" must match ^[0-9a-z]{1,64}$`)
	}
	if f != nil {
		writeFailure(w, f)
		return
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findCase(*fields.uuid)
	if f != nil {
		writeFailure(w, f)
		return
	}
	st.update(c, fields)
	writeStatus(w, http.StatusOK)
}

func (s *Server) deleteCase(w http.ResponseWriter, r *http.Request, p params) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findCase(p["uuid"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	st.remove(c)
	writeStatus(w, http.StatusOK)
}

// getState answers the bare state id as text/plain.
func (s *Server) getState(w http.ResponseWriter, r *http.Request, p params) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findCase(p["uuid"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	writeText(w, http.StatusOK, c.state)
}

// setState: a form with state, and optionally operator (who now has the
// case) and date (when to call: scheduledTime).
func (s *Server) setState(w http.ResponseWriter, r *http.Request, p params) {
	form, f := readForm(w, r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	state := form.Get("state")
	if _, ok := stateTitle(state); !ok {
		writeFailure(w, fail(http.StatusBadRequest, "state %q is not a case state", state))
		return
	}
	var scheduled *time.Time
	if form.Has("date") {
		d := form.Get("date")
		t, ok := s.parseWritableDate(d)
		if !ok {
			writeFailure(w, fail(http.StatusBadRequest, "date %q is not RFC 3339 or YYYY-MM-DDThh:mm:ss in years 1 to 9999", d))
			return
		}
		scheduled = &t
	}
	operatorID, withOperator := form.Get("operator"), form.Has("operator")
	if withOperator && !uuidShape.MatchString(operatorID) {
		writeFailure(w, fail(http.StatusBadRequest, "operator %q is not a uuid", operatorID))
		return
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	c, f := st.findCase(p["uuid"])
	if f != nil {
		writeFailure(w, f)
		return
	}
	var op *operator
	if withOperator {
		if op = st.operators[operatorID]; op == nil {
			writeFailure(w, fail(http.StatusNotFound, "no operator %s", operatorID))
			return
		}
	}
	c.state = state
	if op != nil {
		c.operator = op
	}
	if scheduled != nil {
		c.scheduled = scheduled
	}
	c.modified = st.tick()
	writeStatus(w, http.StatusOK)
}

// parseWritableDate reads a date the server will store and write back: it is
// kept to milliseconds, as written. A year of 0001 to 9999 as written is
// read whatever the offset; formatDate keeps it writable.
func (s *Server) parseWritableDate(v string) (time.Time, bool) {
	t, ok := parseDate(v, s.opts.Location)
	return t.Truncate(time.Millisecond), ok
}

// listCases: GET /callcases/?project=P with optional filters. A filter that
// is present must be valid, even empty: the contract gives each a shape.
func (s *Server) listCases(w http.ResponseWriter, r *http.Request, _ params) {
	q, f := readQuery(r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	projectID := q.Get("project")
	if projectID == "" {
		writeFailure(w, fail(http.StatusBadRequest, "the query parameter project is required"))
		return
	}
	state, byState := q.Get("state"), q.Has("state")
	if _, ok := stateTitle(state); byState && !ok {
		writeFailure(w, fail(http.StatusBadRequest, "state %q is not a case state", state))
		return
	}
	var bounds [2]*time.Time // modifiedAfter, modifiedBefore
	for i, name := range []string{"modifiedAfter", "modifiedBefore"} {
		if q.Has(name) {
			v := q.Get(name)
			t, ok := parseDate(v, s.opts.Location)
			if !ok {
				writeFailure(w, fail(http.StatusBadRequest, "%s %q is not RFC 3339 or YYYY-MM-DDThh:mm:ss", name, v))
				return
			}
			bounds[i] = &t
		}
	}
	operatorID, byOperator := q.Get("operator"), q.Has("operator")
	if byOperator && !uuidShape.MatchString(operatorID) {
		writeFailure(w, fail(http.StatusBadRequest, "operator %q is not a uuid", operatorID))
		return
	}
	page := 1
	if q.Has("page") {
		v := q.Get("page")
		n, ok := parsePage(v)
		if !ok {
			writeFailure(w, fail(http.StatusBadRequest, "page %q is not digits for a number >= 1", v))
			return
		}
		page = n
	}

	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, ok := st.projects[projectID]
	if !ok {
		writeFailure(w, fail(http.StatusNotFound, "no project %s", projectID))
		return
	}
	var op *operator
	if byOperator {
		if op = st.operators[operatorID]; op == nil {
			writeFailure(w, fail(http.StatusNotFound, "no operator %s", operatorID))
			return
		}
	}
	var matches []*callCase
	for _, c := range proj.cases {
		if (!byState || c.state == state) &&
			(op == nil || c.operator == op) &&
			(bounds[0] == nil || c.modified.After(*bounds[0])) &&
			(bounds[1] == nil || c.modified.Before(*bounds[1])) {
			matches = append(matches, c)
		}
	}
	pages := (len(matches) + pageSize - 1) / pageSize
	if page > pages { // also when nothing matches: 204 on page 1 already
		writeStatus(w, http.StatusNoContent)
		return
	}
	start := (page - 1) * pageSize
	end := min(start+pageSize, len(matches))
	list := listView{Page: page, Count: len(matches), CallCase: make([]caseView, 0, end-start)}
	for _, c := range matches[start:end] {
		list.CallCase = append(list.CallCase, st.viewCase(c))
	}
	write(w, http.StatusOK, list)
}
