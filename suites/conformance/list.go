package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// window is a modifiedAfter/modifiedBefore filter around the given cases'
// lastModified, taken from the target's own clock (never the suite's), one
// unit of the precision the target writes them in wider on each side (a
// second for a date without a fraction, a millisecond for three digits).
// Wider would let in every case other writers of the project make or change
// while the window's end is still ahead of the target's clock, and remove
// again while a spec pages through it: the window would hardly ever hold
// still. The given cases must be the earliest and the latest modified.
// Narrow, the window holds no case of the run's other specs on a target that
// writes dates finer than seconds, and the specs that count in it run beside
// them; on one that writes whole seconds they run alone
// (catalogue.SharesWindow).
func window(ctx SpecContext, a api, uuids ...string) url.Values {
	GinkgoHelper()
	var first, last time.Time
	margin := time.Second
	for i, c := range cases(a).readAll(ctx, uuids...) {
		written := c.LastModified
		margin = min(margin, precision(written))
		t := instant(written)
		if i == 0 || t.Before(first) {
			first = t
		}
		if i == 0 || t.After(last) {
			last = t
		}
	}
	return url.Values{
		"project":        {env.Config.Project},
		"modifiedAfter":  {first.Add(-margin).Format(time.RFC3339Nano)},
		"modifiedBefore": {last.Add(margin).Format(time.RFC3339Nano)},
	}
}

// precision is the unit of the last digit of an RFC 3339 date as written:
// the date is that instant to within less than one unit, whether the
// target cut or rounded it. A target that drops trailing zeros writes fewer
// digits than it keeps, which only makes the unit coarser.
func precision(date string) time.Duration {
	_, fraction, ok := strings.Cut(date, ".")
	if !ok {
		return time.Second
	}
	unit := time.Second
	for _, r := range fraction {
		if r < '0' || r > '9' || unit == time.Nanosecond {
			break
		}
		unit /= 10
	}
	return unit
}

// expectInWindow holds every listed case to the filter it was listed with:
// lastModified strictly between modifiedAfter and modifiedBefore, as instants.
func expectInWindow(cases []CallCase, q url.Values) {
	GinkgoHelper()
	after, before := instant(q.Get("modifiedAfter")), instant(q.Get("modifiedBefore"))
	for _, c := range cases {
		t := instant(c.LastModified)
		Expect(t.After(after) && t.Before(before)).To(BeTrue(), "case %s modified %s is listed with modifiedAfter=%s and modifiedBefore=%s", c.UUID, c.LastModified, q.Get("modifiedAfter"), q.Get("modifiedBefore"))
	}
}

func listPage(ctx SpecContext, a api, q url.Values, page int) *client.Exchange {
	return env.API.Do(ctx, pageRequest(a, q, page))
}

func pageRequest(a api, q url.Values, page int) client.Request {
	q = cloneValues(q)
	q.Set("page", strconv.Itoa(page))
	return client.Request{Method: http.MethodGet, Path: a.cases(), Query: q, Purpose: fmt.Sprintf("list page %d", page)}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func decodeList(x *client.Exchange) caseList {
	GinkgoHelper()
	var l caseList
	decodeAs(x, &l, "a list of cases")
	return l
}

func containsAll(list, want []string) bool {
	return !slices.ContainsFunc(want, func(s string) bool { return !slices.Contains(list, s) })
}

func uuidsOf(cases []CallCase) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.UUID
	}
	return out
}

