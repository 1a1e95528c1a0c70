package explore

import (
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// Answer is one server's answer to one request, decoded: the equivalence
// compares two of them, the target's and the reference's.
type Answer struct {
	Status int
	// Location is the Location header resolved against the request's URL
	// and cut to the path below the API base ("" when there is none).
	Location string
	// Body is the body's value as JSON would give it (numbers as
	// json.Number, XML read by the contract's schemas); nil when there is
	// no body or it could not be read (BodyErr says why).
	Body    any
	BodyErr error
	// Text is a text/plain body (get-state).
	Text string
}

// Divergence is one place where the target's answer is not equivalent to
// the reference's: what differs, both values, and the rule of the design
// that makes them differ.
type Divergence struct {
	Where     string // "status", "body.title", "list: own cases", ...
	Target    string
	Reference string
	Rule      string
}

func (d Divergence) String() string {
	return fmt.Sprintf("%s: target %s, reference %s (%s)", d.Where, d.Target, d.Reference, d.Rule)
}

// Oracle is what the equivalence remembers from one step to the next: the
// uuids each server assigned, mapped one to one as they appear, and the
// dates each server gave each case, whose relations must hold.
type Oracle struct {
	toRef   map[string]string // target uuid -> reference uuid
	toTgt   map[string]string
	chosen  map[string]bool   // uuids the client chose: both servers keep them
	fixture map[string]string // the target's fixtures -> the reference's (project, operator)
	dates   map[string]*dates // by target uuid
}

// dates are what the target last said of one case, and what happened since.
type dates struct {
	created, modified time.Time
	text              string // lastModified as the target wrote it
	view              string // the reference's view of the case without its dates, when last read
	written           bool   // a write the reference accepted touched it since
}

// NewOracle maps the target's fixtures (project, operator) to the
// reference's: a fixture uuid of one reads as the other's.
func NewOracle(fixtures map[string]string) *Oracle {
	o := &Oracle{toRef: map[string]string{}, toTgt: map[string]string{}, chosen: map[string]bool{}, fixture: map[string]string{}, dates: map[string]*dates{}}
	for t, r := range fixtures {
		o.fixture[t] = r
	}
	return o
}

// Chose says the client chose this uuid: both servers must keep it as it is
// (docs/rules.md, Identifiers: a free uuid a create carries is kept).
func (o *Oracle) Chose(uuid string) { o.chosen[uuid] = true }

// Pair records that the target's uuid t is the reference's r (both
// assigned by their server to the same created case); it fails when either
// is already paired with another.
func (o *Oracle) Pair(t, r string) *Divergence {
	if o.chosen[r] || o.chosen[t] {
		if t != r {
			return &Divergence{"uuid", quote(t), quote(r), "a uuid the client chose comes back as it is (Identifiers)"}
		}
		return nil
	}
	if got, ok := o.toRef[t]; ok {
		if got != r {
			return &Divergence{"uuid", quote(t), quote(r), fmt.Sprintf("the target's %s stood for the reference's %s before: server-assigned uuids map one to one (Identifiers)", t, got)}
		}
		return nil
	}
	if got, ok := o.toTgt[r]; ok && got != t {
		return &Divergence{"uuid", quote(t), quote(r), fmt.Sprintf("the reference's %s stood for the target's %s before: server-assigned uuids map one to one (Identifiers)", r, got)}
	}
	o.toRef[t], o.toTgt[r] = r, t
	return nil
}

// Target is the target's uuid for the reference's, if known.
func (o *Oracle) Target(ref string) (string, bool) {
	if o.chosen[ref] {
		return ref, true
	}
	t, ok := o.toTgt[ref]
	return t, ok
}

// Own tells whether a target uuid is one of the cases the run made here.
func (o *Oracle) Own(t string) bool { _, ok := o.toRef[t]; return ok || o.chosen[t] }

// Wrote records that a write the reference accepted touched the case (by
// the target's uuid): its lastModified may now move, and must when the
// write changed it.
func (o *Oracle) Wrote(target string) {
	if d := o.dates[target]; d != nil {
		d.written = true
	}
}

// Forget drops a deleted case's dates: a case made again under the same
// uuid is another case.
func (o *Oracle) Forget(target string) { delete(o.dates, target) }

// Status compares two answers to the same request: the code, then the body
// by what the reference's answer is. A read's 200 is a resource (kind says
// which: "case", "state"); any other answer with a body is a status body.
func (o *Oracle) Status(kind string, t, r Answer) []Divergence {
	if t.Status != r.Status {
		return []Divergence{{"status", fmt.Sprint(t.Status), fmt.Sprint(r.Status), "the same request answers the same code (docs/rules.md, section 2)"}}
	}
	if r.Status == 204 {
		if t.Body != nil || t.Text != "" {
			return []Divergence{{"body", "a body", "none", "204 has no body"}}
		}
		return nil
	}
	if t.BodyErr != nil {
		return []Divergence{{"body", "unreadable: " + t.BodyErr.Error(), "readable", "an answer's body is its format's value (openapi.yaml)"}}
	}
	var out []Divergence
	if r.Status == 201 {
		out = append(out, o.location(t.Location, r.Location)...)
	}
	switch {
	case kind == "state" && r.Status == 200:
		// get-state: the state id as text/plain; a trailing newline is tolerated (set-state, get-state).
		if strings.TrimSuffix(t.Text, "\n") != strings.TrimSuffix(r.Text, "\n") {
			out = append(out, Divergence{"body", quote(t.Text), quote(r.Text), "get-state answers exactly the state id"})
		}
	case kind == "list-error" && r.Status == 200:
		// A list the reference served: its pages hold other writers' cases on the target.
	case kind == "case" && r.Status == 200:
		out = append(out, o.Case("body", t.Body, r.Body)...)
	default:
		out = append(out, o.statusBody("body", t.Body, r.Body)...)
	}
	return out
}

// location: Location may be absolute or relative (Location); both are cut
// to the path below the API base, and the uuid in it maps like any other.
func (o *Oracle) location(t, r string) []Divergence {
	if t == "" && r != "" {
		return []Divergence{{"Location", "absent", quote(r), "a 201 names the created resource in Location"}}
	}
	tp, tu := splitLast(t)
	rp, ru := splitLast(r)
	if tp != rp {
		return []Divergence{{"Location", quote(t), quote(r), "Location names the created case under the path of its format (Location)"}}
	}
	if ru != "" {
		if d := o.Pair(tu, ru); d != nil {
			d.Where = "Location"
			return []Divergence{*d}
		}
	}
	return nil
}

func splitLast(p string) (string, string) {
	i := strings.LastIndex(p, "/")
	if i < 0 {
		return "", p
	}
	u, err := url.PathUnescape(p[i+1:])
	if err != nil {
		u = p[i+1:]
	}
	return p[:i+1], u
}

// statusBody compares status bodies: code, text and message exactly;
// detail is free text (section 2); members the design does not name are
// ignored (Open objects); 300's uuids as a set, mapped; a batch's items in
// request order.
func (o *Oracle) statusBody(where string, t, r any) []Divergence {
	tm, rm := asObject(t), asObject(r)
	if rm == nil {
		if tm != nil || t != nil {
			return []Divergence{{where, show(t), show(r), "the answer has the reference's shape"}}
		}
		return nil
	}
	if tm == nil {
		return []Divergence{{where, show(t), show(r), "an answer with a body carries the status body (section 2)"}}
	}
	var out []Divergence
	for _, k := range []string{"code", "text", "message"} {
		out = append(out, scalar(where+"."+k, tm[k], rm[k], "code, text and message are the table's (section 2)")...)
	}
	out = append(out, o.uuidSet(where+".uuids", tm["uuids"], rm["uuids"])...)
	tr, rr := asList(tm["result"]), asList(rm["result"])
	if len(tr) != len(rr) {
		return append(out, Divergence{where + ".result", fmt.Sprintf("%d items", len(tr)), fmt.Sprintf("%d items", len(rr)), "a batch answers one item per case, in request order (Batch)"})
	}
	for i := range rr {
		w := fmt.Sprintf("%s.result[%d]", where, i)
		ti, ri := asObject(tr[i]), asObject(rr[i])
		if ti == nil || ri == nil {
			out = append(out, Divergence{w, show(tr[i]), show(rr[i]), "a batch item is an object (Batch)"})
			continue
		}
		for _, k := range []string{"code", "text", "message", "id"} {
			out = append(out, scalar(w+"."+k, ti[k], ri[k], "each item says what this case alone would have got (Batch)")...)
		}
		out = append(out, o.uuid(w+".uuid", ti["uuid"], ri["uuid"])...)
		out = append(out, o.uuidSet(w+".uuids", ti["uuids"], ri["uuids"])...)
	}
	return out
}

// Case compares two cases member by member: every member the design names,
// exactly, modulo what it leaves open; members it does not name are ignored
// (Open objects). The target's dates are checked against what it said
// before (What a write changes), and remembered.
func (o *Oracle) Case(where string, t, r any) []Divergence {
	tm, rm := asObject(t), asObject(r)
	if tm == nil || rm == nil {
		if tm == nil && rm == nil {
			return nil
		}
		return []Divergence{{where, show(t), show(r), "a read answers the case (openapi.yaml)"}}
	}
	var out []Divergence
	out = append(out, o.uuid(where+".uuid", tm["uuid"], rm["uuid"])...)
	out = append(out, scalar(where+".id", tm["id"], rm["id"], "an external id reads back exactly as written (Exact comparisons)")...)
	out = append(out, scalar(where+".title", tm["title"], rm["title"], "a title reads back exactly as written (What a write changes)")...)
	out = append(out, scalar(where+".priority", tm["priority"], rm["priority"], "numbers compare as values (Numbers)")...)
	out = append(out, o.fixtureRef(where+".parent.uuid", member(tm["parent"], "uuid"), member(rm["parent"], "uuid"))...)
	// A state's title is the server's display text, never asserted (section 1).
	out = append(out, scalar(where+".state.id", member(tm["state"], "id"), member(rm["state"], "id"), "state ids compare exactly (Exact comparisons)")...)
	// A case created without a comment reads back without one: absent, null or "" (What a write changes).
	tc, rc := tm["comment"], rm["comment"]
	if !(isNone(rc) || rc == "") || !(isNone(tc) || tc == "") {
		out = append(out, scalar(where+".comment", tc, rc, "a comment reads back exactly as written (What a write changes)")...)
	}
	out = append(out, phones(where+".phoneNumbers", tm["phoneNumbers"], rm["phoneNumbers"])...)
	out = append(out, instant(where+".scheduledTime", tm["scheduledTime"], rm["scheduledTime"])...)
	// The operator's login and title are the fixture's, which differ between the two servers.
	out = append(out, o.fixtureRef(where+".operator.uuid", member(tm["operator"], "uuid"), member(rm["operator"], "uuid"))...)
	tu, _ := tm["uuid"].(string)
	return append(out, o.relations(where, tu, tm, rm)...)
}

// relations: the two servers' clocks differ, so dates are not compared
// with each other; the target's must keep their relations instead (What a
// write changes): creationDate never moves, lastModified is not before it,
// a read does not move lastModified, and a write that changed the case
// moves it forward.
func (o *Oracle) relations(where, uuid string, tm, rm map[string]any) []Divergence {
	created, err1 := parseDate(tm["creationDate"])
	modified, err2 := parseDate(tm["lastModified"])
	var out []Divergence
	if err1 != nil {
		out = append(out, Divergence{where + ".creationDate", show(tm["creationDate"]), "a date", "dates are RFC 3339 with an offset (Dates)"})
	}
	if err2 != nil {
		out = append(out, Divergence{where + ".lastModified", show(tm["lastModified"]), "a date", "dates are RFC 3339 with an offset (Dates)"})
	}
	if out != nil || uuid == "" {
		return out
	}
	if modified.Before(created) {
		out = append(out, Divergence{where + ".lastModified", show(tm["lastModified"]), "not before creationDate " + show(tm["creationDate"]), "a case is not modified before it is created"})
	}
	view := withoutDates(rm)
	d := o.dates[uuid]
	if d == nil {
		o.dates[uuid] = &dates{created: created, modified: modified, view: view, text: tm["lastModified"].(string)}
		return out
	}
	if !created.Equal(d.created) {
		out = append(out, Divergence{where + ".creationDate", show(tm["creationDate"]), "the instant read before, " + d.created.Format(time.RFC3339Nano), "creationDate never moves (What a write changes)"})
	}
	switch {
	case !d.written && !modified.Equal(d.modified):
		out = append(out, Divergence{where + ".lastModified", show(tm["lastModified"]), "the instant read before, " + d.modified.Format(time.RFC3339Nano), "only a write moves lastModified; a read or a refused request does not (What a write changes)"})
	case d.written && view != d.view && !modified.After(d.modified):
		out = append(out, Divergence{where + ".lastModified", show(tm["lastModified"]), "after " + d.modified.Format(time.RFC3339Nano), "a write that changed the case moves lastModified forward (What a write changes)"})
	case d.written && modified.Before(d.modified):
		out = append(out, Divergence{where + ".lastModified", show(tm["lastModified"]), "not before " + d.modified.Format(time.RFC3339Nano), "lastModified never moves back (What a write changes)"})
	}
	*d = dates{created: d.created, modified: modified, view: view, text: tm["lastModified"].(string)}
	return out
}

// withoutDates is the reference's case without the members whose values
// are the server's clock, to tell whether a write changed the case.
func withoutDates(m map[string]any) string {
	c := map[string]any{}
	for k, v := range m {
		if k != "creationDate" && k != "lastModified" {
			c[k] = v
		}
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// Modified is the target's last known lastModified of a case (list bounds
// are drawn from each server's own dates).
func (o *Oracle) Modified(target string) (time.Time, bool) {
	if d := o.dates[target]; d != nil {
		return d.modified, true
	}
	return time.Time{}, false
}

// modifiedText is the target's lastModified of a case as it wrote it, when
// no write touched the case since it was read.
func (o *Oracle) modifiedText(target string) (string, bool) {
	if d := o.dates[target]; d != nil && !d.written {
		return d.text, true
	}
	return "", false
}

// uuid compares a uuid member: equal when the client chose it, else
// mapped one to one; null and absent are the same (section 2b).
func (o *Oracle) uuid(where string, t, r any) []Divergence {
	if isNone(r) || isNone(t) {
		if isNone(r) != isNone(t) {
			return []Divergence{{where, show(t), show(r), "a uuid is given where the reference gives one, null where it is null (Batch)"}}
		}
		return nil
	}
	ts, ok1 := t.(string)
	rs, ok2 := r.(string)
	if !ok1 || !ok2 {
		return []Divergence{{where, show(t), show(r), "a uuid is a string"}}
	}
	if d := o.Pair(ts, rs); d != nil {
		d.Where = where
		return []Divergence{*d}
	}
	return nil
}

// uuidSet compares uuids as a set (300's uuids: their order is not named).
func (o *Oracle) uuidSet(where string, t, r any) []Divergence {
	tl, rl := asList(t), asList(r)
	if len(tl) != len(rl) {
		return []Divergence{{where, show(t), show(r), "300 lists the uuid of every case found, exactly (section 2)"}}
	}
	var want []string
	for _, v := range rl {
		s, _ := v.(string)
		if tu, ok := o.Target(s); ok {
			s = tu
		}
		want = append(want, s)
	}
	var got []string
	for _, v := range tl {
		s, _ := v.(string)
		got = append(got, s)
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		return []Divergence{{where, show(t), show(r), "300 lists the uuid of every case found, exactly (section 2)"}}
	}
	return nil
}

// fixtureRef compares a reference to a fixture (the parent project, the
// case's operator): the target's fixture stands for the reference's.
func (o *Oracle) fixtureRef(where string, t, r any) []Divergence {
	if isNone(t) && isNone(r) {
		return nil
	}
	ts, _ := t.(string)
	rs, _ := r.(string)
	if m, ok := o.fixture[ts]; ok && m == rs {
		return nil
	}
	if ts == rs && ts != "" {
		return nil
	}
	return []Divergence{{where, show(t), show(r), "the case names the fixture the reference's names (fixtures mapped)"}}
}

// phones compares phone lists as multisets: their order is not named. No
// phone list, null, an empty object and an empty list are all none (2b: an
// empty element of an object type is an object with no members).
func phones(where string, t, r any) []Divergence {
	key := func(v any) []string {
		var out []string
		for _, p := range asList(member(v, "phoneNumber")) {
			out = append(out, fmt.Sprintf("%v|%v", member(p, "value"), member(p, "phoneNumberType")))
		}
		sort.Strings(out)
		return out
	}
	if tk, rk := key(t), key(r); !slices.Equal(tk, rk) {
		return []Divergence{{where, show(t), show(r), "phone numbers read back as written; an update carrying them replaces the list (What a write changes)"}}
	}
	return nil
}

// instant compares dates both servers were given the same value of
// (scheduledTime): as instants, never as strings (Dates).
func instant(where string, t, r any) []Divergence {
	if isNone(t) && isNone(r) {
		return nil
	}
	tt, err1 := parseDate(t)
	rt, err2 := parseDate(r)
	if err1 != nil || err2 != nil || !tt.Equal(rt) {
		return []Divergence{{where, show(t), show(r), "dates compare as instants (Dates)"}}
	}
	return nil
}

func parseDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("not a string")
	}
	return time.Parse(time.RFC3339Nano, strings.ToUpper(s))
}

// scalar compares two values the design names: strings exactly, numbers as
// values (1.0 is 1: Numbers), null and absent alike (section 2b).
func scalar(where string, t, r any, rule string) []Divergence {
	if isNone(t) && isNone(r) {
		return nil
	}
	if tn, ok := number(t); ok {
		if rn, ok := number(r); ok && tn.Cmp(rn) == 0 {
			return nil
		}
	} else if t == r {
		return nil
	}
	return []Divergence{{where, show(t), show(r), rule}}
}

func number(v any) (*big.Float, bool) {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = string(n)
	case float64:
		return big.NewFloat(n), true
	case int:
		return big.NewFloat(float64(n)), true
	default:
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 10, 128, big.ToNearestEven)
	return f, err == nil
}

func isNone(v any) bool { return v == nil }

func asObject(v any) map[string]any { m, _ := v.(map[string]any); return m }

func asList(v any) []any { l, _ := v.([]any); return l }

func member(v any, k string) any {
	if m := asObject(v); m != nil {
		return m[k]
	}
	return nil
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// show prints a value as JSON, whole: the report redacts, then cuts it.
func show(v any) string {
	if v == nil {
		return "absent"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
