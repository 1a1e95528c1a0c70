package conformance_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// window is a modifiedAfter/modifiedBefore filter around the given cases'
// lastModified, taken from the target's own clock (never the suite's), with
// a margin so that second-precision targets match too. The specs that use it
// are Serial: no other spec of the run modifies cases meanwhile.
func window(ctx SpecContext, a api, uuids ...string) url.Values {
	GinkgoHelper()
	var first, last time.Time
	for i, uuid := range uuids {
		t := instant(readCase(ctx, a, uuid).LastModified)
		if i == 0 || t.Before(first) {
			first = t
		}
		if i == 0 || t.After(last) {
			last = t
		}
	}
	const margin = 2 * time.Second
	return url.Values{
		"project":        {env.Config.Project},
		"modifiedAfter":  {first.Add(-margin).Format(time.RFC3339Nano)},
		"modifiedBefore": {last.Add(margin).Format(time.RFC3339Nano)},
	}
}

func listPage(ctx SpecContext, a api, q url.Values, page int) *client.Exchange {
	q = cloneValues(q)
	q.Set("page", strconv.Itoa(page))
	return env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), Query: q, Purpose: fmt.Sprintf("list page %d", page)})
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
	Expect(x.Decode(&l)).To(Succeed())
	return l
}

func uuidsOf(cases []CallCase) []string {
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.UUID
	}
	return out
}

var _ = Describe("case lists", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S200-list", format, func(ctx SpecContext) {
				made := []string{newCase(ctx, a, nil), newCase(ctx, a, nil)}
				x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), Query: window(ctx, a, made...)})
				Expect(x).To(BeRead())
				l := decodeList(x)
				Expect(l.Count).To(Equal(2), "count is the number of matching cases")
				Expect(l.Page).To(Equal(1))
				Expect(uuidsOf(l.CallCase)).To(ConsistOf(made))
			})

			condition("S204-empty-list", format, func(ctx SpecContext) {
				x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), Query: url.Values{
					"project": {env.Config.Project}, "modifiedBefore": {"2000-01-01T00:00:00Z"},
				}})
				Expect(x).To(HaveResult(http.StatusNoContent))
			})

			condition("S204-past-end", format, func(ctx SpecContext) {
				const total = 150 // two pages: 100 and 50
				made := newCases(ctx, a, total)
				q := window(ctx, a, made[0], made[total-1])

				one := listPage(ctx, a, q, 1)
				Expect(one).To(BeRead())
				page1 := decodeList(one)
				two := listPage(ctx, a, q, 2)
				Expect(two).To(BeRead())
				page2 := decodeList(two)
				Expect(page1.Count).To(Equal(total), "count on page 1 is the total over all pages")
				Expect(page2.Count).To(Equal(total), "count on page 2 is the total over all pages")
				Expect(page1.CallCase).To(HaveLen(100), "a page holds 100 cases")
				Expect(page2.Page).To(Equal(2))
				Expect(page2.CallCase).To(HaveLen(total - 100))
				Expect(append(uuidsOf(page1.CallCase), uuidsOf(page2.CallCase)...)).To(ConsistOf(made), "the pages hold every matching case once")

				Expect(listPage(ctx, a, q, 3)).To(HaveResult(http.StatusNoContent))
			})

			DescribeTable("bad page",
				func(ctx SpecContext, page string) {
					x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.cases(), OffContract: true,
						Query: url.Values{"project": {env.Config.Project}, "page": {page}}})
					Expect(x).To(HaveResult(http.StatusBadRequest))
				},
				row("E400-page-zero", format, "0"),
				row("E400-page-abc", format, "abc"),
			)
		})
	}
})

// newCases makes n cases in the main project with one batch request (a
// spec that needs many cases does not pay n round trips) and returns their
// uuids; they are deleted with one batch request when the spec ends.
func newCases(ctx SpecContext, a api, n int) []string {
	GinkgoHelper()
	uuids := make([]string, n)
	items := make([]map[string]any, n)
	for i := range items {
		uuids[i] = newUUID()
		items[i] = map[string]any{"uuid": uuids[i], "id": newExternalID(), "title": newTitle("one of many")}
	}
	deleteManyLater(a, uuids)
	x := env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.batch(env.Config.Project), JSON: map[string]any{"callcase": items}, Purpose: fmt.Sprintf("create %d cases", n)})
	setup(x, HaveResult(http.StatusOK), fmt.Sprintf("create %d cases in a batch", n))
	sb, err := x.StatusBody()
	Expect(err).NotTo(HaveOccurred())
	for i, item := range sb.Result {
		if item.Code != http.StatusCreated {
			Fail(fmt.Sprintf("run error: setup could not create %d cases: item %d answered %d", n, i, item.Code))
		}
	}
	return uuids
}

// deleteManyLater removes cases with batch deletes of at most 1000 uuids.
func deleteManyLater(a api, uuids []string) {
	DeferCleanup(func(ctx SpecContext) {
		for start := 0; start < len(uuids); start += 1000 {
			chunk := uuids[start:min(start+1000, len(uuids))]
			x := env.API.Do(ctx, client.Request{Method: http.MethodDelete, Path: a.batch(env.Config.Project), JSON: map[string]any{"uuid": chunk}, Purpose: "clean up"})
			if x.Err != nil || x.Status != http.StatusOK {
				for _, uuid := range chunk {
					deleteNow(ctx, a, uuid)
				}
			}
		}
	})
}
