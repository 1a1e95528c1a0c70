package conformance

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
	. "github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"
)

// A family's rows are independent calls, one per operation: sent one spec
// after another they would cost a round trip each, which on a slow network
// is most of a run. So a family is an Ordered container whose BeforeAll
// sends the calls of every row that will run at once (sendFamily), and each
// row then judges its own answer, with its own exchanges: a failure names
// the row's operation and shows its exchange, as if the row had sent it. A
// row whose call was not sent with the others (selected in a way the
// BeforeAll could not foresee) sends it itself.

// familyCall is what one row of a family sends.
type familyCall struct {
	op      contract.Operation
	variant string
	// as is who sends it; nil: the full-rights user.
	as   func() *client.Client
	call func() call
}

func (fc familyCall) key() string { return fc.op.ID + "\x00" + fc.variant }

// opsWhere lists the operations a family covers.
func opsWhere(keep func(contract.Operation) bool) []contract.Operation {
	var out []contract.Operation
	for _, op := range operations {
		if keep(op) {
			out = append(out, op)
		}
	}
	return out
}

// callsTo is one call per operation that keep holds for, each sent as c
// says when the run is under way.
func callsTo(keep func(contract.Operation) bool, variant string, as func() *client.Client, c func() call) []familyCall {
	var out []familyCall
	for _, op := range opsWhere(keep) {
		out = append(out, familyCall{op: op, variant: variant, as: as, call: c})
	}
	return out
}

// familyAnswer is what one row got.
type familyAnswer struct {
	x *client.Exchange
	// uuid is the case a create would make, "" for other operations;
	// readBack, when the family reads back, is the read of that case
	// after the call (and after its fault is put back).
	uuid     string
	readBack *client.Exchange
}

func (ans familyAnswer) exchanges() []*client.Exchange {
	if ans.readBack == nil {
		return []*client.Exchange{ans.x}
	}
	return []*client.Exchange{ans.x, ans.readBack}
}

// familyWidth bounds how many calls of one family are in flight at once,
// so that a family costs a staging a burst of connections it can take.
const familyWidth = 32

// sendFamily sends calls at once through via (nil: each call's own sender)
// and, with readBack, then reads back at once every case a create among
// them could have made (the caller puts a fault back in between, with
// between). What the creates made is deleted when the process is done.
func sendFamily(ctx SpecContext, a api, calls []familyCall, via *client.Client, between func(), readBack bool) []familyAnswer {
	GinkgoHelper()
	out := make([]familyAnswer, len(calls))
	requests := make([]client.Request, len(calls))
	senders := make([]*client.Client, len(calls))
	for i, fc := range calls {
		requests[i], out[i].uuid = callOf(fc.op, a.format, fc.call())
		if !creates(fc.op) {
			out[i].uuid = ""
		} else {
			deleteLater(a, out[i].uuid)
		}
		switch {
		case via != nil:
			senders[i] = via
		case fc.as != nil:
			senders[i] = fc.as()
		default:
			senders[i] = env.API
		}
	}
	got := doEach(ctx, senders, requests)
	for i := range out {
		out[i].x = got[i]
	}
	if between != nil {
		between()
	}
	if !readBack {
		return out
	}
	var reads []client.Request
	var at []int
	for i, ans := range out {
		if ans.uuid != "" {
			reads = append(reads, cases(a).getGone(ans.uuid))
			at = append(at, i)
		}
	}
	for j, x := range doAll(ctx, env.API, reads...) {
		out[at[j]].readBack = x
	}
	return out
}

// doEach sends requests[i] through senders[i], at most familyWidth at once,
// and returns the exchanges in request order.
func doEach(ctx context.Context, senders []*client.Client, requests []client.Request) []*client.Exchange {
	out := make([]*client.Exchange, len(requests))
	slots := make(chan struct{}, familyWidth)
	var wg sync.WaitGroup
	for i := range requests {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			out[i] = senders[i].Do(ctx, requests[i])
		})
	}
	wg.Wait()
	return out
}

// answeredAndNothingMade is a family's check: the answer has code, and a
// create's case was not made (its read-back, where the family reads back).
func answeredAndNothingMade(code int) func(familyAnswer) {
	return func(ans familyAnswer) {
		GinkgoHelper()
		Expect(ans.x).To(HaveResult(code))
		if ans.readBack != nil {
			expectGone(ans.readBack, "case "+ans.uuid)
		}
	}
}

