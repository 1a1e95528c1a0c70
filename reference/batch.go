package reference

import (
	"encoding/json"
	"net/http"
)

// Batch endpoints: /projects/{p}/callcases-batch/. The request as a whole is
// 400 when its list is missing, not a list, empty or over maxBatch, and 404
// for an unknown project; each item then gets the code it would have got
// alone, in request order, and the whole batch applies under one lock.

const maxBatch = 1000

func batchList(members map[string]json.RawMessage, name string) ([]json.RawMessage, *failure) {
	var items []json.RawMessage
	if raw := members[name]; isNull(raw) || json.Unmarshal(raw, &items) != nil {
		return nil, fail(http.StatusBadRequest, "%q must be an array", name)
	}
	return items, checkBatchSize(len(items))
}

func checkBatchSize(n int) *failure {
	if n < 1 || n > maxBatch {
		return fail(http.StatusBadRequest, "a batch holds 1 to %d items, not %d", maxBatch, n)
	}
	return nil
}

// readBatch reads the {"callcase":[...]} body of batch create and update.
func readBatch(w http.ResponseWriter, r *http.Request) ([]json.RawMessage, *failure) {
	members, f := readBody(w, r, batchBody)
	if f != nil {
		return nil, f
	}
	return batchList(members, "callcase")
}

// runBatch finds the project and gives each item its result, under one lock.
func (s *Server) runBatch(w http.ResponseWriter, projectID string, keys int, one func(i int, proj *project) batchItem) {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	proj, f := st.findProject(projectID)
	if f != nil {
		writeFailure(w, f)
		return
	}
	results := make([]batchItem, 0, keys)
	for i := range keys {
		results = append(results, one(i, proj))
	}
	writeBatch(w, results)
}

func writeBatch(w http.ResponseWriter, results []batchItem) {
	body := newStatus(http.StatusOK)
	body.Result = results
	write(w, http.StatusOK, body)
}

// failedItem reports an item that acted on no case: a create's uuid is
// null; an update or delete echoes the key it was asked by, unchanged, and
// the other is null.
func failedItem(f *failure, id, uuid *string) batchItem {
	item := newBatchItem(f.code, id, uuid)
	item.Detail = f.detail
	item.UUIDs = f.uuids
	return item
}

func (s *Server) batchCreate(w http.ResponseWriter, r *http.Request, p params) {
	items, f := readBatch(w, r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	s.runBatch(w, p["p"], len(items), func(i int, proj *project) batchItem {
		return s.store.batchCreateOne(proj, items[i])
	})
}

// batchCreateOne: like POST /projects/{p}/callcases/, so an id repeated from
// an earlier item of the same batch is 209, as that item exists by now.
func (st *store) batchCreateOne(proj *project, raw json.RawMessage) batchItem {
	fields, id, f := parseItem(raw)
	if f == nil {
		f = fields.checkCreate(true)
	}
	if f == nil {
		var c *callCase
		if c, f = st.create(proj, fields, true); f == nil {
			return newBatchItem(http.StatusCreated, c.extID, &c.uuid)
		}
	}
	return failedItem(f, id, nil)
}

// parseItem decodes one batch item; id is the item's id when it is a string,
// for the result, even if the item fails.
func parseItem(raw json.RawMessage) (caseFields, *string, *failure) {
	members, f := decodeObject(raw, "a batch item")
	if f != nil { // in either format: a JSON scalar, or text in XML
		return caseFields{}, nil, fail(http.StatusBadRequest, "a batch item is not an object (a case)")
	}
	id, _ := stringMember(members, "id")
	fields, f := parseCaseFields(members)
	return fields, id, f
}

func (s *Server) batchUpdate(w http.ResponseWriter, r *http.Request, p params) {
	items, f := readBatch(w, r)
	if f != nil {
		writeFailure(w, f)
		return
	}
	s.runBatch(w, p["p"], len(items), func(i int, proj *project) batchItem {
		return s.store.batchUpdateOne(proj, items[i])
	})
}

// batchUpdateOne: like PUT /projects/{p}/callcases/.
func (st *store) batchUpdateOne(proj *project, raw json.RawMessage) batchItem {
	fields, id, f := parseItem(raw)
	if f == nil && fields.id == nil {
		f = fail(http.StatusBadRequest, `"id" is required`)
	}
	if f != nil {
		return failedItem(f, id, nil)
	}
	fields.uuid = nil
	c, f := proj.findExtID(*fields.id)
	if f != nil {
		return failedItem(f, id, nil)
	}
	st.update(c, fields)
	return newBatchItem(http.StatusOK, id, &c.uuid)
}

// batchDelete takes {"uuid":[...]} or {"id":[...]}, exactly one of them.
func (s *Server) batchDelete(w http.ResponseWriter, r *http.Request, p params) {
	members, f := readBody(w, r, linksBody)
	if f != nil {
		writeFailure(w, f)
		return
	}
	uuids, byUUID, f := stringList(members, "uuid")
	if f != nil {
		writeFailure(w, f)
		return
	}
	ids, byID, f := stringList(members, "id")
	if f != nil {
		writeFailure(w, f)
		return
	}
	if byUUID == byID {
		writeFailure(w, fail(http.StatusBadRequest, `give exactly one of "uuid" and "id"`))
		return
	}
	keys := uuids
	if byID {
		keys = ids
	}
	if f := checkBatchSize(len(keys)); f != nil {
		writeFailure(w, f)
		return
	}
	s.runBatch(w, p["p"], len(keys), func(i int, proj *project) batchItem {
		if byID {
			return s.store.deleteOneByID(proj, keys[i])
		}
		return s.store.deleteOneByUUID(proj, keys[i])
	})
}

// deleteOneByUUID deletes a case of this project only: a case of another
// project is not found through this project's path.
func (st *store) deleteOneByUUID(proj *project, uuid string) batchItem {
	if !uuidShape.MatchString(uuid) {
		// Echoed unchanged like every key a failed item was asked by.
		return failedItem(fail(http.StatusBadRequest, "%q is not a uuid", uuid), nil, &uuid)
	}
	c, ok := st.cases[uuid]
	if !ok || c.project != proj {
		return failedItem(fail(http.StatusNotFound, "no case %s in project %s", uuid, proj.uuid), nil, &uuid)
	}
	st.remove(c)
	return newBatchItem(http.StatusOK, c.extID, &c.uuid)
}

func (st *store) deleteOneByID(proj *project, id string) batchItem {
	if !validExtID(id) {
		return failedItem(fail(http.StatusBadRequest, "an external id has 1 to %d characters XML can carry", maxExtID), &id, nil)
	}
	c, f := proj.findExtID(id)
	if f != nil {
		return failedItem(f, &id, nil)
	}
	st.remove(c)
	return newBatchItem(http.StatusOK, &id, &c.uuid)
}
