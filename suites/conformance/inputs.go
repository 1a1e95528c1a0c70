package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Input the rules settle in detail (docs/rules.md): what a string, a phone
// number, a page, a date and a batch's items may be. Each body is built
// once as a value; where a rule is about bytes no value can hold (a control
// character, a byte that is not UTF-8), a marker in the value's encoding is
// replaced by that format's spelling of them (createSpliced, in
// refused.go).

var _ = Describe("input the rules settle", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("E400-malformed-uuid", format, func(ctx SpecContext) {
				// Letters in upper case and a hyphen: no uuid's shape, so no
				// case or operator can be looked up by it.
				const malformed = "Not-A-Uuid"
				for _, r := range []client.Request{
					cases(a).getGone(malformed),
					cases(a).delete(malformed),
					states(a).get(malformed),
					states(a).set(malformed, url.Values{"state": {"adjourned"}}),
					{Method: http.MethodDelete, Path: a.operators(env.Config.Project) + malformed},
				} {
					r.OffContract = true
					Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest), "%s %s: a uuid not of the shape [0-9a-z]{1,64} is 400 wherever it is given, a path too", r.Method, r.Path)
				}
			})

			condition("E400-phone-number", format, func(ctx SpecContext) {
				for _, phone := range []map[string]any{
					{"value": "8000000000"}, // no type
					{"value": "8000000000", "phoneNumberType": "FAX"},
					{"value": "", "phoneNumberType": "HOME"},
				} {
					uuid := newUUID()
					deleteLater(a, uuid)
					r := client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), OffContract: true,
						JSON: map[string]any{"uuid": uuid, "title": newTitle("phone"), "phoneNumbers": map[string]any{"phoneNumber": []any{phone}}}}
					expectRefusedCreate(ctx, a, uuid, r, "each phone number needs a non-empty value and a phoneNumberType of HOME, MOBILE, WORK, OTHER")
				}
			})

			condition("E400-control-character", format, func(ctx SpecContext) {
				// U+0001 and half a surrogate pair as each format spells a
				// character: XML 1.0 can carry neither.
				spellings := map[string][]string{"json": {`\u0001`, `\ud800`}, "xml": {"&#x1;", "&#xD800;"}}[format]
				for _, spelled := range spellings {
					uuid := newUUID()
					deleteLater(a, uuid)
					expectRefusedCreate(ctx, a, uuid, createSpliced(a, uuid, []byte(spelled)),
						fmt.Sprintf("a string holding %s, a character XML 1.0 cannot carry, is refused in either format", spelled))
				}
			})

			condition("E400-not-utf8", format, func(ctx SpecContext) {
				uuid := newUUID()
				deleteLater(a, uuid)
				expectRefusedCreate(ctx, a, uuid, createSpliced(a, uuid, []byte{'x', 0xff, 'x'}), "a body that is not well-formed UTF-8 is refused, not stored with U+FFFD")
			})

			condition("E400-body-too-large", format, func(ctx SpecContext) {
				uuid := newUUID()
				deleteLater(a, uuid)
				expectRefusedCreate(ctx, a, uuid, oversizedCreate(a, uuid), "a body over 16 MiB is 400, whatever it holds")
			})

			condition("E400-page-not-digits", format, func(ctx SpecContext) {
				for _, page := range []string{"+1", "2.0", "1.5"} {
					r := lists(a).get(url.Values{"project": {env.Config.Project}, "page": {page}})
					r.OffContract = true
					Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest), "page %q: a page is digits only, no sign, no fraction", page)
				}
			})

			condition("E400-list-bad-date", format, func(ctx SpecContext) {
				for _, date := range []string{
					"0000-01-01T00:00:00Z",      // years are 0001 to 9999
					"2016-10-18",                // a date without its time
					"2016-10-18T09:58:24 03:00", // an offset's + sent unencoded, read form-style as a space
				} {
					r := lists(a).get(url.Values{"project": {env.Config.Project}, "modifiedAfter": {date}})
					r.OffContract = true
					Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest), "modifiedAfter %q is no date of the forms the rules allow", date)
				}
			})

			condition("S200-date-case", format, func(ctx SpecContext) {
				uuid := cases(a).create(ctx, nil)
				// RFC 3339 allows t and z in lower case.
				scheduled := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
				x := env.API.Do(ctx, states(a).set(uuid, url.Values{"state": {"adjourned"}, "date": {"2031-02-03t04:05:06z"}}))
				Expect(x).To(HaveResult(http.StatusOK), "a date with a lower-case t and z is RFC 3339")
				c := cases(a).read(ctx, uuid)
				Expect(c.Scheduled).NotTo(BeNil(), "date sets scheduledTime"+Shown(c.X))
				Expect(instant(*c.Scheduled)).To(BeTemporally("==", scheduled), "scheduledTime is the instant 2031-02-03t04:05:06z"+Shown(c.X))
				list := env.API.Do(ctx, lists(a).get(url.Values{"project": {env.Config.Project}, "modifiedBefore": {"2000-01-01t00:00:00z"}}))
				Expect(list).To(AnswerOneOf(BeRead(), HaveResult(http.StatusNoContent)), "a list's bound with a lower-case t and z is read")
			})

			condition("E400-batch-item-not-object", format, func(ctx SpecContext) {
				uuid, id := newUUID(), newExternalID()
				deleteLater(a, uuid)
				// In XML a string or a number item is a <callcase> holding text.
				r := batches(a).post([]any{"not a case", map[string]any{"uuid": uuid, "id": id, "title": newTitle("beside items that are no objects")}, 5})
				r.OffContract = true
				got := batches(a).of(env.API.Do(ctx, r), 3)
				got.expectItem(0, http.StatusBadRequest, nil, nil)
				got.expectItem(1, http.StatusCreated, &id, &uuid)
				got.expectItem(2, http.StatusBadRequest, nil, nil)
				c := cases(a).read(ctx, uuid)
				Expect(c.ID).To(HaveValue(Equal(id)), "the item that is a case is created"+Shown(c.X))
			})

			condition("E400-batch-delete-not-strings", format, func(ctx SpecContext) {
				id := newExternalID()
				uuid := externalIDs(a).create(ctx, id)
				// XML's lists hold text, which is a string: an element inside
				// one is the only item it has that is not a string.
				notStrings := []any{map[string]any{"uuid": unknownUUID()}}
				if format == "json" {
					notStrings = append(notStrings, nil, 5, true)
				}
				// Each is refused and deletes nothing: they go out at once.
				var requests []client.Request
				var what []string
				for _, key := range []string{"uuid", "id"} {
					for _, item := range notStrings {
						list := []any{map[string]string{"uuid": uuid, "id": id}[key], item}
						r := batches(a).delete(map[string]any{key: list})
						r.OffContract = true
						requests = append(requests, r)
						what = append(what, fmt.Sprintf("a batch delete's %q list holds strings only, not %v", key, item))
					}
				}
				for i, x := range doAll(ctx, env.API, requests...) {
					Expect(x).To(HaveResult(http.StatusBadRequest), what[i])
				}
				c := cases(a).read(ctx, uuid)
				Expect(c.UUID).To(Equal(uuid), "the refused batch deletes deleted nothing"+Shown(c.X))
			})
		})
	}
})