// familyRowOf is one row of a family: the catalogue row's title with the
// operation (and the variant) named, and its decorators with the label
// op:ID.
func familyRowOf(id, format string, op contract.Operation, variant string) (string, []any) {
	text := fmt.Sprintf("%s [%s %s]", title(id), op.ID, variant)
	if variant == "" {
		text = fmt.Sprintf("%s [%s]", title(id), op.ID)
	}
	return text, append(labels(id, format), Label(catalogue.OpLabel(op.ID)))
}

// familyTable declares a family over calls as an Ordered container whose
// BeforeAll takes the turn on what the family's row shares (takeTurn),
// then sends, with send, the calls of the rows that will run, and whose
// rows each judge their own answer with check.
func familyTable(text, id, format string, calls []familyCall,
	send func(ctx SpecContext, calls []familyCall) []familyAnswer, check func(ans familyAnswer)) {
	GinkgoHelper()
	shares := catalogue.Get(id).Shares
	if shares.Ordered() {
		panic(fmt.Sprintf("family %s shares %q, whose specs take turns in one container: a family is a container of its own", id, shares))
	}
	var answers map[string]familyAnswer
	rows := make([]TableEntry, len(calls))
	texts, labels := make([]string, len(calls)), make([][]string, len(calls))
	for i, fc := range calls {
		var rowDecorators []any
		texts[i], rowDecorators = familyRowOf(id, format, fc.op, fc.variant)
		labels[i] = labelsOf(rowDecorators)
		rows[i] = Entry(texts[i], append(rowDecorators, fc)...)
	}
	Describe(text, append(orderedDecorators(id), func() {
		BeforeAll(func(ctx SpecContext) {
			takeTurn(ctx, shares)
			suite, _ := GinkgoConfiguration()
			containers := CurrentSpecReport().ContainerHierarchyTexts
			var chosen []familyCall
			for i, fc := range calls {
				if willRun(suite, containers, texts[i], labels[i]) {
					chosen = append(chosen, fc)
				}
			}
			got := send(ctx, chosen)
			answers = make(map[string]familyAnswer, len(got))
			var sent []*client.Exchange
			for i, ans := range got {
				answers[chosen[i].key()] = ans
				sent = append(sent, ans.exchanges()...)
			}
			// Each row's exchanges are its own (the AfterEach checks what no
			// assertion checked, and names a transport failure), not the
			// first row's, under way while the BeforeAll runs.
			env.Log.Withdraw(sent...)
		})
		DescribeTable("its answers, one row per operation", func(ctx SpecContext, fc familyCall) {
			ans, ok := answers[fc.key()]
			delete(answers, fc.key()) // the row's alone: kept no longer than it needs
			// The row's first attempt judges the answer the BeforeAll got;
			// one that lost it sends its call again itself, with new ids.
			attempts(ctx, func(ctx SpecContext) {
				if ok {
					for _, x := range ans.exchanges() {
						env.Log.Add(x)
					}
					ok = false
				} else {
					ans = send(ctx, []familyCall{fc})[0]
				}
				check(ans)
			})
		}, rows)
	})...)
}

// willRun tells whether Ginkgo will run a spec with this text and these
// labels, under the suite's label filter and focus and skip expressions
// (the rules of Ginkgo's own selection). File filters need no weighing:
// the rows of a family share their code locations, so one selects all of
// them or none.
func willRun(suite types.SuiteConfig, containers []string, text string, labels []string) bool {
	if suite.LabelFilter != "" {
		filter, err := types.ParseLabelFilter(suite.LabelFilter)
		if err == nil && !filter(labels) {
			return false
		}
	}
	full := Description + " " + strings.Join(append(append([]string{}, containers...), text), " ")
	if len(suite.FocusStrings) > 0 {
		if re, err := regexp.Compile(strings.Join(suite.FocusStrings, "|")); err == nil && !re.MatchString(full) {
			return false
		}
	}
	if len(suite.SkipStrings) > 0 {
		if re, err := regexp.Compile(strings.Join(suite.SkipStrings, "|")); err == nil && re.MatchString(full) {
			return false
		}
	}
	return true
}

// labelsOf collects the labels among a spec's decorators.
func labelsOf(decorators []any) []string {
	var out []string
	for _, d := range decorators {
		if l, ok := d.(Labels); ok {
			out = append(out, l...)
		}
	}
	return out
}
