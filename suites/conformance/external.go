package conformance

import (
	"net/http"
	"slices"
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
				id, uuid := newExternalID(), newUUID()
				deleteLater(a, uuid)
				// The other projects' ids (for the second part) are read meanwhile.
				got := doAll(ctx, env.API, append([]client.Request{{Method: http.MethodPost, Path: a.external(env.Config.Project),
					JSON: map[string]any{"uuid": uuid, "id": id, "title": newTitle("created by external id")}}}, foreignListRequests(a)...)...)
				x := got[0]
				Expect(x).To(HaveResult(http.StatusCreated))

				read := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.byExternalID(env.Config.Project, id)})
				Expect(read).To(BeRead())
				var c CallCase
				decodeAs(read, &c, "a case")
				Expect(c.UUID).To(Equal(uuid), "a read by the external id finds the case created with it"+Shown(read))
				Expect(c.ID).To(HaveValue(Equal(id)), "the external id reads back as created"+Shown(read))
				Expect(c.Title).To(Equal(newTitle("created by external id")), "the title reads back as created"+Shown(read))

				// External ids are unique per project: an id another fixture
				// project already uses must still be free in the main project.
				foreign := foreignExternalIDs(a, got[1:])
				if len(foreign) == 0 {
					return
				}
				// The id must be free in the main project first: a case an
				// earlier run could not delete, or someone's, may hold it. The
				// lease (shares: external-id) keeps another run from taking
				// the same one meanwhile.
				id = freeInMainProject(ctx, a, foreign)
				if id == "" {
					notProvoked("every external id found in another fixture project (%s) is taken in the main project too, by cases this run did not create (callcases-conformance clean, or make conformance-clean, removes an earlier run's); the rest of the condition passed",
						strings.Join(foreign, ", "))
				}
				uuid = newUUID()
				// Deleted before the lease and the turn are given back (cleanup
				// runs last registered first), so that the next holder finds the id free.
				later(func(ctx SpecContext) { _ = deleteNow(ctx, a, uuid) })
				x = env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.external(env.Config.Project),
					JSON:    map[string]any{"uuid": uuid, "id": id, "title": newTitle("external id used in another project")},
					Purpose: "an external id of another project is free in this one"})
				Expect(x).To(HaveResult(http.StatusCreated), "external id %q exists in another project only", id)
			})

			condition("E209-duplicate-ext-id", format, func(ctx SpecContext) {
				id := newExternalID()
				first := newExternalCase(ctx, a, id)
				second := newUUID()
				deleteLater(a, second)
				x := env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.external(env.Config.Project),
					JSON: map[string]any{"uuid": second, "id": id, "title": newTitle("duplicate")}})
				Expect(x).To(HaveResult(209))

				read := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.byExternalID(env.Config.Project, id), Purpose: "only the first case has the id"})
				Expect(read).To(BeRead())
				var c CallCase
				decodeAs(read, &c, "a case")
				Expect(c.UUID).To(Equal(first), "the id still names the first case only"+Shown(read))
				cases(a).expectGone(ctx, second)
			})

			condition("E404-external-id", format, func(ctx SpecContext) {
				x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.byExternalID(env.Config.Project, newExternalID())})
				Expect(x).To(HaveResult(http.StatusNotFound))
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
					multipleChoices(env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: a.byExternalID(env.Config.Project, id)}))
				})
				condition("E300-put", format, func(ctx SpecContext) {
					share(ctx)
					multipleChoices(env.API.Do(ctx, client.Request{Method: http.MethodPut, Path: a.external(env.Config.Project),
						JSON: map[string]any{"id": id, "title": newTitle("must not be applied")}}))
					untouched(ctx)
				})
				condition("E300-delete", format, func(ctx SpecContext) {
					share(ctx)
					multipleChoices(env.API.Do(ctx, client.Request{Method: http.MethodDelete, Path: a.byExternalID(env.Config.Project, id)}))
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

// foreignListRequests read the first page of cases of each other fixture
// project, where foreignExternalIDs finds external ids in use elsewhere.
func foreignListRequests(a api) []client.Request {
	var out []client.Request
	for _, p := range []string{env.Config.CompletedProject, env.Config.AutoProject} {
		if p != "" && p != env.Config.Project {
			out = append(out, client.Request{Method: http.MethodGet, Path: a.cases(), Query: projectQuery(p), Purpose: "look for an external id in another project"})
		}
	}
	return out
}

// foreignExternalIDs are the external ids that the cases the lists of
// foreignListRequests show have, in order, once each.
func foreignExternalIDs(a api, pages []*client.Exchange) []string {
	GinkgoHelper()
	var ids []string
	for _, x := range pages {
		l, found := lists(a).ofOrEmpty(x)
		if !found {
			continue
		}
		for _, c := range l.CallCase {
			if c.ID != nil && *c.ID != "" && !slices.Contains(ids, *c.ID) {
				ids = append(ids, *c.ID)
			}
		}
	}
	return ids
}

// freeInMainProject returns the first of ids that no case of the main
// project has (a read by it answers 404), "" when every one is taken. The
// reads go out a few at once: the first is nearly always free.
func freeInMainProject(ctx SpecContext, a api, ids []string) string {
	GinkgoHelper()
	for chunk := range slices.Chunk(ids, 4) {
		reads := make([]client.Request, len(chunk))
		for i, id := range chunk {
			reads[i] = client.Request{Method: http.MethodGet, Path: a.byExternalID(env.Config.Project, id), Purpose: "is this external id free in the main project?"}
		}
		for i, x := range doAll(ctx, env.API, reads...) {
			Expect(x).To(AnswerOneOf(HaveResult(http.StatusNotFound), BeRead(), HaveResult(http.StatusMultipleChoices)))
			if x.Status == http.StatusNotFound {
				return chunk[i]
			}
		}
	}
	return ""
}
