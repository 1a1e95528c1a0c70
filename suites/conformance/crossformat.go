package conformance

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// otherFormat is the format a case is read back through.
func otherFormat(format string) string {
	if format == "xml" {
		return "json"
	}
	return "xml"
}

// expectSameCase reads a case through both formats and holds them to the
// same values, dates as instants; it returns the read through a.
func expectSameCase(ctx SpecContext, a, other api, uuid string) CallCase {
	GinkgoHelper()
	c, o := cases(a).read(ctx, uuid), cases(other).read(ctx, uuid)
	Expect(o.UUID).To(Equal(c.UUID), "uuid through %s and %s", a.format, other.format)
	Expect(o.ID).To(Equal(c.ID), "id through %s and %s", a.format, other.format)
	Expect(o.Title).To(Equal(c.Title), "title through %s and %s", a.format, other.format)
	Expect(o.Parent.UUID).To(Equal(c.Parent.UUID), "parent through %s and %s", a.format, other.format)
	Expect(o.State.ID).To(Equal(c.State.ID), "state through %s and %s", a.format, other.format)
	Expect(o.Priority).To(Equal(c.Priority), "priority through %s and %s", a.format, other.format)
	Expect(o.Comment).To(Equal(c.Comment), "comment through %s and %s", a.format, other.format)
	Expect(o.PhoneNumbers.PhoneNumber).To(Equal(c.PhoneNumbers.PhoneNumber), "phone numbers, in order, through %s and %s", a.format, other.format)
	Expect(instant(o.CreationDate)).To(BeTemporally("==", instant(c.CreationDate)), "creationDate through %s and %s", a.format, other.format)
	Expect(instant(o.LastModified)).To(BeTemporally("==", instant(c.LastModified)), "lastModified through %s and %s", a.format, other.format)
	Expect(o.Scheduled == nil).To(Equal(c.Scheduled == nil), "scheduledTime through %s and %s", a.format, other.format)
	if c.Scheduled != nil {
		Expect(instant(*o.Scheduled)).To(BeTemporally("==", instant(*c.Scheduled)), "scheduledTime through %s and %s", a.format, other.format)
	}
	return c.CallCase
}

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
				c := expectSameCase(ctx, a, other, uuid)
				Expect(c.PhoneNumbers.PhoneNumber).To(Equal(phones.PhoneNumber), "the phone numbers as created")

				// What the other format changes, this one reads.
				x := env.API.Do(ctx, client.Request{Method: http.MethodPut, Path: other.cases(),
					JSON: map[string]any{"uuid": uuid, "title": newTitle("renamed through " + other.format), "priority": -3, "comment": ""}})
				Expect(x).To(HaveResult(http.StatusOK))
				x = env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: other.caseByUUID(uuid) + "/set-state",
					Form: url.Values{"state": {"adjourned"}, "date": {"2031-02-03T04:05:06+05:00"}}})
				Expect(x).To(HaveResult(http.StatusOK))
				c = expectSameCase(ctx, a, other, uuid)
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
