package reference

import (
	"crypto/rand"
	"slices"
	"sync"
	"time"
)

// Project states and operator assignment modes (the Project resource).
const (
	projectStopped   = "stopped"
	projectRunning   = "running"
	projectCompleted = "completed"

	modeManual    = "manual"
	modeAutomatic = "automatic"
)

// caseStates are the case states with their Russian titles, in the product's order.
var caseStates = []struct{ id, title string }{
	{"new", "Новое"},
	{"unavailable", "Недозвон"},
	{"refused", "Отказ"},
	{"available", "Доступен для обзвона"},
	{"adjourned", "Перенесено"},
	{"finished", "Завершено"},
	{"completed_nr", "Обработано без результата"},
	{"completed_r", "Обработано с результатом"},
}

func stateTitle(id string) (string, bool) {
	for _, s := range caseStates {
		if s.id == id {
			return s.title, true
		}
	}
	return "", false
}

var phoneTypes = []string{"HOME", "MOBILE", "WORK", "OTHER"}

type phoneNumber struct{ value, kind string }

type operator struct{ uuid, login, title string }

type project struct {
	uuid, title string
	state       string
	mode        string
	operators   []*operator // assigned, in assignment order
	cases       []*callCase // creation order, which is the list order
	byExtID     map[string][]*callCase
}

type callCase struct {
	uuid      string
	extID     *string
	title     string
	project   *project
	state     string
	priority  int64
	comment   string
	phones    []phoneNumber
	created   time.Time
	modified  time.Time
	scheduled *time.Time
	operator  *operator
}

// store is the whole server state behind one mutex: every request sees and
// leaves it consistent, and batches apply as one step.
type store struct {
	mu        sync.Mutex
	loc       *time.Location
	last      time.Time // the latest time handed out by tick
	cases     map[string]*callCase
	projects  map[string]*project
	operators map[string]*operator
}

func newStore(loc *time.Location) *store {
	return &store{
		loc:       loc,
		cases:     map[string]*callCase{},
		projects:  map[string]*project{},
		operators: map[string]*operator{},
	}
}

// tick returns the current time in milliseconds, strictly later than any it
// returned before, so that lastModified changes on every write even when two
// land in the same millisecond, and what is written equals what is stored.
func (st *store) tick() time.Time {
	now := time.Now().Truncate(time.Millisecond).In(st.loc)
	if !now.After(st.last) {
		now = st.last.Add(time.Millisecond)
	}
	st.last = now
	return now
}

func (st *store) addProject(uuid, title, state, mode string) *project {
	p := &project{uuid: uuid, title: title, state: state, mode: mode, byExtID: map[string][]*callCase{}}
	st.projects[uuid] = p
	return p
}

func (st *store) addOperator(uuid, login, title string) *operator {
	o := &operator{uuid: uuid, login: login, title: title}
	st.operators[uuid] = o
	return o
}

// taken tells whether uuid names anything: uuids are global (docs/rules.md).
func (st *store) taken(uuid string) bool {
	_, c := st.cases[uuid]
	_, p := st.projects[uuid]
	_, o := st.operators[uuid]
	return c || p || o
}

func (st *store) insert(c *callCase) {
	st.cases[c.uuid] = c
	p := c.project
	p.cases = append(p.cases, c)
	if c.extID != nil {
		p.byExtID[*c.extID] = append(p.byExtID[*c.extID], c)
	}
}

func (st *store) remove(c *callCase) {
	delete(st.cases, c.uuid)
	p := c.project
	p.cases = slices.DeleteFunc(p.cases, func(x *callCase) bool { return x == c })
	c.project.unindex(c)
}

// setExtID changes a case's external id and keeps the project's index true.
func (p *project) setExtID(c *callCase, id string) {
	if c.extID != nil && *c.extID == id {
		return // keep its place among cases sharing the id
	}
	p.unindex(c)
	c.extID = &id
	p.byExtID[id] = append(p.byExtID[id], c)
}

func (p *project) unindex(c *callCase) {
	if c.extID == nil {
		return
	}
	id := *c.extID
	rest := slices.DeleteFunc(p.byExtID[id], func(x *callCase) bool { return x == c })
	if len(rest) == 0 {
		delete(p.byExtID, id)
	} else {
		p.byExtID[id] = rest
	}
}

// findExtID returns the one case with external id in p, or the failure:
// 404 for none, 300 listing the uuids of all when several share it.
func (p *project) findExtID(id string) (*callCase, *failure) {
	found := p.byExtID[id]
	switch len(found) {
	case 0:
		return nil, fail(404, "no case has external id %q in project %s", id, p.uuid)
	case 1:
		return found[0], nil
	}
	f := fail(300, "%d cases share external id %q", len(found), id)
	for _, c := range found {
		f.uuids = append(f.uuids, c.uuid)
	}
	return nil, f
}

func (p *project) assigned(o *operator) bool { return slices.Contains(p.operators, o) }

// newUUID returns a fresh 32-character identifier of [0-9a-z], shaped like
// the product's: a class prefix, then random characters.
func (st *store) newUUID(prefix string) string {
	for {
		if u := prefix + randomBase36(32-len(prefix)); !st.taken(u) {
			return u
		}
	}
}

func randomBase36(n int) string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	out := make([]byte, 0, n)
	var buf [32]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails
		for _, b := range buf {
			if b < 252 && len(out) < n { // 252 = 7*36: no bias toward low letters
				out = append(out, alphabet[b%36])
			}
		}
	}
	return string(out)
}
