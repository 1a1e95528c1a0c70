package conformance

import (
	"net/http"
	"net/url"
	"time"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("case state", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			setState := func(ctx SpecContext, uuid string, form url.Values, offContract bool) *client.Exchange {
				return env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.caseByUUID(uuid) + "/set-state", Form: form, OffContract: offContract})
			}

			condition("S200-state", format, func(ctx SpecContext) {
				uuid := newCase(ctx, a, nil)
				before, read := readCaseX(ctx, a, uuid)
				state, got := readStateX(ctx, a, uuid)
				Expect(state).To(Equal(before.State.ID), "get-state says the state a read shows"+Shown(got)+Shown(read))
				// An offset unlike any server zone: the date must come back as the same instant.
				scheduled := time.Date(2031, 5, 6, 7, 8, 9, 0, time.FixedZone("", 5*3600+30*60))
				// set-state reads its form body; a state in the query string is ignored.
				x := env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.caseByUUID(uuid) + "/set-state", Query: url.Values{"state": {"finished"}},
					Form: url.Values{"state": {"adjourned"}, "date": {scheduled.Format(time.RFC3339)}}})
				Expect(x).To(HaveResult(http.StatusOK))
				state, got = readStateX(ctx, a, uuid)
				Expect(state).To(Equal("adjourned"), "get-state after set-state says the state of its form body, not of its query string"+Shown(got))
				c, read := readCaseX(ctx, a, uuid)
				Expect(c.State.ID).To(Equal("adjourned"), "a read after set-state shows the new state"+Shown(read))
				Expect(c.Scheduled).NotTo(BeNil(), "date sets scheduledTime"+Shown(read))
				Expect(instant(*c.Scheduled)).To(BeTemporally("==", scheduled), "scheduledTime is the instant given, in any offset"+Shown(read))
			})

			condition("E400-unknown-state", format, func(ctx SpecContext) {
				uuid := newCase(ctx, a, nil)
				before := readState(ctx, a, uuid)
				Expect(setState(ctx, uuid, url.Values{"state": {"paused"}}, true)).To(HaveResult(http.StatusBadRequest))
				after, read := readStateX(ctx, a, uuid)
				Expect(after).To(Equal(before), "the refused set-state left the state"+Shown(read))
			})

			condition("E400-bad-date", format, func(ctx SpecContext) {
				uuid := newCase(ctx, a, nil)
				before := readCase(ctx, a, uuid)
				Expect(setState(ctx, uuid, url.Values{"state": {"adjourned"}, "date": {"next tuesday"}}, true)).To(HaveResult(http.StatusBadRequest))
				after := readCase(ctx, a, uuid)
				Expect(after.State.ID).To(Equal(before.State.ID), "the state is unchanged")
				Expect(after.Scheduled).To(Equal(before.Scheduled), "scheduledTime is unchanged")
			})

			condition("E404-state", format, func(ctx SpecContext) {
				unknown := unknownUUID()
				Expect(env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.caseByUUID(unknown) + "/get-state"})).To(HaveResult(http.StatusNotFound))
				Expect(setState(ctx, unknown, url.Values{"state": {"adjourned"}}, false)).To(HaveResult(http.StatusNotFound))
			})
		})
	}
})
