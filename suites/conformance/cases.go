package conformance

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/callcases/conformance/client"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("cases by uuid", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			condition("S200-get", format, func(ctx SpecContext) {
				phones := PhoneNumbers{PhoneNumber: []PhoneNumber{{Value: "8000000000", Type: "HOME"}, {Value: "8000000001", Type: "MOBILE"}}}
				// Spaces at either end, CR and LF, and a character outside the
				// Basic Multilingual Plane read back exactly as written.
				title, comment := newTitle("case, kept as written \r\n\U0001F600  "), "  conformance comment\r\non two lines \U0001F600 "
				uuid := cases(a).create(ctx, map[string]any{"title": title, "priority": 3, "comment": comment, "phoneNumbers": phones})

				c := cases(a).read(ctx, uuid)
				x := c.X
				Expect(c.UUID).To(Equal(uuid), "the read case is the one asked for"+Shown(x))
				Expect(c.Title).To(Equal(title), "the title reads back exactly as created"+Shown(x))
				Expect(c.Parent.UUID).To(Equal(env.Config.Project), "parent is the project the case was created in"+Shown(x))
				Expect(c.Priority).To(HaveValue(Equal(3)), "the priority reads back as created"+Shown(x))
				Expect(c.Comment).To(HaveValue(Equal(comment)), "the comment reads back exactly as created"+Shown(x))
				Expect(c.PhoneNumbers.PhoneNumber).To(ConsistOf(phones.PhoneNumber), "the phone numbers read back as created"+Shown(x))
				Expect(instant(c.LastModified)).NotTo(BeTemporally("<", instant(c.CreationDate)), "a case is not modified before it is created")
			})

			condition("S200-update", format, func(ctx SpecContext) {
				two := PhoneNumbers{PhoneNumber: []PhoneNumber{{Value: "8000000000", Type: "HOME"}, {Value: "8000000001", Type: "MOBILE"}}}
				one := PhoneNumbers{PhoneNumber: []PhoneNumber{{Value: "8000000002", Type: "WORK"}}}
				uuid := cases(a).create(ctx, map[string]any{"comment": "kept by a partial update", "phoneNumbers": two})
				before := cases(a).read(ctx, uuid)
				x := env.API.Do(ctx, cases(a).put(map[string]any{"uuid": uuid, "title": newTitle("renamed"), "phoneNumbers": one}))
				Expect(x).To(HaveResult(http.StatusOK))
				c := cases(a).read(ctx, uuid)
				Expect(c.Title).To(Equal(newTitle("renamed")), "a read after the update shows the new title")
				Expect(c.Comment).To(HaveValue(Equal("kept by a partial update")), "an update changes only the members it carries")
				Expect(c.PhoneNumbers.PhoneNumber).To(ConsistOf(one.PhoneNumber), "an update carrying phoneNumbers replaces the stored list")
				Expect(instant(c.CreationDate)).To(BeTemporally("==", instant(before.CreationDate)), "creationDate never moves: %s before the update, %s after", before.CreationDate, c.CreationDate)
				Expect(instant(c.LastModified)).NotTo(BeTemporally("<", instant(before.LastModified)), "a write never moves lastModified back: %s before the update, %s after", before.LastModified, c.LastModified)
			})

			condition("S200-delete", format, func(ctx SpecContext) {
				uuid := cases(a).create(ctx, nil)
				x := env.API.Do(ctx, cases(a).delete(uuid))
				Expect(x).To(HaveResult(http.StatusOK))
				cases(a).expectGone(ctx, uuid)
			})

			condition("S201-create", format, func(ctx SpecContext) {
				// The server assigns the uuid here; the external id finds the case for cleanup even if Location is wrong.
				id := newExternalID()
				deleteByExternalIDLater(a, id)
				x := env.API.Do(ctx, cases(a).post(map[string]any{"title": newTitle("created"), "id": id}))
				Expect(x).To(HaveResult(http.StatusCreated))
				location, err := x.Location()
				if err != nil {
					Fail(fmt.Sprintf("a 201 names the created case in Location: %v%s", err, Shown(x)))
				}
				base := env.API.Base().String()
				Expect(location).To(HavePrefix(base+"/"+a.format+"/"), "Location %q names a resource of the API under the path of the format the case was created in", location)

				read := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: strings.TrimPrefix(location, base), Purpose: "follow Location"})
				Expect(read).To(BeRead())
				var c CallCase
				decodeAs(read, &c, "a case")
				Expect(c.Title).To(Equal(newTitle("created")), "Location names the case just created"+Shown(read))
				Expect(c.ID).To(HaveValue(Equal(id)), "the external id reads back as created"+Shown(read))
			})

			condition("E409-uuid-taken", format, func(ctx SpecContext) {
				uuid := cases(a).create(ctx, nil)
				x := env.API.Do(ctx, cases(a).post(map[string]any{"uuid": uuid, "title": newTitle("second with the same uuid")}))
				Expect(x).To(HaveResult(http.StatusConflict))
				// uuids are global: creating by external id with it is 409 too.
				x = env.API.Do(ctx, externalIDs(a).post(map[string]any{"uuid": uuid, "id": newExternalID(), "title": newTitle("second with the same uuid, by external id")}))
				Expect(x).To(HaveResult(http.StatusConflict))
				c := cases(a).read(ctx, uuid)
				Expect(c.Title).To(Equal(newTitle("case")), "the existing case is untouched"+Shown(c.X))
			})

			condition("E409-uuid-taken-other-project", format, func(ctx SpecContext) {
				// uuids are global: one a case of the main project has is taken
				// in every other project too. The completed project is the other
				// one: its run cannot dial a case a broken target would add.
				uuid := cases(a).create(ctx, nil)
				other := env.Config.CompletedProject
				// Each attempt carries an external id of the run's, which finds
				// (and removes) a case a target created there anyway.
				ids := []string{newExternalID(), newExternalID()}
				later(func(ctx SpecContext) { deleteByExternalIDIn(ctx, a, other, ids...) })
				x := env.API.Do(ctx, cases(a).in(other).post(map[string]any{"uuid": uuid, "id": ids[0], "title": newTitle("same uuid, another project")}))
				Expect(x).To(HaveResult(http.StatusConflict), "a uuid a case of another project has is taken: uuids are global, across projects")
				x = env.API.Do(ctx, externalIDs(a).in(other).post(map[string]any{"uuid": uuid, "id": ids[1], "title": newTitle("same uuid, another project, by external id")}))
				Expect(x).To(HaveResult(http.StatusConflict), "a uuid a case of another project has is taken by external id too: uuids are global, across projects")
				c := cases(a).read(ctx, uuid)
				Expect(c.Title).To(Equal(newTitle("case")), "the existing case is untouched"+Shown(c.X))
				Expect(c.Parent.UUID).To(Equal(env.Config.Project), "the existing case stays in the main project"+Shown(c.X))
			})

			condition("S200-last-modified", format, func(ctx SpecContext) {
				// Each update changes something, so each must move lastModified
				// forward (an update that changes nothing may leave it).
				uuid := cases(a).create(ctx, map[string]any{"comment": "before the updates"})
				last := cases(a).read(ctx, uuid).LastModified
				for _, change := range []map[string]any{{"title": newTitle("updated once")}, {"comment": "updated twice"}} {
					change["uuid"] = uuid
					x := env.API.Do(ctx, cases(a).put(change))
					Expect(x).To(HaveResult(http.StatusOK))
					c := cases(a).read(ctx, uuid)
					Expect(instant(c.LastModified)).To(BeTemporally(">", instant(last)),
						"an update that changes a case moves its lastModified forward: %s before the update, %s after%s", last, c.LastModified, Shown(c.X))
					last = c.LastModified
				}
			})

			condition("S200-comment-absent", format, func(ctx SpecContext) {
				uuids := cases(a).createAll(ctx, nil, map[string]any{"comment": ""})
				reads := doAll(ctx, env.API, cases(a).get(uuids[0]), cases(a).get(uuids[1]))
				if c := cases(a).of(reads[0]); c.Comment != nil {
					Expect(*c.Comment).To(BeEmpty(), "a case created without a comment reads back without one: absent, null or empty"+Shown(reads[0]))
				}
				Expect(cases(a).of(reads[1]).Comment).To(HaveValue(Equal("")), "a case created with an empty comment reads back with an empty one"+Shown(reads[1]))
			})

			Context("unknown uuid", func() {
				// GET and DELETE of /projects/{p}/callcases/ without an id, and a
				// PUT of a case's own path, are methods those paths do not have.
				condition("E404-unknown-path", format, func(ctx SpecContext) {
					for _, r := range []client.Request{
						{Method: http.MethodGet, Path: a.external(env.Config.Project)},
						{Method: http.MethodDelete, Path: a.external(env.Config.Project)},
						{Method: http.MethodPut, Path: a.caseByUUID(unknownUUID())},
						{Method: http.MethodGet, Path: "/" + a.format + "/nowhere/"},
					} {
						r.OffContract, r.Purpose = true, "a method the path does not have, or no path of the API"
						Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusNotFound), "an unknown path, or a method a known path does not have, is 404")
					}
				})
				condition("E404-get", format, func(ctx SpecContext) {
					Expect(env.API.Do(ctx, cases(a).getGone(unknownUUID()))).To(HaveResult(http.StatusNotFound))
				})
				condition("E404-put", format, func(ctx SpecContext) {
					x := env.API.Do(ctx, cases(a).put(map[string]any{"uuid": unknownUUID(), "title": newTitle("nobody")}))
					Expect(x).To(HaveResult(http.StatusNotFound))
				})
				condition("E404-delete", format, func(ctx SpecContext) {
					Expect(env.API.Do(ctx, cases(a).delete(unknownUUID()))).To(HaveResult(http.StatusNotFound))
				})
				condition("E404-project-param", format, func(ctx SpecContext) {
					uuid := newUUID()
					deleteLater(a, uuid)
					x := env.API.Do(ctx, cases(a).in(unknownUUID()).post(map[string]any{"uuid": uuid, "title": newTitle("in no project")}))
					Expect(x).To(HaveResult(http.StatusNotFound))
					cases(a).expectGone(ctx, uuid)
				})
			})

			// Malformed creates: each must answer 400 and create nothing. The
			// uuid in each body finds the case if a target created it anyway.
			DescribeTable("malformed create",
				func(ctx SpecContext, build func(uuid string) client.Request) {
					attempts(ctx, func(ctx SpecContext) {
						uuid := newUUID()
						deleteLater(a, uuid)
						r := build(uuid)
						r.Method, r.OffContract = http.MethodPost, true
						if r.Path == "" {
							r.Path = a.cases()
						}
						Expect(env.API.Do(ctx, r)).To(HaveResult(http.StatusBadRequest))
						cases(a).expectGone(ctx, uuid)
					})
				},
				row("E400-empty-body", format, func(string) client.Request {
					return client.Request{Query: projectQuery(env.Config.Project), Raw: []byte{}, ContentType: a.mediaType()}
				}),
				row("E400-no-title", format, func(uuid string) client.Request {
					return client.Request{Query: projectQuery(env.Config.Project), JSON: map[string]any{"uuid": uuid, "comment": "no title"}}
				}),
				row("E400-malformed-json", format, func(uuid string) client.Request {
					body, contentType := encoded(a, map[string]any{"uuid": uuid, "title": newTitle("malformed")})
					body = bytes.TrimRight(body, " \t\r\n")
					return client.Request{Query: projectQuery(env.Config.Project), ContentType: contentType,
						Raw: body[:len(body)-1]} // cut short: its last "}" or ">" is missing
				}),
				row("E400-wrong-content-type", format, func(uuid string) client.Request {
					body, _ := encoded(a, map[string]any{"uuid": uuid, "title": newTitle("wrong content type")})
					return client.Request{Query: projectQuery(env.Config.Project), ContentType: "text/plain", Raw: body}
				}),
				row("E400-other-format-body", format, func(uuid string) client.Request {
					other := api{map[string]string{"json": "xml", "xml": "json"}[a.format]}
					body, contentType := encoded(other, map[string]any{"uuid": uuid, "title": newTitle("the other format's body")})
					return client.Request{Query: projectQuery(env.Config.Project), ContentType: contentType, Raw: body}
				}),
				row("E400-priority-too-large", format, func(uuid string) client.Request {
					return client.Request{Query: projectQuery(env.Config.Project), JSON: map[string]any{"uuid": uuid, "title": newTitle("priority past 2^53 - 1"), "priority": int64(1) << 53}}
				}),
				row("E400-no-project", format, func(uuid string) client.Request {
					return client.Request{JSON: map[string]any{"uuid": uuid, "title": newTitle("no project")}}
				}),
			)
		})
	}
})
