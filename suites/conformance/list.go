package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

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
				q := lists(a).window(ctx, made...)
				l := lists(a).read(ctx, q)
				Expect(l.Page).To(Equal(1), "the first page says page 1"+Shown(l.X))
				lists(a).expectInWindow(l.CallCase, q)
				// Another run's cases may fill the window beyond page 1: read on until both are found.
				listed := uuidsOf(l.CallCase)
				for page := 2; page <= min((l.Count+99)/100, 20) && !containsAll(listed, made); page++ {
					more, found := lists(a).ofOrEmpty(env.API.Do(ctx, lists(a).page(q, page)))
					if !found {
						break // another writer removed cases meanwhile: the window ends sooner
					}
					lists(a).expectInWindow(more.CallCase, q)
					listed = append(listed, uuidsOf(more.CallCase)...)
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
				mine := batches(a).create(ctx, made)
				// A batch applies its items in order (docs/rules.md, batches):
				// the first and the last are the earliest and the latest modified.
				q := lists(a).window(ctx, mine[0], mine[made-1])

				// On a shared staging another run may add or remove cases in the
				// window while the spec pages through it; the total then changes
				// between pages. Up to the last reading, that is a reason to read
				// again, not a verdict; the last reading asserts everything.
				const readings = 3
				pageThrough := func(last bool) bool {
					first := lists(a).of(env.API.Do(ctx, lists(a).page(q, 1)))
					count := first.Count
					Expect(count).To(BeNumerically(">=", made), "count on page 1 is the total over all pages")
					pages := (count + 99) / 100
					Expect(pages).To(BeNumerically("<=", 20), "the window holds %d cases: too busy a project to page through", count)

					// Page 1 read above; the others, and the one past the end, at once.
					rest := make([]client.Request, 0, pages)
					for page := 2; page <= pages+1; page++ {
						rest = append(rest, lists(a).page(q, page))
					}
					later := doAll(ctx, env.API, rest...)
					var listed []string
					for page := 1; page <= pages; page++ {
						l := first
						if page > 1 {
							l = lists(a).of(later[page-2])
						}
						if !last && l.Count != count {
							return false
						}
						Expect(l.Page).To(Equal(page), "page %d says its number%s", page, Shown(l.X))
						Expect(l.Count).To(Equal(count), "count on page %d is the total over all pages%s", page, Shown(l.X))
						Expect(l.CallCase).To(HaveLen(min(100, count-100*(page-1))), "page %d of %d cases holds %d", page, count, min(100, count-100*(page-1)))
						lists(a).expectInWindow(l.CallCase, q)
						listed = append(listed, uuidsOf(l.CallCase)...)
					}
					Expect(listed).To(HaveLen(count), "the pages hold count (%d) cases in all", count)
					Expect(listed).To(ContainElements(mine), "the pages hold every case made")
					Expect(slices.Compact(slices.Sorted(slices.Values(listed)))).To(HaveLen(count), "no case is listed twice")

					past := later[pages-1]
					if !last && past.Status == http.StatusOK && lists(a).decode(past).Count != count {
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
				x := env.API.Do(ctx, lists(a).get(url.Values{"project": {env.Config.Project}, "modifiedBefore": {"2000-01-01T00:00:00Z"}}))
				Expect(x).To(HaveResult(http.StatusNoContent))
			})

			DescribeTable("bad page",
				func(ctx SpecContext, page string) {
					attempts(ctx, func(ctx SpecContext) {
						r := lists(a).get(url.Values{"project": {env.Config.Project}, "page": {page}})
						r.OffContract = true
						Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest))
					})
				},
				row("E400-page-zero", format, "0"),
				row("E400-page-abc", format, "abc"),
			)

			// A parameter given with an empty value is malformed, never taken as absent.
			condition("E400-empty-parameter", format, func(ctx SpecContext) {
				for _, name := range []string{"state", "operator", "modifiedAfter", "modifiedBefore", "page"} {
					r := lists(a).get(url.Values{"project": {env.Config.Project}, name: {""}})
					r.OffContract, r.Purpose = true, "a list with "+name+" given empty"
					Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest), "a list's %s given with an empty value is malformed", name)
				}
			})
		})
	}
})
