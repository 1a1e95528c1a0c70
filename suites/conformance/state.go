package conformance

import (
	"net/http"
	"net/url"
	"time"

	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("case state", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S200-state", format, func(ctx SpecContext) {
				uuid := cases(a).create(ctx, nil)
				before := cases(a).read(ctx, uuid)
				got := states(a).read(ctx, uuid)
				Expect(got.State).To(Equal(before.State.ID), "get-state says the state a read shows"+Shown(got.X)+Shown(before.X))
				// An offset unlike any server zone: the date must come back as the same instant.
				scheduled := time.Date(2031, 5, 6, 7, 8, 9, 0, time.FixedZone("", 5*3600+30*60))
				// set-state reads its form body; a state in the query string is ignored.
				r := states(a).set(uuid, url.Values{"state": {"adjourned"}, "date": {scheduled.Format(time.RFC3339)}})
				r.Query = url.Values{"state": {"finished"}}
				Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusOK))
				got = states(a).read(ctx, uuid)
				Expect(got.State).To(Equal("adjourned"), "get-state after set-state says the state of its form body, not of its query string"+Shown(got.X))
				c := cases(a).read(ctx, uuid)
				Expect(c.State.ID).To(Equal("adjourned"), "a read after set-state shows the new state"+Shown(c.X))
				Expect(c.Scheduled).NotTo(BeNil(), "date sets scheduledTime"+Shown(c.X))
				Expect(instant(*c.Scheduled)).To(BeTemporally("==", scheduled), "scheduledTime is the instant given, in any offset"+Shown(c.X))
			})

			condition("E400-unknown-state", format, func(ctx SpecContext) {
				uuid := cases(a).create(ctx, nil)
				before := states(a).read(ctx, uuid).State
				r := states(a).set(uuid, url.Values{"state": {"paused"}})
				r.OffContract = true
				Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest))
				after := states(a).read(ctx, uuid)
				Expect(after.State).To(Equal(before), "the refused set-state left the state"+Shown(after.X))
			})

			condition("E400-bad-date", format, func(ctx SpecContext) {
				uuid := cases(a).create(ctx, nil)
				before := cases(a).read(ctx, uuid)
				r := states(a).set(uuid, url.Values{"state": {"adjourned"}, "date": {"next tuesday"}})
				r.OffContract = true
				Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest))
				after := cases(a).read(ctx, uuid)
				Expect(after.State.ID).To(Equal(before.State.ID), "the state is unchanged")
				Expect(after.Scheduled).To(Equal(before.Scheduled), "scheduledTime is unchanged")
			})

			condition("E404-state", format, func(ctx SpecContext) {
				unknown := unknownUUID()
				Expect(env.API.Do(ctx, states(a).get(unknown))).To(HaveResult(http.StatusNotFound))
				Expect(env.API.Do(ctx, states(a).set(unknown, url.Values{"state": {"adjourned"}}))).To(HaveResult(http.StatusNotFound))
			})
		})
	}
})