// The specs that count the main project's cases in a window of time
// (shares: window) take turns on it, in one container (turns), which holds
// the run's lease from its first spec to its last and starts early.
var _ = turns(catalogue.SharesWindow, "list windows", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			// On a quiet project the window holds exactly the spec's cases; on a
			// shared staging another writer's cases may fall in it too, so the
			// spec holds the list to its filter and to its own count, never to
			// a number it cannot know.
			condition("S200-list", format, func(ctx SpecContext) {
				made := cases(a).createAll(ctx, nil, nil)
				q := window(ctx, a, made...)
				x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), Query: q})
				Expect(x).To(BeRead())
				l := decodeList(x)
				Expect(l.Page).To(Equal(1), "the first page says page 1"+Shown(x))
				expectInWindow(l.CallCase, q)
				// Another run's cases may fill the window beyond page 1: read on until both are found.
				listed := uuidsOf(l.CallCase)
				for page := 2; page <= min((l.Count+99)/100, 20) && !containsAll(listed, made); page++ {
					x := listPage(ctx, a, q, page)
					Expect(x).To(AnswerOneOf(BeRead(), HaveResult(http.StatusNoContent)))
					if x.Status == http.StatusNoContent {
						break // another writer removed cases meanwhile: the window ends sooner
					}
					more := decodeList(x).CallCase
					expectInWindow(more, q)
					listed = append(listed, uuidsOf(more)...)
				}
				Expect(listed).To(ContainElements(made), "both cases are listed")
				if l.Count <= 100 {
					Expect(l.Count).To(Equal(len(l.CallCase)), "count is the number of matching cases (2 on a quiet project)")
				}
			})

			condition("S204-past-end", format, func(ctx SpecContext) {
				const made = 150 // two pages on a quiet project: 100 and 50, then 204 on page 3
				// Another run's 150 cases in the window, made or removed while this
				// one pages, would change its total at every reading: the lease
				// (the spec's turn on the window, taken before its body) keeps
				// two runs' S204-past-end apart, released after the cases are removed.
				mine := newCases(ctx, a, made)
				// A batch applies its items in order (docs/rules.md, batches):
				// the first and the last are the earliest and the latest modified.
				q := window(ctx, a, mine[0], mine[made-1])

				// On a shared staging another run may add or remove cases in the
				// window while the spec pages through it; the total then changes
				// between pages. Up to the last reading, that is a reason to read
				// again, not a verdict; the last reading asserts everything.
				const readings = 3
				pageThrough := func(last bool) bool {
					first := listPage(ctx, a, q, 1)
					Expect(first).To(BeRead())
					count := decodeList(first).Count
					Expect(count).To(BeNumerically(">=", made), "count on page 1 is the total over all pages")
					pages := (count + 99) / 100
					Expect(pages).To(BeNumerically("<=", 20), "the window holds %d cases: too busy a project to page through", count)

					// Page 1 read above; the others, and the one past the end, at once.
					rest := make([]client.Request, 0, pages)
					for page := 2; page <= pages+1; page++ {
						rest = append(rest, pageRequest(a, q, page))
					}
					later := doAll(ctx, env.API, rest...)
					var listed []string
					for page := 1; page <= pages; page++ {
						x := first
						if page > 1 {
							x = later[page-2]
						}
						Expect(x).To(BeRead())
						l := decodeList(x)
						if !last && l.Count != count {
							return false
						}
						Expect(l.Page).To(Equal(page), "page %d says its number%s", page, Shown(x))
						Expect(l.Count).To(Equal(count), "count on page %d is the total over all pages%s", page, Shown(x))
						Expect(l.CallCase).To(HaveLen(min(100, count-100*(page-1))), "page %d of %d cases holds %d", page, count, min(100, count-100*(page-1)))
						expectInWindow(l.CallCase, q)
						listed = append(listed, uuidsOf(l.CallCase)...)
					}
					Expect(listed).To(HaveLen(count), "the pages hold count (%d) cases in all", count)
					Expect(listed).To(ContainElements(mine), "the pages hold every case made")
					Expect(slices.Compact(slices.Sorted(slices.Values(listed)))).To(HaveLen(count), "no case is listed twice")

					past := later[pages-1]
					if !last && past.Status == http.StatusOK && decodeList(past).Count != count {
						return false
					}
					Expect(past).To(HaveResult(http.StatusNoContent))
					return true
				}
				for reading := 1; !pageThrough(reading == readings); reading++ {
					fmt.Fprintf(GinkgoWriter, "the window's total changed between pages (another writer of the project); reading it again (%d of %d)\n", reading+1, readings)
				}
			})
		})
	}
})

var _ = Describe("case lists", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S204-empty-list", format, func(ctx SpecContext) {
				x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), Query: url.Values{
					"project": {env.Config.Project}, "modifiedBefore": {"2000-01-01T00:00:00Z"},
				}})
				Expect(x).To(HaveResult(http.StatusNoContent))
			})

			DescribeTable("bad page",
				func(ctx SpecContext, page string) {
					attempts(ctx, func(ctx SpecContext) {
						x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), OffContract: true,
							Query: url.Values{"project": {env.Config.Project}, "page": {page}}})
						Expect(x).To(HaveResult(http.StatusBadRequest))
					})
				},
				row("E400-page-zero", format, "0"),
				row("E400-page-abc", format, "abc"),
			)

			// A parameter given with an empty value is malformed, never taken as absent.
			condition("E400-empty-parameter", format, func(ctx SpecContext) {
				for _, name := range []string{"state", "operator", "modifiedAfter", "modifiedBefore", "page"} {
					x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), OffContract: true,
						Query: url.Values{"project": {env.Config.Project}, name: {""}}, Purpose: "a list with " + name + " given empty"})
					Expect(x).To(HaveResult(http.StatusBadRequest), "a list's %s given with an empty value is malformed", name)
				}
			})
		})
	}
})
