package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/matchers"
	. "github.com/callcases/conformance/matchers"
	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// labels derives a spec's decorators from its catalogue row, so that
// --label-filter can pick a condition, a code, an area, a format, what it
// needs, or only the specs that do not write.
func labels(id, format string) []any {
	c := catalogue.Get(id)
	decorators := []any{Label(c.Labels(format, "")...)}
	// What the row shares decides, on this target, whether its specs must
	// not meet the run's other specs (catalogue.Share.Alone).
	if c.Serial || c.Shares.Alone(target()) {
		decorators = append(decorators, Serial)
	}
	// The specs that take turns on a shared state start before the others:
	// their turns are the run's longest sequences of round trips.
	p := c.Priority()
	if c.Area == "explore" {
		// Exploration spends its time budget whatever the network: on a
		// slow one it is as long as the turns on the operator, and starts
		// with them.
		p = catalogue.Condition{Shares: catalogue.SharesMembership}.Priority()
	}
	if p != 0 {
		decorators = append(decorators, SpecPriority(p))
	}
	return decorators
}

// target is what the build learned of the target, as the catalogue's
// shares read it.
func target() catalogue.Target {
	b := build()
	return catalogue.Target{Hook: b.HookConfigured, Scopes: b.HookScopes, FineClock: b.ClockFine}
}

// orderedDecorators are those of an Ordered container of these conditions'
// specs (they take turns on one state, or a family's BeforeAll feeds them),
// run in order on one process: Serial too when one of them is, as Ginkgo
// requires.
func orderedDecorators(ids ...string) []any {
	decorators := []any{Ordered, ContinueOnFailure}
	for _, id := range ids {
		if slices.Contains(labels(id, ""), any(Serial)) {
			return append(decorators, Serial)
		}
	}
	return decorators
}

