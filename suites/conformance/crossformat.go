package conformance

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/callcases/conformance/config"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("both formats", func() {
	for _, format := range formats {
		a, other := api{format}, api{otherFormat(format)}
		Context(format, func() {
			condition("S200-cross-format", format, func(ctx SpecContext) {
				if !slices.Contains(formats, other.format) {
					notProvoked("reading a case back through the other format needs both formats selected (%s=json,xml)", config.EnvFormats)
				}
				phones := PhoneNumbers{PhoneNumber: []PhoneNumber{{Value: "8000000000", Type: "HOME"}, {Value: "+7 (800) 000-00-01", Type: "WORK"}}}
				uuid := cases(a).create(ctx, map[string]any{"id": newExternalID(), "priority": 7, "comment": "written as " + format + ": <&>", "phoneNumbers": phones})
				c := cases(a).expectSame(ctx, other, uuid)
				Expect(c.PhoneNumbers.PhoneNumber).To(Equal(phones.PhoneNumber), "the phone numbers as created")

				// What the other format changes, this one reads.
				x := env.API.Do(ctx, cases(other).put(map[string]any{"uuid": uuid, "title": newTitle("renamed through " + other.format), "priority": -3, "comment": ""}))
				Expect(x).To(HaveResult(http.StatusOK))
				x = env.API.Do(ctx, states(other).set(uuid, url.Values{"state": {"adjourned"}, "date": {"2031-02-03T04:05:06+05:00"}}))
				Expect(x).To(HaveResult(http.StatusOK))
				c = cases(a).expectSame(ctx, other, uuid)
				Expect(c.Title).To(Equal(newTitle("renamed through "+other.format)), "the title %s wrote reads back through %s", other.format, a.format)
				Expect(c.Priority).To(HaveValue(Equal(-3)), "the priority %s wrote reads back through %s", other.format, a.format)
				Expect(c.Comment).To(HaveValue(BeEmpty()), "an empty comment stays an empty string")
				Expect(c.State.ID).To(Equal("adjourned"), "the state set through %s reads back through %s", other.format, a.format)
				Expect(c.Scheduled).NotTo(BeNil(), "set-state's date is the scheduledTime")
				Expect(instant(*c.Scheduled)).To(BeTemporally("==", instant("2031-02-03T04:05:06+05:00")), "scheduledTime is the instant set-state was given")
			})
		})
	}
})
