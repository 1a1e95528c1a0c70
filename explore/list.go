package explore

import (
	"fmt"
	"slices"
	"sort"
)

// List compares a list walked page by page on both servers, on the run's
// own cases only: the target's main project may hold anyone's cases (a
// shared staging, the run's other specs), the fresh reference only the
// sequence's. So the target's own cases must be exactly the reference's,
// each equivalent; its count at least the reference's; its pages disjoint,
// each saying its own number (Lists: item order is not named, pages are
// stable). tied tells a target case whose lastModified equals the list's
// bound: left out, the two clocks may tie where the other's does not.
func (o *Oracle) List(t, r []Answer, tied func(uuid string) bool) []Divergence {
	if len(t) == 0 || len(r) == 0 {
		return nil
	}
	if r[0].Status != 200 && r[0].Status != 204 {
		return o.Status("list", t[0], r[0])
	}
	var out []Divergence
	seen := map[string]int{}
	own := map[string]map[string]any{}
	count := 0
	// Others' cases on a page say the run is not the project's only
	// writer: then a list longer than its first page may shift between its
	// requests (a case written or deleted elsewhere moves the page
	// boundary, or ends the list early), so an own case missed, or seen
	// twice across pages, is no divergence (Lists: the order is stable
	// across pages while the cases are).
	foreign, firstItems := false, 0
	shared := func(page int) bool { return foreign && page > 0 }
	for i, p := range t {
		where := fmt.Sprintf("list page %d", i+1)
		if p.Status == 204 {
			if p.Body != nil || p.Text != "" {
				out = append(out, Divergence{where, "a body", "none", "204 has no body"})
			}
			break
		}
		if p.Status != 200 {
			return append(out, Divergence{where + " status", fmt.Sprint(p.Status), "200 or 204", "a list answers 200 with its page, 204 past the end (Lists)"})
		}
		if p.BodyErr != nil {
			return append(out, Divergence{where, "unreadable: " + p.BodyErr.Error(), "a list", "a list is its format's value"})
		}
		out = append(out, scalar(where+".page", member(p.Body, "page"), i+1, "a page says its own number")...)
		if i == 0 {
			n, _ := number(member(p.Body, "count"))
			if n != nil {
				c, _ := n.Int64()
				count = int(c)
			}
		}
		if i == 0 {
			firstItems = len(asList(member(p.Body, "callcase")))
		}
		for _, item := range asList(member(p.Body, "callcase")) {
			u, _ := member(item, "uuid").(string)
			if prev, dup := seen[u]; dup && u != "" && !shared(i) {
				out = append(out, Divergence{where, "case " + u + " again", fmt.Sprintf("once, on page %d", prev), "pages are disjoint (Lists)"})
			}
			seen[u] = i + 1
			if !o.Own(u) {
				foreign = true
			}
			if o.Own(u) && (tied == nil || !tied(u)) {
				own[u], _ = item.(map[string]any)
			}
		}
	}
	want := map[string]map[string]any{}
	refCount := 0
	for i, p := range r {
		if p.Status != 200 {
			break
		}
		if i == 0 {
			n, _ := number(member(p.Body, "count"))
			if n != nil {
				c, _ := n.Int64()
				refCount = int(c)
			}
		}
		for _, item := range asList(member(p.Body, "callcase")) {
			ru, _ := member(item, "uuid").(string)
			tu, ok := o.Target(ru)
			if !ok {
				tu = "(the reference's " + ru + ")"
			}
			if tied != nil && tied(tu) {
				continue
			}
			want[tu], _ = item.(map[string]any)
		}
	}
	if count < refCount && tied == nil { // at a bound, the two clocks may tie differently
		out = append(out, Divergence{"list count", fmt.Sprint(count), fmt.Sprintf("at least %d", refCount), "count is every matching case over all pages, the run's own among them (Lists)"})
	}
	var missing, extra []string
	for u := range want {
		if _, ok := own[u]; !ok {
			missing = append(missing, u)
		}
	}
	for u := range own {
		if _, ok := want[u]; !ok {
			extra = append(extra, u)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 && !(foreign && count > firstItems) {
		out = append(out, Divergence{"list: own cases", fmt.Sprintf("without %v", missing), "with them", "a list holds every case its filter matches, on some page (Lists)"})
	}
	if len(extra) > 0 {
		out = append(out, Divergence{"list: own cases", fmt.Sprintf("with %v", extra), "without them", "a list holds only the cases its filter matches (Lists)"})
	}
	keys := make([]string, 0, len(own))
	for u := range own {
		keys = append(keys, u)
	}
	slices.Sort(keys)
	for _, u := range keys {
		if w, ok := want[u]; ok {
			out = append(out, o.Case("list item "+u, own[u], w)...)
		}
	}
	return out
}