// sharing are the ids of the catalogue's rows that share s, in file order.
func sharing(s catalogue.Share) []string {
	var ids []string
	for _, c := range catalogue.All() {
		if c.Shares == s {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// inTurns is the shared state whose container (turns) is being declared.
var inTurns catalogue.Share

// turns declares the container of the specs whose rows share s, a state
// they take turns on (catalogue.Share.Ordered): they run in order, in both
// formats, on one process, which they would otherwise keep waiting for
// their turns, and start first (see labels). The run holds the lease from
// the first to the last of them, not taking it and giving it back for each.
// Its specs are the catalogue's rows that share s: a condition of another
// row inside it, or one of these rows outside it, fails the suite's build.
func turns(s catalogue.Share, text string, body func()) bool {
	GinkgoHelper()
	return Describe(text, append(orderedDecorators(sharing(s)...), func() {
		BeforeAll(func(ctx SpecContext) { keepLease(ctx, s.Why()) })
		inTurns = s
		defer func() { inTurns = "" }()
		body()
	})...)
}

// takeTurn, before the body of a spec whose row shares s, takes the fault
// hook's lease and the spec's turn on s for the rest of the spec; a spec
// body never names the state it shares.
func takeTurn(ctx SpecContext, s catalogue.Share) {
	GinkgoHelper()
	if s.Turns(env.Scopes) {
		holdLease(ctx, s, s.Why())
	}
}

// title is the spec's name: the condition id, then what it certifies.
func title(id string) string {
	return id + ": " + catalogue.Get(id).Certifies
}

// condition declares the spec of one catalogue row. As a helper it makes
// Ginkgo record the caller's line, so that junit, report.json, the HTML
// report and Ginkgo's output point at the spec itself.
//
// The spec takes its turn on what its row shares (takeTurn) before its body
// runs, at every attempt; a row whose share is Ordered is declared inside
// that share's container (turns).
func condition(id, format string, body func(SpecContext)) bool {
	GinkgoHelper()
	c := catalogue.Get(id)
	switch {
	case c.Shares.Ordered() && c.Shares != inTurns:
		panic(fmt.Sprintf("condition %s shares %q: declare it inside that state's container, turns(%q, ...)", id, c.Shares, c.Shares))
	case !c.Shares.Ordered() && inTurns != "":
		panic(fmt.Sprintf("condition %s does not share %q: declare it outside turns(%q, ...), which holds only the rows that share it", id, inTurns, inTurns))
	}
	return It(title(id), append(labels(id, format), func(ctx SpecContext) {
		attempts(ctx, func(ctx SpecContext) {
			takeTurn(ctx, c.Shares)
			body(ctx)
		})
	})...)
}

// row declares one entry of a DescribeTable family, located at the caller.
func row(id, format string, params ...any) TableEntry {
	GinkgoHelper()
	if catalogue.Get(id).Shares != "" {
		panic(fmt.Sprintf("row %s shares a state: declare it with condition, which takes its turn", id))
	}
	return Entry(title(id), append(labels(id, format), params...)...)
}

// checkNeeds, before every spec (see beforeEachSpec), checks its catalogue
// row's needs (its needs: labels): a spec whose target lacks one is skipped,
// reported not provoked, naming the setting to give. Spec bodies never check
// for them.
func checkNeeds() {
	for _, n := range catalogue.ParseLabels(CurrentSpecReport().Labels()).Needs {
		if env.Config.Missing(n) != "" {
			notProvoked("needs %s: %s is not set", n.Name(), n.Setting())
		}
	}
}

// runError fails the spec as an error of the run (a fixture that could not
// be made, a fault that could not be set), not a verdict on the API: the
// report entry, not the text, is what the reports read.
func runError(format string, args ...any) {
	GinkgoHelper()
	msg := client.Redact(fmt.Sprintf(format, args...), matchers.Secrets()...)
	interceptLoss()
	if !CurrentSpecReport().Failed() {
		// A verdict already given (the body failed, then its cleanup) stands.
		AddReportEntry(report.RunErrorEntry, msg, ReportEntryVisibilityNever)
	}
	Fail("run error: " + msg)
}

// notProvoked skips the spec, reported "not provoked" with the reason: the
// target lacks what the condition needs.
func notProvoked(format string, args ...any) {
	GinkgoHelper()
	msg := fmt.Sprintf(format, args...)
	AddReportEntry(report.NotProvokedEntry, msg, ReportEntryVisibilityNever)
	Skip(msg)
}

// timeoutVerdicts are exchanges whose timeout is the behaviour under test
// (a target that hangs instead of answering 504), not an error of the run.
var timeoutVerdicts = map[*client.Exchange]bool{}

// timeoutIsVerdict marks x: if it timed out, that is the API's failure.
func timeoutIsVerdict(x *client.Exchange) { timeoutVerdicts[x] = true }

// forgetExchanges, before every spec, drops what the log holds from before
// it, so that the AfterEach below checks the spec's own exchanges.
func forgetExchanges() {
	env.Log.Take()
	clear(timeoutVerdicts)
}

// After every spec: a spec that failed while an exchange got no answer (the
// target went away, a connection broke, a timeout) failed because of the
// run, in every condition, however the spec asserted; and every exchange of
// a spec must keep the contract, even one the spec did not assert on
// (setup, follow-up reads).
var _ = AfterEach(func() {
	exchanges := env.Log.Take()
	if CurrentSpecReport().Failed() {
		if cause := transportFailure(exchanges); cause != "" {
			AddReportEntry(report.RunErrorEntry, cause, ReportEntryVisibilityNever)
		}
	}
	for _, x := range exchanges {
		if !x.Asserted && x.Err == nil && len(x.Violations) > 0 {
			Expect(x).To(KeepContract(), "an exchange of the spec at %s that no assertion checked", CurrentSpecReport().LeafNodeLocation)
		}
	}
})

// transportFailure is the first exchange that got no answer, as its request
// and real cause, or "" when every exchange was answered (or the only ones
// that were not are the verdict itself).
func transportFailure(exchanges []*client.Exchange) string {
	for _, x := range exchanges {
		if x.Err == nil || x.Retried || (timeoutVerdicts[x] && isTimeout(x.Err)) {
			continue
		}
		what := x.Request.Method + " " + x.Request.Path
		if x.HTTPRequest != nil {
			what = x.HTTPRequest.Method + " " + x.HTTPRequest.URL.Path
		}
		return client.Redact(fmt.Sprintf("no answer to %s: %v", what, x.Err), matchers.Secrets()...)
	}
	return ""
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

var sequence atomic.Int64

// newUUID is a case uuid this run owns: the run id, the process, a counter.
// The suite chooses uuids itself (docs/rules.md, identifiers) so that it can
// clean up a case even when the answer that created it was lost.
func newUUID() string {
	return fmt.Sprintf("%s%02d%06d", env.UUIDPrefix(), GinkgoParallelProcess(), sequence.Add(1))
}

// newExternalID is an external id this run owns; it has a space in it, so
// every path that carries it exercises percent-encoding.
func newExternalID() string {
	return fmt.Sprintf("%s%02d-%06d", env.ExternalIDPrefix(), GinkgoParallelProcess(), sequence.Add(1))
}

func newTitle(what string) string {
	return env.TitlePrefix() + what
}

// api builds requests for one format.
type api struct{ format string }

func (a api) cases() string                 { return "/" + a.format + "/callcases/" }
func (a api) caseByUUID(uuid string) string { return a.cases() + url.PathEscape(uuid) }
func (a api) project(p string) string       { return "/" + a.format + "/projects/" + url.PathEscape(p) }
func (a api) byExternalID(p, id string) string {
	return a.project(p) + "/callcases/" + url.PathEscape(id)
}
func (a api) external(p string) string  { return a.project(p) + "/callcases/" }
func (a api) batch(p string) string     { return a.project(p) + "/callcases-batch/" }
func (a api) calllist(p string) string  { return a.project(p) + "/calllist/" }
func (a api) operators(p string) string { return a.project(p) + "/operators/" }

func projectQuery(p string) url.Values { return url.Values{"project": {p}} }

// mediaType is the Content-Type of the format's bodies.
func (a api) mediaType() string { return "application/" + a.format }

// encoded is a create's body in the format, as the client writes it, for
// rows that send it broken or mislabelled: one value, never a hand-typed
// second copy in each format.
func encoded(a api, value map[string]any) ([]byte, string) {
	GinkgoHelper()
	body, contentType, err := env.API.Body(client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), JSON: value})
	if err != nil || len(body) == 0 {
		runError("the suite could not write a %s body: %v", a.format, err)
	}
	return body, contentType
}

// setup fails the spec as an error of the run, not a verdict, when an
// exchange the spec needs as groundwork could not be made or did not answer
// the code it needs. An answer with the right code that breaks the contract
// (a 201 without Location, say) is left to the AfterEach check, so it counts
// as the API's failure, which it is.
func setup(x *client.Exchange, code int, what string) {
	GinkgoHelper()
	if x.Err == nil && x.Status == code {
		return
	}
	m := HaveResult(code)
	_, _ = m.Match(x)
	x.Asserted = false // its contract violations, if any, are not yet reported
	runError("setup could not %s:\n%s", what, m.FailureMessage(x))
}

// CallCase is the case resource as the suite reads it.
type CallCase struct {
	UUID   string  `json:"uuid"`
	ID     *string `json:"id"`
	Title  string  `json:"title"`
	Parent struct {
		UUID string `json:"uuid"`
	} `json:"parent"`
	State struct {
		ID string `json:"id"`
	} `json:"state"`
	Priority     *int         `json:"priority"`
	Comment      *string      `json:"comment"`
	PhoneNumbers PhoneNumbers `json:"phoneNumbers"`
	CreationDate string       `json:"creationDate"`
	LastModified string       `json:"lastModified"`
	Scheduled    *string      `json:"scheduledTime"`
	Operator     *struct {
		UUID string `json:"uuid"`
	} `json:"operator"`
}

type PhoneNumbers struct {
	PhoneNumber []PhoneNumber `json:"phoneNumber"`
}

type PhoneNumber struct {
	Value string `json:"value"`
	Type  string `json:"phoneNumberType"`
}

type caseList struct {
	Page     int        `json:"page"`
	Count    int        `json:"count"`
	CallCase []CallCase `json:"callcase"`
}

// instant parses a date the API wrote (RFC 3339 with an offset).
func instant(s string) time.Time {
	GinkgoHelper()
	t, err := contract.ParseDate(s)
	if err != nil {
		Fail(fmt.Sprintf("date %q is not RFC 3339 with an offset: %v", s, err))
	}
	return t
}

// cleanupContext is ctx without its cancellation: an interrupt (or the
// run's deadline) cancels the node under way, a cleanup included, and a
// cleanup request given up half way would leave what it puts back in a
// state nobody knows. Each request is still bounded by the client's
// timeout, and a second signal still stops the run without waiting.
func cleanupContext(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

// reportLeftover judges a cleanup request that did not answer as it should:
// it reads the target back, and records what is really left (a case the
// target never created is not), so that the run can say exactly what it left
// behind: in this spec's output, and in the summary (see ReportAfterSuite).
func reportLeftover(kind, id string, x *client.Exchange) {
	// Its own context: cleanup may run after the spec's context was cancelled by an interrupt.
	ctx, cancel := context.WithTimeout(context.Background(), 2*env.Config.Timeout)
	defer cancel()
	var l *harness.Leftover
	switch kind {
	case "case":
		l = env.CaseLeftover(ctx, id, x)
	case "operator membership":
		l = env.MembershipLeftover(ctx, env.Config.Project, env.Config.Operator, x)
	default:
		reason := fmt.Sprintf("answered %d", x.Status)
		if x.Err != nil {
			reason = x.Err.Error()
		}
		l = &harness.Leftover{Kind: kind, ID: id, Reason: reason}
	}
	if l == nil {
		fmt.Fprintf(GinkgoWriter, "cleanup of %s %s answered %d, but it is gone\n", kind, id, x.Status)
		return
	}
	recordLeftover(*l)
}

// recordLeftover puts what the run could not remove into the report, from
// which ReportAfterSuite collects every process's into the summary.
func recordLeftover(l harness.Leftover) {
	l.Reason = client.Redact(l.Reason, matchers.Secrets()...)
	AddReportEntry(harness.LeftoverEntry, l)
	fmt.Fprintf(GinkgoWriter, "LEFTOVER: %s\n", l)
}

// newCase creates a case in the main project through POST /callcases/?project=,
// with fields added to a fresh uuid and title, and returns its uuid.
func newCase(ctx SpecContext, a api, fields map[string]any) string {
	GinkgoHelper()
	body := map[string]any{"uuid": newUUID(), "title": newTitle("case")}
	for k, v := range fields {
		body[k] = v
	}
	uuid := body["uuid"].(string)
	deleteLater(a, uuid)
	x := env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.cases(), Query: projectQuery(env.Config.Project), JSON: body, Purpose: "create a case to work on"})
	setup(x, http.StatusCreated, "create a case")
	return uuid
}

// newExternalCase creates a case with an external id through POST /projects/{p}/callcases/.
func newExternalCase(ctx SpecContext, a api, id string) string {
	GinkgoHelper()
	uuid := newUUID()
	deleteLater(a, uuid)
	x := env.API.Do(ctx, client.Request{Method: http.MethodPost, Path: a.external(env.Config.Project),
		JSON: map[string]any{"uuid": uuid, "id": id, "title": newTitle("case with an external id")}, Purpose: "create a case with an external id"})
	setup(x, http.StatusCreated, "create a case with an external id")
	return uuid
}

// readCase reads a case that must exist.
func readCase(ctx SpecContext, a api, uuid string) CallCase {
	GinkgoHelper()
	return decodeCase(env.API.Do(ctx, readRequest(a, uuid)))
}

// decodeCase holds a read of a case that must exist, and decodes it.
func decodeCase(x *client.Exchange) CallCase {
	GinkgoHelper()
	Expect(x).To(BeRead())
	var c CallCase
	decodeAs(x, &c, "a case")
	return c
}

// expectNoCase asserts that no case with this uuid exists.
func expectNoCase(ctx SpecContext, a api, uuid string) {
	GinkgoHelper()
	expectGone(env.API.Do(ctx, noCaseRequest(a, uuid)), "case "+uuid)
}

// noCaseRequest reads a case that must not exist (expectGone judges it).
func noCaseRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.caseByUUID(uuid), Purpose: "check that the case does not exist"}
}

