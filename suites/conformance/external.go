package conformance

import (
	"net/http"
	"strings"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("cases by external id", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S201-create-ext", format, func(ctx SpecContext) {
				ext := externalIDs(a)
				id, uuid := newExternalID(), newUUID()
				deleteLater(a, uuid)
				// The other projects' ids (for the second part) are read meanwhile.
				got := doAll(ctx, env.API, append([]client.Request{ext.post(map[string]any{"uuid": uuid, "id": id, "title": newTitle("created by external id")})},
					ext.foreignLists()...)...)
				Expect(got[0]).To(HaveResult(http.StatusCreated))

				c := ext.read(ctx, id)
				Expect(c.UUID).To(Equal(uuid), "a read by the external id finds the case created with it"+Shown(c.X))
				Expect(c.ID).To(HaveValue(Equal(id)), "the external id reads back as created"+Shown(c.X))
				Expect(c.Title).To(Equal(newTitle("created by external id")), "the title reads back as created"+Shown(c.X))

				// External ids are unique per project: an id another fixture
				// project already uses must still be free in the main project.
				foreign := ext.foreignIDs(got[1:])
				if len(foreign) == 0 {
					return
				}
				// The id must be free in the main project first: a case an
				// earlier run could not delete, or someone's, may hold it. The
				// lease (shares: external-id) keeps another run from taking
				// the same one meanwhile.
				id = ext.firstFree(ctx, foreign)
				if id == "" {
					notProvoked("every external id found in another fixture project (%s) is taken in the main project too, by cases this run did not create (callcases-conformance clean, or make conformance-clean, removes an earlier run's); the rest of the condition passed",
						strings.Join(foreign, ", "))
				}
				uuid = newUUID()
				// Deleted before the lease and the turn are given back (cleanup
				// runs last registered first), so that the next holder finds the id free.
				later(func(ctx SpecContext) { _ = deleteNow(ctx, a, uuid) })
				r := ext.post(map[string]any{"uuid": uuid, "id": id, "title": newTitle("external id used in another project")})
				r.Purpose = "an external id of another project is free in this one"
				Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusCreated), "external id %q exists in another project only", id)
			})

			condition("E209-duplicate-ext-id", format, func(ctx SpecContext) {
				id := newExternalID()
				first := externalIDs(a).create(ctx, id)
				second := newUUID()
				deleteLater(a, second)
				x := env.API.Do(ctx, externalIDs(a).post(map[string]any{"uuid": second, "id": id, "title": newTitle("duplicate")}))
				Expect(x).To(HaveResult(209))

				c := externalIDs(a).read(ctx, id)
				Expect(c.UUID).To(Equal(first), "the id still names the first case only"+Shown(c.X))
				cases(a).expectGone(ctx, second)
			})

			condition("E404-external-id", format, func(ctx SpecContext) {
				Expect(env.API.Do(ctx, externalIDs(a).get(newExternalID()))).To(HaveResult(http.StatusNotFound))
			})

			Context("two cases share an external id", func() {
				var id string
				var shared []string
				// Each spec makes its pair as the first step of its body, not in
				// a BeforeEach, so that an attempt run again makes a new pair.
				share := func(ctx SpecContext) {
					GinkgoHelper()
					// POST /callcases/?project= does not enforce unique external ids: that is how two cases share one.
					id = newExternalID()
					shared = cases(a).createAll(ctx, map[string]any{"id": id}, map[string]any{"id": id})
				}
				multipleChoices := func(x *client.Exchange) {
					GinkgoHelper()
					Expect(x).To(HaveResult(http.StatusMultipleChoices))
					sb := statusBodyOf(x)
					Expect(sb.UUIDs).To(ConsistOf(shared), "uuids lists every case with the id, and only those"+Shown(x))
				}
				untouched := func(ctx SpecContext) {
					GinkgoHelper()
					for i, c := range cases(a).readAll(ctx, shared...) {
						Expect(c.Title).To(Equal(newTitle("case")), "case %s is unchanged", shared[i])
					}
				}

				condition("E300-get", format, func(ctx SpecContext) {
					share(ctx)
					multipleChoices(env.API.Do(ctx, externalIDs(a).get(id)))
				})
				condition("E300-put", format, func(ctx SpecContext) {
					share(ctx)
					multipleChoices(env.API.Do(ctx, externalIDs(a).put(map[string]any{"id": id, "title": newTitle("must not be applied")})))
					untouched(ctx)
				})
				condition("E300-delete", format, func(ctx SpecContext) {
					share(ctx)
					multipleChoices(env.API.Do(ctx, externalIDs(a).delete(id)))
					untouched(ctx)
				})
				// In a batch, the shared id's item is the 300 the case alone
				// would get, with the uuids of every case found.
				condition("E300-batch", format, func(ctx SpecContext) {
					share(ctx)
					update, remove := batches(a).put([]map[string]any{{"id": id, "title": newTitle("must not be applied")}}), batches(a).delete(map[string]any{"id": []string{id}})
					update.Purpose, remove.Purpose = "a batch update by the shared id", "a batch delete by the shared id"
					for _, r := range []client.Request{update, remove} {
						got := batches(a).of(env.API.Do(ctx, r), 1)
						got.expectItem(0, http.StatusMultipleChoices, &id, nil)
						Expect(got.Items[0].UUIDs).To(ConsistOf(shared), "a 300 item's uuids lists every case with the id, and only those"+Shown(got.X))
					}
					untouched(ctx)
				})
			})
		})
	}
})
