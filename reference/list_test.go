package reference

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"
)

func listTarget(query url.Values) string { return api("/callcases/?" + query.Encode()) }

func TestListTwoCases(t *testing.T) { // S200-list
	h := start(t)
	a := h.create(map[string]any{"title": "a"})
	b := h.create(map[string]any{"title": "b"})
	h.createIn(h.fx.AutoProject, map[string]any{"title": "elsewhere"})
	l := h.do("GET", listTarget(url.Values{"project": {h.fx.Project}})).is(200).list()
	if l.Page != 1 || l.Count != 2 || len(l.CallCase) != 2 || l.CallCase[0].UUID != a || l.CallCase[1].UUID != b {
		t.Errorf("list %+v, want page 1 with %s and %s", l, a, b)
	}
}

func TestListEmpty(t *testing.T) { // S204-empty-list
	h := start(t)
	h.do("GET", listTarget(url.Values{"project": {h.fx.Project}})).is(204)
	h.create(map[string]any{"title": "t"})
	h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "state": {"finished"}})).is(204)
	h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "operator": {h.fx.Operator}})).is(204)
}

func TestListPages(t *testing.T) { // S204-past-end
	h := start(t)
	items := make([]map[string]any, 150)
	for i := range items {
		items[i] = map[string]any{"id": fmt.Sprintf("page-%03d", i), "title": "t"}
	}
	h.do("POST", api("/projects/"+h.fx.Project+"/callcases-batch/"), withJSON(map[string]any{"callcase": items})).is(200)
	var seen []string
	for page, want := range map[int]int{1: 100, 2: 50} {
		l := h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "page": {fmt.Sprint(page)}})).is(200).list()
		if l.Page != page || l.Count != 150 || len(l.CallCase) != want {
			t.Errorf("page %d: page %d count %d items %d, want %d items of 150", page, l.Page, l.Count, len(l.CallCase), want)
		}
		for _, c := range l.CallCase {
			seen = append(seen, *c.ID)
		}
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 150 {
		t.Errorf("pages 1 and 2 hold %d distinct cases, want 150", len(seen))
	}
	h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "page": {"3"}})).is(204)
	h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "page": {"9223372036854775807"}})).is(204)
	// the order is stable: page 2 twice gives the same cases
	first := h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "page": {"2"}})).is(200).list()
	second := h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "page": {"2"}})).is(200).list()
	if first.CallCase[0].UUID != second.CallCase[0].UUID || first.CallCase[49].UUID != second.CallCase[49].UUID {
		t.Error("page 2 changed between two reads")
	}
}

func TestListFilters(t *testing.T) {
	h := start(t)
	a := h.create(map[string]any{"title": "a"})
	b := h.create(map[string]any{"title": "b"})
	c := h.create(map[string]any{"title": "c"})
	h.do("POST", api("/callcases/"+b+"/set-state"), withForm(url.Values{"state": {"refused"}, "operator": {h.fx.Operator}})).is(200)
	bCase := h.getCase(b)
	cCase := h.getCase(c)

	uuids := func(query url.Values) []string {
		t.Helper()
		query.Set("project", h.fx.Project)
		e := h.do("GET", listTarget(query))
		if e.status == 204 {
			return nil
		}
		var out []string
		for _, c := range e.is(200).list().CallCase {
			out = append(out, c.UUID)
		}
		return out
	}
	check := func(name string, query url.Values, want ...string) {
		t.Helper()
		if got := uuids(query); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("state", url.Values{"state": {"refused"}}, b)
	check("state new", url.Values{"state": {"new"}}, a, c)
	check("operator", url.Values{"operator": {h.fx.Operator}}, b)
	check("no filter", url.Values{}, a, b, c)

	// bounds are strict, compared as instants whatever the offset
	modB, _ := time.Parse(time.RFC3339, bCase.LastModified)
	modC, _ := time.Parse(time.RFC3339, cCase.LastModified)
	check("after b, exclusive", url.Values{"modifiedAfter": {bCase.LastModified}})
	check("after c", url.Values{"modifiedAfter": {cCase.LastModified}}, b)
	check("before c, exclusive, in UTC", url.Values{"modifiedBefore": {modC.UTC().Format(time.RFC3339Nano)}}, a)
	check("between", url.Values{"modifiedAfter": {modC.Add(-time.Millisecond).Format(time.RFC3339Nano)}, "modifiedBefore": {modB.Format(time.RFC3339Nano)}}, c)
	naive := modC.Add(-time.Hour).In(h.s.opts.Location).Format("2006-01-02T15:04:05")
	check("naive date in the server zone", url.Values{"modifiedAfter": {naive}}, a, b, c)
	check("naive date an hour ahead", url.Values{"modifiedAfter": {modB.Add(time.Hour).In(h.s.opts.Location).Format("2006-01-02T15:04:05")}})
}

func TestListBadRequests(t *testing.T) { // E400 no project, unknown state, bad date, page 0 or abc
	h := start(t)
	h.create(map[string]any{"title": "t"})
	for name, query := range map[string]string{
		"no project":         ``,
		"empty project":      `project=`,
		"unknown state":      `project=P&state=sleeping`,
		"page 0":             `project=P&page=0`,
		"empty page":         `project=P&page=`,
		"empty state":        `project=P&state=`,
		"empty operator":     `project=P&operator=`,
		"empty date":         `project=P&modifiedAfter=`,
		"page abc":           `project=P&page=abc`,
		"page negative":      `project=P&page=-1`,
		"page fraction":      `project=P&page=1.5`,
		"page zero fraction": `project=P&page=2.0`,
		"page with a sign":   `project=P&page=%2B1`,
		"page with a space":  `project=P&page=+1`,
		"page exponent":      `project=P&page=1e0`,
		"after year 0000":    `project=P&modifiedAfter=0000-01-01T00:00:00Z`,
		"after year 10000":   `project=P&modifiedAfter=10000-01-01T00:00:00Z`,
		"after no seconds":   `project=P&modifiedAfter=2016-10-18T09:58Z`,
		"page overflow":      `project=P&page=99999999999999999999`,
		"bad after":          `project=P&modifiedAfter=yesterday`,
		"bad before":         `project=P&modifiedBefore=2016-10-18`,
		"space for plus":     `project=P&modifiedBefore=2016-10-18T09:58:24+03:00`,
		"operator shape":     `project=P&operator=Not-A-Uuid`,
		"malformed query":    `project=P&%zz`,
		"400 before 404":     `project=nosuchproject&state=sleeping`,
		"semicolon in it":    `project=P;state=new`,
		"only other names":   `projects=P`,
	} {
		t.Run(name, func(t *testing.T) {
			q := []byte(query)
			target := api("/callcases/?" + string(replaceP(q, h.fx.Project)))
			h.on(t).do("GET", target).is(400).statusBody()
		})
	}
}

func replaceP(q []byte, project string) []byte {
	var out []byte
	for i := 0; i < len(q); i++ {
		if q[i] == 'P' && i > 0 && q[i-1] == '=' {
			out = append(out, project...)
			continue
		}
		out = append(out, q[i])
	}
	return out
}

func TestListNotFound(t *testing.T) { // E404 unknown project param, unknown operator
	h := start(t)
	h.do("GET", listTarget(url.Values{"project": {"nosuchproject"}})).is(404).statusBody()
	h.do("GET", listTarget(url.Values{"project": {h.fx.Project}, "operator": {"nosuchoperator"}})).is(404).statusBody()
}