// expectGone judges a read-back of something that must not exist: it says
// the thing exists only when the read found it, and otherwise what was wrong
// with the answer (a 404 whose body is not the table's, another code).
func expectGone(x *client.Exchange, what string) {
	GinkgoHelper()
	if x.Err == nil && x.Status == http.StatusOK {
		x.Asserted = true
		interceptLoss()
		Fail(fmt.Sprintf("a read finds what must not exist\n(%s)%s", what, Shown(x)))
	}
	reason := fmt.Sprintf("what must not exist must be read back as the table's 404\n(%s)", what)
	if x.Err == nil && x.Status == http.StatusNotFound {
		// The thing's name on a line of its own: the first line is the
		// cause the reports group failures by.
		reason = fmt.Sprintf("the read-back of what must not exist answered 404, but the 404's body or contract is wrong\n(%s is gone)", what)
	}
	Expect(x).To(HaveResult(http.StatusNotFound), reason)
}

// readState reads a case's state through get-state.
func readState(ctx SpecContext, a api, uuid string) string {
	GinkgoHelper()
	state, _ := readStateX(ctx, a, uuid)
	return state
}

// readStateX reads a case's state, with the exchange for failure messages.
func readStateX(ctx SpecContext, a api, uuid string) (string, *client.Exchange) {
	GinkgoHelper()
	x := env.API.Do(ctx, stateRequest(a, uuid))
	return stateOf(x), x
}

func stateRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.caseByUUID(uuid) + "/get-state", Purpose: "read the state"}
}

// stateOf holds a get-state that must succeed and returns the state.
func stateOf(x *client.Exchange) string {
	GinkgoHelper()
	Expect(x).To(BeRead())
	return strings.TrimSuffix(string(x.Body), "\n")
}

// readProject reads a fixture project.
func readProject(ctx SpecContext, a api, uuid string) string {
	GinkgoHelper()
	state, _ := readProjectX(ctx, a, uuid)
	return state
}

// readProjectX reads a fixture project's state, with the exchange for failure messages.
func readProjectX(ctx SpecContext, a api, uuid string) (string, *client.Exchange) {
	GinkgoHelper()
	x := env.API.Do(ctx, projectRequest(a, uuid))
	return projectStateOf(x), x
}

func projectRequest(a api, uuid string) client.Request {
	return client.Request{Method: http.MethodGet, Path: a.project(uuid), Purpose: "read the project's state"}
}

// projectStateOf holds a read of a fixture project and returns its state.
func projectStateOf(x *client.Exchange) string {
	GinkgoHelper()
	Expect(x).To(BeRead())
	var p struct {
		State string `json:"state"`
	}
	decodeAs(x, &p, "a project")
	return p.State
}

// memberUUIDs lists the uuids of a project's operators.
func memberUUIDs(ctx SpecContext, a api, project string) []string {
	GinkgoHelper()
	return memberUUIDsOf(env.API.Do(ctx, harness.OperatorsRequest(a.format, project)), project)
}

