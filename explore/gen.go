package explore

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/callcases/conformance/client"
	"pgregory.net/rapid"
)

// Values come from openapi.yaml's schemas and their edges (the design's
// section on exploration lists them): lengths 1, 255 and 256, empty
// strings, spaces at either end, CR, LF and CRLF, characters outside the
// Basic Multilingual Plane, ids that differ only in letter case, dates with
// offsets and fractions, batches of 1, 2 and 1001 items, pages 1, 2 and
// past the end. Every title keeps the run's mark in front, so that the
// final sweep finds whatever a step made.

// Marks make the run's own values: the suite's newUUID, newExternalID and
// title prefix, so that every case a step makes is the run's.
type Marks struct {
	UUID       func() string
	ExternalID func() string
	Title      string // the prefix of every title
}

// model is what generation knows of the sequence so far, from the
// reference's answers only (the target's never steer generation, so that
// the same draws make the same sequence on replay).
type model struct {
	slots []slot
	ids   []string // every external id a case of the sequence held, in order
}

func (m *model) noteID(id string) {
	if id != "" && !slices.Contains(m.ids, id) {
		m.ids = append(m.ids, id)
	}
}

type slot struct {
	chosen string // the uuid the client chose, "" when the server assigned it
	extID  string // "" when none
	alive  bool
}

var (
	titleTails = []string{"case", " trailing space ", "two  spaces", "line\nbreak", "cr\rhere", "crlf\r\nhere", "outside the BMP \U0001F600", "tab\there", "Регистр", "x"}
	comments   = []string{"", " leading", "trailing ", "a\r\nb", "\n", "tab\tin it", "\U0001F600", strings.Repeat("c", 254), strings.Repeat("c", 255), strings.Repeat("c", 256), "Comment"}
	priorities = []any{0, 1, -1, 7, 9007199254740991}
	states     = []string{"new", "unavailable", "refused", "available", "adjourned", "finished", "completed_nr", "completed_r"}
	dateEdges  = []string{"2030-01-02T03:04:05+03:00", "2030-01-02T03:04:05.123456789Z", "2030-01-02T03:04:05-11:30", "2030-01-02T03:04:05", "2030-01-02T03:04:05.5"}
	phoneSets  = [][]map[string]any{
		{},
		{{"value": "8000000000", "phoneNumberType": "HOME"}},
		{{"value": "8000000001", "phoneNumberType": "MOBILE"}, {"value": " 8 (800) 000-00-02 ", "phoneNumberType": "WORK"}},
		{{"value": "1", "phoneNumberType": "OTHER"}},
	}
)

func (g *gen) title(t *rapid.T, label string) string {
	tail := sample(g, t, titleTails, label)
	if tail == "x" { // 255 characters in all
		tail = strings.Repeat("x", max(1, 255-len([]rune(g.marks.Title))))
	}
	return g.marks.Title + tail
}

// extID is a new external id of the run, or an edge of one: padded to 255
// characters, with a space at either end, or another case's id (in other
// letter case, or as it is).
func (g *gen) extID(t *rapid.T, m *model, label string) string {
	id := g.marks.ExternalID()
	switch rapid.IntRange(0, 5).Draw(t, label) {
	case 1:
		// No space in it: the contract's validator measures a path
		// parameter as sent, where a space is three characters (%20).
		id = strings.ReplaceAll(id, " ", "_")
		return id + strings.Repeat("i", 255-len([]rune(id)))
	case 2:
		if s, ok := g.someSlot(t, m, label+" other", func(s slot) bool { return s.extID != "" }); ok {
			return flipCase(m.slots[s].extID)
		}
	case 3:
		if s, ok := g.someSlot(t, m, label+" other", func(s slot) bool { return s.extID != "" }); ok {
			return m.slots[s].extID // repeated: 209 on the routes that check, 300 afterwards
		}
	case 4:
		return " " + id + " " // spaces at either end are part of it (Exact comparisons)
	}
	return id
}

