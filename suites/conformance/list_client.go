package conformance

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

// listsClient is the lists of cases, in one format: GET /callcases/ with a
// query (a project and filters), a page at a time. A page's request comes
// from get (the query as it is) or page (the query on a page), for a spec
// that sends it alone or among others (doAll); of judges a page that must
// hold cases, ofOrEmpty one that may answer 204 (nothing matches, or the
// page is past the end).
type listsClient struct{ a api }

// lists is the client of the lists of cases in a's format.
func lists(a api) listsClient { return listsClient{a} }

// listRead is a page of a list as read: the page, and the exchange that
// read it, for failure messages.
type listRead struct {
	caseList
	X *client.Exchange
}

// get is the list q asks for, the page q names (the first when it names
// none).
func (l listsClient) get(q url.Values) client.Request {
	return client.Request{Method: http.MethodGet, Path: l.a.cases(), Query: q}
}

// page is page n of the list q asks for. q itself is left as it was (the
// page's query shares no slice with it): a spec builds every page of one
// filter from it, several at once.
func (l listsClient) page(q url.Values, n int) client.Request {
	query := url.Values{}
	for k, vs := range q {
		query[k] = append([]string(nil), vs...)
	}
	query.Set("page", strconv.Itoa(n))
	return client.Request{Method: http.MethodGet, Path: l.a.cases(), Query: query, Purpose: fmt.Sprintf("list page %d", n)}
}

// read reads the list q asks for; the page must hold cases.
func (l listsClient) read(ctx SpecContext, q url.Values) listRead {
	GinkgoHelper()
	return l.of(env.API.Do(ctx, l.get(q)))
}

// of holds the answer to a page that must hold cases, and decodes it.
func (l listsClient) of(x *client.Exchange) listRead {
	GinkgoHelper()
	Expect(x).To(BeRead())
	return listRead{l.decode(x), x}
}

// ofOrEmpty holds the answer to a page that may hold nothing (204), and
// decodes it; found is false on a 204.
func (l listsClient) ofOrEmpty(x *client.Exchange) (page listRead, found bool) {
	GinkgoHelper()
	Expect(x).To(AnswerOneOf(BeRead(), HaveResult(http.StatusNoContent)))
	if x.Status == http.StatusNoContent {
		return listRead{X: x}, false
	}
	return listRead{l.decode(x), x}, true
}

// decode decodes a page whose answer the caller judges itself: one whose
// count tells whether to read again before a verdict is given on it.
func (listsClient) decode(x *client.Exchange) caseList {
	GinkgoHelper()
	var c caseList
	decodeAs(x, &c, "a list of cases")
	return c
}

// readPages pages through a list and returns every case listed, holding
// each page to the count of the first: count is the filtered total over
// every page.
func (l listsClient) readPages(ctx SpecContext, q url.Values) []CallCase {
	GinkgoHelper()
	first, found := l.ofOrEmpty(env.API.Do(ctx, l.page(q, 1)))
	if !found {
		return nil
	}
	count := first.Count
	pages := (count + 99) / 100
	Expect(pages).To(BeNumerically("<=", 20), "the filter matches %d cases: too busy a project to page through", count)
	all := first.CallCase
	for page := 2; page <= pages; page++ {
		next := l.of(env.API.Do(ctx, l.page(q, page)))
		Expect(next.Count).To(Equal(count), "count on page %d is the total over all pages%s", page, Shown(next.X))
		all = append(all, next.CallCase...)
	}
	Expect(all).To(HaveLen(count), "count %d is the number of cases the pages hold%s", count, Shown(first.X))
	return all
}

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
func (l listsClient) window(ctx SpecContext, uuids ...string) url.Values {
	GinkgoHelper()
	var first, last time.Time
	margin := time.Second
	for i, c := range cases(l.a).readAll(ctx, uuids...) {
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

// expectInWindow holds every listed case to the filter it was listed with:
// lastModified strictly between modifiedAfter and modifiedBefore, as instants.
func (listsClient) expectInWindow(cases []CallCase, q url.Values) {
	GinkgoHelper()
	after, before := instant(q.Get("modifiedAfter")), instant(q.Get("modifiedBefore"))
	for _, c := range cases {
		t := instant(c.LastModified)
		Expect(t.After(after) && t.Before(before)).To(BeTrue(), "case %s modified %s is listed with modifiedAfter=%s and modifiedBefore=%s", c.UUID, c.LastModified, q.Get("modifiedAfter"), q.Get("modifiedBefore"))
	}
}