// memberUUIDsOf reads the answer to harness.OperatorsRequest for project.
func memberUUIDsOf(x *client.Exchange, project string) []string {
	GinkgoHelper()
	ops, err := harness.OperatorsOf(x)
	noError(err, "listing the operators of %s", project)
	uuids := make([]string, len(ops))
	for i, o := range ops {
		uuids[i] = o.UUID
	}
	return uuids
}

// noError fails the spec, saying what it was doing, when a helper of the
// harness could not do it; the error's own words, not Gomega's dump of it.
func noError(err error, doing string, args ...any) {
	GinkgoHelper()
	if err != nil {
		interceptLoss()
		Fail(fmt.Sprintf(doing, args...) + ": " + client.Redact(err.Error(), matchers.Secrets()...))
	}
}

// unknownUUID is a uuid no target has: this run's id and a counter, never created.
func unknownUUID() string { return "zz" + newUUID() }

// decodeAs decodes an answer's body into v; a body that does not read as
// what it should be fails the spec saying so, with the exchange.
func decodeAs(x *client.Exchange, v any, what string) {
	GinkgoHelper()
	if err := x.Decode(v); err != nil {
		Fail(fmt.Sprintf("the answer is not %s: %v%s", what, err, Shown(x)))
	}
}

// statusBodyOf decodes an answer's status body; one that does not read as a
// status body fails the spec saying so, with the exchange.
func statusBodyOf(x *client.Exchange) client.StatusBody {
	GinkgoHelper()
	sb, err := x.StatusBody()
	if err != nil {
		Fail(fmt.Sprintf("the answer is not a status body: %v%s", err, Shown(x)))
	}
	return sb
}