func flipCase(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// someSlot draws one of the sequence's cases that fits, if any.
func (g *gen) someSlot(t *rapid.T, m *model, label string, fits func(slot) bool) (int, bool) {
	var ok []int
	for i, s := range m.slots {
		if fits(s) {
			ok = append(ok, i)
		}
	}
	if len(ok) == 0 {
		return 0, false
	}
	return sample(g, t, ok, label), true
}

func anySlot(slot) bool     { return true }
func aliveSlot(s slot) bool { return s.alive }

// fields draws the members of a case body: each optional member present or
// not, so that a partial update carries some and leaves the others.
func (g *gen) fields(t *rapid.T, partial bool) map[string]any {
	f := map[string]any{}
	if !partial || rapid.Bool().Draw(t, "with title") {
		f["title"] = g.title(t, "title")
	}
	if rapid.Bool().Draw(t, "with comment") {
		f["comment"] = sample(g, t, comments, "comment")
	}
	if rapid.Bool().Draw(t, "with priority") {
		f["priority"] = sample(g, t, priorities, "priority")
	}
	if rapid.Bool().Draw(t, "with phones") {
		ps := sample(g, t, phoneSets, "phones")
		list := make([]any, len(ps))
		for i, p := range ps {
			list[i] = p
		}
		f["phoneNumbers"] = map[string]any{"phoneNumber": list}
	}
	return f
}

// gen draws steps for one format.
type gen struct {
	a        api
	marks    Marks
	operator bool // the target has an operator fixture: set-state and lists may name it
	// enc writes a request's body as the target's client would (XML by the
	// contract's schemas), for both servers and for the breakages.
	enc func(client.Request) ([]byte, string, error)
	// picked is how many breakages the last bad step chose among (tests).
	picked int
	// rot turns every choice of one sequence by the same amount. rapid
	// draws small numbers more often than large ones, which would make the
	// first entries of every list (the first kinds of step, the first
	// breakages) far likelier than the last; each sequence rotates them by
	// its own amount, so that over a run every entry is as likely, and a
	// replay while shrinking keeps its sequence's amount.
	rot int
}

// index draws one of n choices, rotated by the sequence's amount.
func (g *gen) index(t *rapid.T, n int, label string) int {
	return (rapid.IntRange(0, n-1).Draw(t, label) + g.rot) % n
}

// sample draws one of a list's entries, rotated by the sequence's amount.
func sample[T any](g *gen, t *rapid.T, list []T, label string) T {
	return list[g.index(t, len(list), label)]
}

// stateful draws the next step of a sequence, from the model.
func (g *gen) stateful(t *rapid.T, m *model) step {
	kinds := []string{"create", "create-ext", "batch-create", "read", "read-ext", "update", "update-ext", "change-ext", "change-ext", "delete", "delete-ext", "batch-delete", "set-state", "get-state", "list", "batch-update"}
	if len(m.slots) == 0 {
		kinds = kinds[:3]
	}
	switch sample(g, t, kinds, "step") {
	case "create":
		return g.create(t, m)
	case "create-ext":
		return g.createExt(t, m)
	case "batch-create":
		return g.batchCreate(t, m)
	case "read":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.read(k)
	case "read-ext":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.readExt(t, m, k)
	case "update":
		k, _ := g.someSlot(t, m, "case", anySlot)
		f := g.fields(t, true)
		if rapid.IntRange(0, 3).Draw(t, "changes the id") == 0 {
			f["id"] = g.extID(t, m, "new id")
		}
		return g.update(t, m, k, f)
	case "change-ext":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.update(t, m, k, map[string]any{"id": g.extID(t, m, "new id")})
	case "update-ext":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.updateExt(t, m, k)
	case "batch-update":
		return g.batchUpdate(t, m)
	case "delete":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.delete(k)
	case "delete-ext":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.deleteExt(t, m, k)
	case "batch-delete":
		return g.batchDelete(t, m)
	case "set-state":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.setState(t, k)
	case "get-state":
		k, _ := g.someSlot(t, m, "case", anySlot)
		return g.getState(k)
	default:
		return g.list(t, m)
	}
}

func (g *gen) newSlot(m *model, s slot) int {
	m.slots = append(m.slots, s)
	return len(m.slots) - 1
}

func (g *gen) create(t *rapid.T, m *model) step {
	f := g.fields(t, false)
	s := slot{}
	switch rapid.IntRange(0, 3).Draw(t, "uuid") {
	case 1, 2:
		s.chosen = g.marks.UUID()
		f["uuid"] = s.chosen
	case 3: // a uuid taken: 409
		if k, ok := g.someSlot(t, m, "taken", func(s slot) bool { return s.chosen != "" }); ok {
			f["uuid"] = m.slots[k].chosen
		}
	}
	if rapid.Bool().Draw(t, "with id") {
		s.extID = g.extID(t, m, "id")
		f["id"] = s.extID
	}
	k := g.newSlot(m, s)
	return step{what: fmt.Sprintf("create by POST /callcases/, case %d", k), slots: []int{k}, write: true, creates: k,
		build: func(sd *side) client.Request {
			return client.Request{Method: post, Path: g.a.cases(), Query: url.Values{"project": {sd.project}}, JSON: f}
		}}
}

func (g *gen) createExt(t *rapid.T, m *model) step {
	f := g.fields(t, false)
	s := slot{extID: g.extID(t, m, "id")}
	f["id"] = s.extID
	if rapid.IntRange(0, 2).Draw(t, "uuid") == 1 {
		s.chosen = g.marks.UUID()
		f["uuid"] = s.chosen
	}
	k := g.newSlot(m, s)
	return step{what: fmt.Sprintf("create by external id, case %d", k), slots: []int{k}, write: true, creates: k,
		build: func(sd *side) client.Request {
			return client.Request{Method: post, Path: g.a.external(sd.project), JSON: f}
		}}
}

func (g *gen) batchCreate(t *rapid.T, m *model) step {
	n := rapid.IntRange(1, 3).Draw(t, "items")
	items := make([]any, n)
	var slots []int
	for i := range items {
		f := g.fields(t, false)
		s := slot{extID: g.extID(t, m, "id")}
		f["id"] = s.extID
		if rapid.IntRange(0, 2).Draw(t, "uuid") == 1 {
			s.chosen = g.marks.UUID()
			f["uuid"] = s.chosen
		}
		items[i] = f
		slots = append(slots, g.newSlot(m, s))
	}
	return step{what: fmt.Sprintf("batch create, cases %v", slots), slots: slots, write: true, creates: -1, batchCreates: slots,
		build: func(sd *side) client.Request {
			return client.Request{Method: post, Path: g.a.batch(sd.project), JSON: map[string]any{"callcase": items}}
		}}
}

func (g *gen) read(k int) step {
	return step{what: fmt.Sprintf("read case %d by uuid", k), kind: "case", slots: []int{k}, creates: -1,
		build: func(sd *side) client.Request { return client.Request{Method: get, Path: g.a.caseByUUID(sd.uuid(k))} }}
}

// extOf is the slot's external id, or a new one when it has none (404).
func (g *gen) extOf(t *rapid.T, m *model, k int) string {
	if id := m.slots[k].extID; id != "" && rapid.IntRange(0, 4).Draw(t, "id variant") != 0 {
		return id
	}
	return g.extID(t, m, "id")
}

func (g *gen) readExt(t *rapid.T, m *model, k int) step {
	id := g.extOf(t, m, k)
	return step{what: fmt.Sprintf("read by external id %q", clip(id, 40)), kind: "case", slots: []int{k}, creates: -1,
		build: func(sd *side) client.Request {
			return client.Request{Method: get, Path: g.a.byExternalID(sd.project, id)}
		}}
}

func (g *gen) update(t *rapid.T, m *model, k int, f map[string]any) step {
	if id, ok := f["id"].(string); ok {
		m.slots[k].extID = id // the reference decides; a refused change is read back as it was
	}
	return step{what: fmt.Sprintf("update case %d by uuid", k), slots: []int{k}, write: true, observe: k + 1, creates: -1,
		build: func(sd *side) client.Request {
			b := map[string]any{"uuid": sd.uuid(k)}
			for n, v := range f {
				b[n] = v
			}
			return client.Request{Method: put, Path: g.a.cases(), JSON: b}
		}}
}

func (g *gen) updateExt(t *rapid.T, m *model, k int) step {
	id := g.extOf(t, m, k)
	f := g.fields(t, true)
	f["id"] = id
	return step{what: fmt.Sprintf("update by external id %q", clip(id, 40)), slots: []int{k}, write: true, creates: -1,
		build: func(sd *side) client.Request {
			return client.Request{Method: put, Path: g.a.external(sd.project), JSON: f}
		}}
}

func (g *gen) batchUpdate(t *rapid.T, m *model) step {
	n := rapid.IntRange(1, 3).Draw(t, "items")
	items := make([]any, n)
	var slots []int
	for i := range items {
		k, _ := g.someSlot(t, m, "case", anySlot)
		f := g.fields(t, true)
		f["id"] = g.extOf(t, m, k)
		items[i] = f
		slots = append(slots, k)
	}
	return step{what: fmt.Sprintf("batch update, cases %v", slots), slots: slots, write: true, creates: -1,
		build: func(sd *side) client.Request {
			return client.Request{Method: put, Path: g.a.batch(sd.project), JSON: map[string]any{"callcase": items}}
		}}
}

func (g *gen) delete(k int) step {
	return step{what: fmt.Sprintf("delete case %d by uuid", k), slots: []int{k}, write: true, creates: -1,
		build: func(sd *side) client.Request { return client.Request{Method: del, Path: g.a.caseByUUID(sd.uuid(k))} }}
}

func (g *gen) deleteExt(t *rapid.T, m *model, k int) step {
	id := g.extOf(t, m, k)
	return step{what: fmt.Sprintf("delete by external id %q", clip(id, 40)), slots: []int{k}, write: true, creates: -1,
		build: func(sd *side) client.Request {
			return client.Request{Method: del, Path: g.a.byExternalID(sd.project, id)}
		}}
}

func (g *gen) batchDelete(t *rapid.T, m *model) step {
	n := rapid.IntRange(1, 3).Draw(t, "items")
	byID := rapid.Bool().Draw(t, "by id")
	var slots []int
	var ids []any
	for range n {
		k, _ := g.someSlot(t, m, "case", anySlot)
		slots = append(slots, k)
		if byID {
			ids = append(ids, g.extOf(t, m, k))
		}
	}
	return step{what: fmt.Sprintf("batch delete by %s, cases %v", map[bool]string{true: "id", false: "uuid"}[byID], slots), slots: slots, write: true, creates: -1,
		build: func(sd *side) client.Request {
			if byID {
				return client.Request{Method: del, Path: g.a.batch(sd.project), JSON: map[string]any{"id": ids}}
			}
			uuids := make([]any, len(slots))
			for i, k := range slots {
				uuids[i] = sd.uuid(k)
			}
			return client.Request{Method: del, Path: g.a.batch(sd.project), JSON: map[string]any{"uuid": uuids}}
		}}
}

func (g *gen) setState(t *rapid.T, k int) step {
	state := sample(g, t, states, "state")
	date := ""
	if rapid.Bool().Draw(t, "with date") {
		date = sample(g, t, dateEdges, "date")
	}
	withOperator := g.operator && rapid.Bool().Draw(t, "with operator")
	return step{what: fmt.Sprintf("set-state of case %d to %s", k, state), slots: []int{k}, write: true, observe: k + 1, creates: -1,
		build: func(sd *side) client.Request {
			form := url.Values{"state": {state}}
			if date != "" {
				form.Set("date", date)
			}
			if withOperator {
				form.Set("operator", sd.operator)
			}
			return client.Request{Method: post, Path: g.a.caseByUUID(sd.uuid(k)) + "/set-state", Form: form}
		}}
}

func (g *gen) getState(k int) step {
	return step{what: fmt.Sprintf("get-state of case %d", k), kind: "state", slots: []int{k}, creates: -1,
		build: func(sd *side) client.Request {
			return client.Request{Method: get, Path: g.a.caseByUUID(sd.uuid(k)) + "/get-state"}
		}}
}

// list draws a list's filters; its bounds are each server's own dates of
// one case (the runner fills them in), its pages walked to the end.
func (g *gen) list(t *rapid.T, m *model) step {
	var state string
	if rapid.Bool().Draw(t, "by state") {
		state = sample(g, t, states, "state")
	}
	withOperator := g.operator && rapid.IntRange(0, 3).Draw(t, "by operator") == 0
	bound := rapid.IntRange(0, 2).Draw(t, "bound") // 0 none, 1 modifiedAfter, 2 modifiedBefore (of a case's lastModified)
	anchor := -1
	if bound != 0 {
		anchor, _ = g.someSlot(t, m, "anchor", aliveSlot)
		if len(m.slots) == 0 || !m.slots[anchor].alive {
			bound, anchor = 0, -1
		}
	}
	st := step{what: "list", kind: "list", creates: -1, tieBound: -1}
	if state != "" {
		st.what += " state=" + state
	}
	if withOperator {
		st.what += " operator=the operator"
	}
	if bound != 0 {
		st.what += fmt.Sprintf(" %s case %d's lastModified", map[int]string{1: "modifiedAfter", 2: "modifiedBefore"}[bound], anchor)
		st.tieBound = anchor
	}
	st.list = func(sd *side) url.Values {
		q := url.Values{"project": {sd.project}}
		if state != "" {
			q.Set("state", state)
		}
		if withOperator {
			q.Set("operator", sd.operator)
		}
		return q
	}
	st.bound = bound
	return st
}
