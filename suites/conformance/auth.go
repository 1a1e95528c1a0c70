package conformance

import (
	"net/http"
	"net/url"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/harness"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("authentication and rights", func() {
	for _, format := range formats {
		a := api{format}
		Context(format, func() {
			DescribeTable("credentials the target must refuse",
				func(ctx SpecContext, as func() *client.Client) {
					attempts(ctx, func(ctx SpecContext) {
						x := as().Do(ctx, client.Request{Method: http.MethodGet, Path: a.project(env.Config.Project), OffContract: true})
						Expect(x).To(HaveResult(http.StatusUnauthorized))
						Expect(x).To(HaveBasicChallenge())
					})
				},
				row("E401-no-credentials", format, func() *client.Client { return env.API.WithAuthorization("") }),
				row("E401-wrong-password", format, func() *client.Client {
					return env.API.As(client.Credentials{Username: env.Config.Username, Password: "wrong-" + env.RunID})
				}),
				row("E401-unknown-user", format, func() *client.Client {
					return env.API.As(client.Credentials{Username: "nobody-" + env.RunID, Password: "x-" + env.RunID})
				}),
				row("E401-malformed-header", format, func() *client.Client { return env.API.WithAuthorization("Basic not*base64") }),
			)

			condition("P-401-before-404", format, func(ctx SpecContext) {
				x := env.API.WithAuthorization("").Do(ctx, client.Request{Method: http.MethodGet, Path: "/" + format + "/no-such-resource/" + unknownUUID(), OffContract: true})
				Expect(x).To(HaveResult(http.StatusUnauthorized))
				Expect(x).To(HaveBasicChallenge())
			})

			Context("the read-only user", func() {
				condition("E403-create", format, func(ctx SpecContext) {
					uuid := newUUID()
					deleteLater(a, uuid)
					read := forbidden(ctx, a, env.ReadOnly.Do(ctx, cases(a).post(map[string]any{"uuid": uuid, "title": newTitle("read-only create")})), cases(a).getGone(uuid))[0]
					expectGone(read, "case "+uuid)
				})

				condition("E403-update", format, func(ctx SpecContext) {
					uuid := cases(a).create(ctx, nil)
					read := forbidden(ctx, a, env.ReadOnly.Do(ctx, cases(a).put(map[string]any{"uuid": uuid, "title": newTitle("read-only update")})),
						cases(a).get(uuid))[0]
					c := cases(a).of(read)
					Expect(c.Title).To(Equal(newTitle("case")), "the refused update changed nothing"+Shown(read))
				})

				condition("E403-delete", format, func(ctx SpecContext) {
					uuid := cases(a).create(ctx, nil)
					cases(a).of(forbidden(ctx, a, env.ReadOnly.Do(ctx, cases(a).delete(uuid)), cases(a).get(uuid))[0])
				})

				condition("E403-set-state", format, func(ctx SpecContext) {
					uuid := cases(a).create(ctx, nil)
					before := states(a).read(ctx, uuid).State
					read := forbidden(ctx, a, env.ReadOnly.Do(ctx, states(a).set(uuid, url.Values{"state": {"refused"}})),
						states(a).get(uuid))[0]
					after := states(a).of(read).State
					Expect(after).To(Equal(before), "the refused set-state left the state"+Shown(read))
				})

				condition("E403-calllist", format, func(ctx SpecContext) {
					before := projects(a).read(ctx, env.Config.Project).State
					read := forbidden(ctx, a, env.ReadOnly.Do(ctx, calllists(a).command(env.Config.Project, "stop")), projects(a).get(env.Config.Project))[0]
					after := projects(a).of(read).State
					Expect(after).To(Equal(before), "the refused command left the project"+Shown(read))
				})

				condition("E403-fault-hook", format, func(ctx SpecContext) {
					// The attempt is made in a scope of its own, where the hook has
					// them, so that a hook that wrongly applies it disturbs no one;
					// on a hook without, it would be global: the spec holds the
					// lease (shares: faults).
					scope := ""
					if env.Scopes {
						scope = env.NewScope()
					}
					later(func(ctx SpecContext) {
						if err := env.ResetFault(ctx, scope, harness.Dialer); err != nil {
							runError("%v", err)
						}
					})
					readOnlyHook := env.Faults.As(client.Credentials{Username: env.Config.ReadOnlyUsername, Password: env.Config.ReadOnlyPassword})
					read := readOnlyHook.Do(ctx, faultHook().read())
					Expect(read).To(BeRead(), "the read-only user may read the fault hook")
					x := readOnlyHook.Do(ctx, faultHook().put(scope, harness.Dialer, harness.FaultDown))
					Expect(x).To(HaveResult(http.StatusForbidden))
					hook, err := env.ReadHook(ctx)
					noError(err, "reading the fault hook back")
					Expect(hook.FaultOf(scope, harness.Dialer)).To(Equal(harness.FaultNone), "the fault was not set")
				})

				condition("P-403-before-404", format, func(ctx SpecContext) {
					x := env.ReadOnly.Do(ctx, client.Request{Method: http.MethodDelete, Path: "/" + format + "/no-such-resource/" + unknownUUID(), OffContract: true})
					Expect(x).To(HaveResult(http.StatusForbidden))
				})
			})
		})
	}
})
