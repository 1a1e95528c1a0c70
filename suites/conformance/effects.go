package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// Success asserted through its effect, read back, on the operations the
// first catalogue rows leave out: by external id, in batches, the list
// filters, and operator membership.

var _ = Describe("success through its effect", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S200-update-ext", format, func(ctx SpecContext) {
				id := newExternalID()
				uuid := externalIDs(a).create(ctx, id)
				x := env.API.Do(ctx, externalIDs(a).put(map[string]any{"id": id, "title": newTitle("renamed by external id")}))
				Expect(x).To(HaveResult(http.StatusOK))
				c := externalIDs(a).read(ctx, id)
				Expect(c.UUID).To(Equal(uuid), "the update by external id changed that case, not another"+Shown(c.X))
				Expect(c.Title).To(Equal(newTitle("renamed by external id")), "the new title reads back"+Shown(c.X))
			})

			condition("S200-delete-ext", format, func(ctx SpecContext) {
				id := newExternalID()
				uuid := externalIDs(a).create(ctx, id)
				Expect(env.API.Do(ctx, externalIDs(a).delete(id))).To(HaveResult(http.StatusOK))
				externalIDs(a).expectGone(ctx, id)
				cases(a).expectGone(ctx, uuid)
			})

			condition("S200-batch-create", format, func(ctx SpecContext) {
				uuids := []string{newUUID(), newUUID()}
				deleteManyLater(a, uuids)
				ids := []string{newExternalID(), newExternalID(), newExternalID()}
				titles := []string{newTitle("batch item 0"), newTitle("batch item 1"), newTitle("batch item 2")}
				got := batches(a).of(env.API.Do(ctx, batches(a).post([]map[string]any{
					{"uuid": uuids[0], "id": ids[0], "title": titles[0]},
					{"id": ids[1], "title": titles[1]}, // the server chooses this uuid
					{"uuid": uuids[1], "id": ids[2], "title": titles[2]},
				})), 3)
				for _, item := range got.Items {
					if item.UUID != nil && !slices.Contains(uuids, *item.UUID) {
						deleteLater(a, *item.UUID)
					}
				}
				got.expectItem(0, http.StatusCreated, &ids[0], &uuids[0])
				got.expectItem(1, http.StatusCreated, &ids[1], nil)
				got.expectItem(2, http.StatusCreated, &ids[2], &uuids[1])
				Expect(got.Items[1].UUID).NotTo(BeNil(), "a created item names its uuid"+Shown(got.X))
				reads := doAll(ctx, env.API, cases(a).get(*got.Items[0].UUID), cases(a).get(*got.Items[1].UUID), cases(a).get(*got.Items[2].UUID))
				for i := range got.Items {
					read := reads[i]
					c := cases(a).of(read)
					Expect(c.ID).To(HaveValue(Equal(ids[i])), "item %d's uuid reads back as the case sent at %d%s", i, i, Shown(read))
					Expect(c.Title).To(Equal(titles[i]), "item %d's uuid reads back as the case sent at %d%s", i, i, Shown(read))
				}
			})

			condition("E209-batch-repeated-id", format, func(ctx SpecContext) {
				id := newExternalID()
				first, repeat := newUUID(), newUUID()
				deleteManyLater(a, []string{first, repeat})
				got := batches(a).of(env.API.Do(ctx, batches(a).post([]map[string]any{
					{"uuid": first, "id": id, "title": newTitle("first with the id")},
					{"uuid": repeat, "id": id, "title": newTitle("repeats the id")},
				})), 2)
				got.expectItem(0, http.StatusCreated, &id, &first)
				got.expectItem(1, 209, &id, nil)
				Expect(got.Items[1].UUID).To(BeNil(), "a failed create item has uuid null"+Shown(got.X))
				cases(a).expectGone(ctx, repeat)
				c := externalIDs(a).read(ctx, id)
				Expect(c.UUID).To(Equal(first), "the id names the first item's case"+Shown(c.X))
			})

			condition("S200-batch-update", format, func(ctx SpecContext) {
				ids := []string{newExternalID(), newExternalID()}
				uuids := externalIDs(a).createAll(ctx, ids...)
				unknown := newExternalID()
				got := batches(a).of(env.API.Do(ctx, batches(a).put([]map[string]any{
					{"id": ids[1], "title": newTitle("batch renamed 1")},
					{"id": unknown, "title": newTitle("no such case")},
					{"id": ids[0], "title": newTitle("batch renamed 0")},
				})), 3)
				got.expectItem(0, http.StatusOK, &ids[1], &uuids[1])
				got.expectItem(1, http.StatusNotFound, &unknown, nil)
				Expect(got.Items[1].UUID).To(BeNil(), "a failed update item echoes the id it was asked by and has uuid null"+Shown(got.X))
				got.expectItem(2, http.StatusOK, &ids[0], &uuids[0])
				reads := doAll(ctx, env.API, cases(a).get(uuids[0]), cases(a).get(uuids[1]), externalIDs(a).getGone(unknown))
				for i, want := range []string{newTitle("batch renamed 0"), newTitle("batch renamed 1")} {
					read := reads[i]
					c := cases(a).of(read)
					Expect(c.Title).To(Equal(want), "the batch update applied to case %d%s", i, Shown(read))
				}
				expectGone(reads[2], "external id "+unknown) // the failed item created nothing
			})

			condition("S200-batch-delete", format, func(ctx SpecContext) {
				ids := []string{newExternalID(), newExternalID(), newExternalID()}
				uuids := externalIDs(a).createAll(ctx, ids...)
				missingUUID, unknownID := unknownUUID(), newExternalID()

				// Upper case is not a uuid's shape: a 400 item, which echoes the
				// string too. The request breaks the Uuid pattern on purpose; its
				// answer is still validated.
				malformed := strings.ToUpper(missingUUID)
				r := batches(a).delete(map[string]any{"uuid": []string{missingUUID, uuids[0], malformed}})
				r.OffContract = true
				got := batches(a).of(env.API.Do(ctx, r), 3)
				got.expectItem(0, http.StatusNotFound, nil, nil)
				Expect(got.Items[0].UUID).To(HaveValue(Equal(missingUUID)), "a failed delete item echoes, unchanged, the uuid it was asked by"+Shown(got.X))
				Expect(got.Items[0].ID).To(BeNil(), "a failed delete item asked by uuid has id null"+Shown(got.X))
				got.expectItem(1, http.StatusOK, &ids[0], &uuids[0])
				got.expectItem(2, http.StatusBadRequest, nil, nil)
				Expect(got.Items[2].UUID).To(HaveValue(Equal(malformed)), "a delete item asked by a string not of a uuid's shape is 400 and echoes the string unchanged"+Shown(got.X))
				Expect(got.Items[2].ID).To(BeNil(), "a failed delete item asked by uuid has id null"+Shown(got.X))
				cases(a).expectGone(ctx, uuids[0])

				got = batches(a).of(env.API.Do(ctx, batches(a).delete(map[string]any{"id": []string{ids[1], unknownID}})), 2)
				got.expectItem(0, http.StatusOK, &ids[1], &uuids[1])
				got.expectItem(1, http.StatusNotFound, &unknownID, nil)
				Expect(got.Items[1].UUID).To(BeNil(), "a failed delete item echoes the id it was asked by and has uuid null"+Shown(got.X))
				cases(a).expectGone(ctx, uuids[1])

				c := cases(a).read(ctx, uuids[2])
				Expect(c.Title).To(Equal(newTitle("case with an external id")), "a case no item named is untouched"+Shown(c.X))
			})

			// The list specs hold with other writers present: they check what
			// they list against the filter and their own cases, never against a
			// number of cases they cannot know.
			condition("S200-list-state", format, func(ctx SpecContext) {
				made := cases(a).createAll(ctx, nil, nil, nil)
				states(a).setUp(ctx, map[string]url.Values{made[0]: {"state": {"unavailable"}}, made[2]: {"state": {"unavailable"}}})
				q := lists(a).window(ctx, made...)
				q.Set("state", "unavailable")
				listed := lists(a).readPages(ctx, q)
				uuids := uuidsOf(listed)
				Expect(uuids).To(ContainElements(made[0], made[2]), "the cases in the state are listed")
				Expect(uuids).NotTo(ContainElement(made[1]), "a case in another state is not listed")
				for _, c := range listed {
					Expect(c.State.ID).To(Equal("unavailable"), "case %s is listed with state=unavailable", c.UUID)
				}
				lists(a).expectInWindow(listed, q)
			})

			condition("S200-list-operator", format, func(ctx SpecContext) {
				made := cases(a).createAll(ctx, nil, nil)
				states(a).setUp(ctx, map[string]url.Values{made[0]: {"state": {"available"}, "operator": {env.Config.Operator}}})
				q := lists(a).window(ctx, made...)
				q.Set("operator", env.Config.Operator)
				listed := lists(a).readPages(ctx, q)
				uuids := uuidsOf(listed)
				Expect(uuids).To(ContainElement(made[0]), "the case set-state gave the operator is listed")
				Expect(uuids).NotTo(ContainElement(made[1]), "a case without the operator is not listed")
				for _, c := range listed {
					Expect(c.Operator).NotTo(BeNil(), "case %s is listed with operator=%s", c.UUID, env.Config.Operator)
					Expect(c.Operator.UUID).To(Equal(env.Config.Operator), "case %s is listed with operator=%s", c.UUID, env.Config.Operator)
				}
			})

			// The windows are a millisecond wide around the case's own
			// lastModified, so that other writers' cases hardly ever fall in
			// them: the spec holds on a busy project too.
			condition("S200-list-bounds", format, func(ctx SpecContext) {
				uuid := cases(a).create(ctx, nil)
				c := cases(a).read(ctx, uuid)
				at := instant(c.LastModified)
				before, after := at.Add(-time.Millisecond).Format(time.RFC3339Nano), at.Add(time.Millisecond).Format(time.RFC3339Nano)
				// The bound is the case's own lastModified, as the target wrote it.
				own := c.LastModified
				for _, bounds := range []url.Values{
					{"modifiedAfter": {own}, "modifiedBefore": {after}},
					{"modifiedAfter": {before}, "modifiedBefore": {own}},
				} {
					bounds.Set("project", env.Config.Project)
					listed := lists(a).readPages(ctx, bounds)
					Expect(uuidsOf(listed)).NotTo(ContainElement(uuid), "modifiedAfter=%s modifiedBefore=%s are strict bounds: the case modified at %s is not listed",
						bounds.Get("modifiedAfter"), bounds.Get("modifiedBefore"), c.LastModified)
				}
				around := url.Values{"project": {env.Config.Project}, "modifiedAfter": {before}, "modifiedBefore": {after}}
				listed := lists(a).readPages(ctx, around)
				Expect(uuidsOf(listed)).To(ContainElement(uuid), "the case modified at %s is listed between %s and %s", c.LastModified, before, after)
			})

			condition("S204-no-operators", format, func(ctx SpecContext) {
				for _, p := range []string{env.Config.Project, env.Config.AutoProject, env.Config.CompletedProject} {
					if p == "" {
						continue
					}
					x := env.API.Do(ctx, operators(a).get(p))
					Expect(x).To(AnswerOneOf(BeRead(), HaveResult(http.StatusNoContent)))
					if x.Status == http.StatusNoContent {
						return
					}
					Expect(operators(a).of(x, p).UUIDs).NotTo(BeEmpty(), "a project without operators answers 204, not 200 with an empty list"+Shown(x))
				}
				notProvoked("every fixture project (%s) has operators", strings.Join([]string{config.EnvProject, config.EnvAutoProject, config.EnvCompletedProject}, ", "))
			})

			condition("E400-external-id-too-long", format, func(ctx SpecContext) {
				long := strings.Repeat("x", 256)
				for _, r := range []client.Request{externalIDs(a).get(long), externalIDs(a).delete(long)} {
					r.OffContract = true
					Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest), "an external id has at most 255 characters")
				}
			})

			// An external id is 1 to 255 characters in a body too: on every
			// create and update, whichever route, a longer or empty one is
			// 400 and changes nothing.
			condition("E400-external-id-length-body", format, func(ctx SpecContext) {
				target := cases(a).create(ctx, nil)
				before := cases(a).read(ctx, target)
				type attempt struct {
					what    string
					req     client.Request
					created string // the uuid a create would have made
				}
				var attempts []attempt
				for _, id := range []string{tooLongExternalID(), ""} {
					say := fmt.Sprintf("an external id of %d characters", len(id))
					byUUID, byID := newUUID(), newUUID()
					deleteManyLater(a, []string{byUUID, byID})
					attempts = append(attempts,
						attempt{"a create by uuid carrying " + say, client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project),
							JSON: map[string]any{"uuid": byUUID, "id": id, "title": newTitle("external id length")}}, byUUID},
						attempt{"a create by external id carrying " + say, externalIDs(a).post(map[string]any{"uuid": byID, "id": id, "title": newTitle("external id length")}), byID},
						attempt{"an update by uuid carrying " + say, client.Request{Method: http.MethodPut, Path: a.cases(),
							JSON: map[string]any{"uuid": target, "id": id, "title": newTitle("changed")}}, ""},
						attempt{"an update by external id carrying " + say, externalIDs(a).put(map[string]any{"id": id, "title": newTitle("changed")}), ""},
					)
				}
				// The attempts are independent, each refused: they go out at
				// once, and then what they must not have made or changed is
				// read, at once too.
				requests := make([]client.Request, len(attempts))
				for i, at := range attempts {
					requests[i] = at.req
					requests[i].OffContract, requests[i].Purpose = true, at.what
				}
				var gone []string
				for i, x := range doAll(ctx, env.API, requests...) {
					Expect(x).To(HaveResult(http.StatusBadRequest), "an external id has 1 to 255 characters: %s", attempts[i].what)
					if attempts[i].created != "" {
						gone = append(gone, attempts[i].created)
					}
				}
				reads := []client.Request{cases(a).get(target)}
				for _, uuid := range gone {
					reads = append(reads, cases(a).getGone(uuid))
				}
				xs := doAll(ctx, env.API, reads...)
				for i, uuid := range gone {
					expectGone(xs[i+1], "case "+uuid)
				}
				after := cases(a).of(xs[0])
				Expect(after.Title).To(Equal(before.Title), "a refused update changes nothing: the title")
				Expect(after.ID).To(Equal(before.ID), "a refused update changes nothing: the external id")
			})

			condition("E400-external-id-length-batch", format, func(ctx SpecContext) {
				fine, long, empty := newUUID(), newUUID(), newUUID()
				deleteManyLater(a, []string{fine, long, empty})
				longID := tooLongExternalID()
				create := batches(a).post([]map[string]any{
					{"uuid": fine, "id": newExternalID(), "title": newTitle("fine in a batch")},
					{"uuid": long, "id": longID, "title": newTitle("id too long in a batch")},
					{"uuid": empty, "id": "", "title": newTitle("empty id in a batch")},
				})
				create.OffContract, create.Purpose = true, "a batch create whose second item's external id is too long and third's empty"
				got := batches(a).of(env.API.Do(ctx, create), 3)
				got.expectItem(0, http.StatusCreated, nil, &fine)
				for i := 1; i < 3; i++ {
					got.expectItem(i, http.StatusBadRequest, nil, nil)
					Expect(got.Items[i].UUID).To(BeNil(), "batch result item %d: a failed create item has uuid null%s", i, Shown(got.X))
				}
				cases(a).expectGone(ctx, long)
				cases(a).expectGone(ctx, empty)
				update := batches(a).put([]map[string]any{
					{"id": longID, "title": newTitle("changed")},
					{"id": "", "title": newTitle("changed")},
				})
				update.OffContract, update.Purpose = true, "a batch update whose first item's external id is too long and second's empty"
				updated := batches(a).of(env.API.Do(ctx, update), 2)
				updated.expectItem(0, http.StatusBadRequest, &longID, nil)
				updated.expectItem(1, http.StatusBadRequest, nil, nil)
			})
		})
	}
})
