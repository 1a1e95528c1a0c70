package conformance

import (
	"net/http"

	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("batches", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("E209-batch-duplicate", format, func(ctx SpecContext) {
				existing := newExternalID()
				externalIDs(a).create(ctx, existing)
				dup, fresh := newUUID(), newUUID()
				deleteManyLater(a, []string{dup, fresh})
				got := batches(a).of(env.API.Do(ctx, batches(a).post([]map[string]any{
					{"uuid": dup, "id": existing, "title": newTitle("duplicate in a batch")},
					{"uuid": fresh, "id": newExternalID(), "title": newTitle("fresh in a batch")},
				})), 2)
				Expect(got.Items[0]).To(HaveItemResult(209), "batch result item 0, whose id the project has"+Shown(got.X))
				Expect(got.Items[0].UUID).To(BeNil(), "a failed create item has uuid null"+Shown(got.X))
				Expect(got.Items[1]).To(HaveItemResult(http.StatusCreated), "batch result item 1, a fresh id"+Shown(got.X))
				cases(a).expectGone(ctx, dup)
			})

			condition("E400-batch-delete-keys", format, func(ctx SpecContext) {
				id := newExternalID()
				uuid := externalIDs(a).create(ctx, id)
				for _, body := range []map[string]any{
					{"uuid": []string{uuid}, "id": []string{id}},
					{},
				} {
					r := batches(a).delete(body)
					r.OffContract, r.Purpose = true, "a batch delete by both uuid and id, or by neither"
					Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest), "a batch delete takes uuid or id, not both, not neither")
				}
				cases(a).read(ctx, uuid) // the case named is still there
			})

			condition("E400-empty-batch", format, func(ctx SpecContext) {
				r := batches(a).post([]any{})
				r.OffContract = true
				Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest))
			})

			condition("E400-batch-over-1000", format, func(ctx SpecContext) {
				uuids := make([]string, 1001)
				items := make([]map[string]any, len(uuids))
				for i := range items {
					uuids[i] = newUUID()
					items[i] = map[string]any{"uuid": uuids[i], "id": newExternalID(), "title": newTitle("one too many")}
				}
				madeNone := deleteManyLater(a, uuids)
				r := batches(a).post(items)
				r.OffContract = true
				Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest))
				cases(a).expectGone(ctx, uuids[0])
				cases(a).expectGone(ctx, uuids[1000])
				// Refused whole: a delete of its 1001 uuids (1000 items of
				// 404 to encode and validate) would undo nothing.
				madeNone()
			})
		})
	}
})
