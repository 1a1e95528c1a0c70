package conformance

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/matchers"
	. "github.com/onsi/ginkgo/v2"
)

// Undoing what the specs made, and reporting what could not be undone.

// cleanupContext is ctx without its cancellation, until a second signal:
// an interrupt (or the run's deadline) cancels the node under way, a
// cleanup included, and a cleanup request given up half way would leave
// what it puts back in a state nobody knows. Each request is still bounded
// by the client's timeout, and a second signal (stopNow), which skips the
// cleanup, ends the cleanup's requests at once.
func cleanupContext(ctx context.Context) context.Context {
	return untilStopped{context.WithoutCancel(ctx)}
}

// untilStopped has its context's values, and ends only with stopNow.
type untilStopped struct{ context.Context }

func (untilStopped) Done() <-chan struct{} { return stopNow.Done() }
func (untilStopped) Err() error            { return stopNow.Err() }

// stopNow ends when this process gets its second stop signal (SIGINT or
// SIGTERM; callcases-conformance and Ginkgo's CLI pass each one on): the
// run then skips its cleanup, and no cleanup request may hold it until
// the request's timeout (a target that holds a DELETE kept a stopped run
// for CONFORMANCE_TIMEOUT).
var stopNow = func() context.Context {
	ctx, stop := context.WithCancel(context.Background())
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-signals
		<-signals
		stop()
	}()
	return ctx
}()

// reportLeftover judges a cleanup request that did not answer as it should:
// it reads the target back, and records what is really left (a case the
// target never created is not), so that the run can say exactly what it left
// behind: in this spec's output, and in the summary (see ReportAfterSuite).
func reportLeftover(kind, id string, x *client.Exchange) {
	// Its own context: cleanup may run after the spec's context was
	// cancelled by an interrupt; a second one ends it too.
	ctx, cancel := context.WithTimeout(stopNow, 2*env.Config.Timeout)
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

// The cases the specs create are deleted when this process's specs are
// done, all at once (deleteTheProcessCases, in the SynchronizedAfterSuite
// that every process runs, interrupted or not), not at the end of each
// spec: a spec's own deletes would add a round trip to nearly every spec.
// Every case carries the run's id, and the final sweep removes any the
// deletes missed.
var toDelete struct {
	sync.Mutex
	cases []caseRef
}

type caseRef struct {
	a    api
	uuid string
}

// deleteLater has a case a spec made (or may have made) deleted when this
// process's specs are done, whatever their outcome. Call it before the
// create is sent.
func deleteLater(a api, uuid string) {
	toDelete.Lock()
	defer toDelete.Unlock()
	toDelete.cases = append(toDelete.cases, caseRef{a, uuid})
}

// forgetDelete takes back a deleteLater of a case the target no longer
// holds (exploration read it back: 404), so that the process's deletes
// are not spent on it.
func forgetDelete(uuid string) {
	toDelete.Lock()
	defer toDelete.Unlock()
	toDelete.cases = slices.DeleteFunc(toDelete.cases, func(c caseRef) bool { return c.uuid == uuid })
}

// deleteTheProcessCases deletes the cases this process's specs created,
// familyWidth at a time, and judges each delete (a case a delete did not
// remove is reported left behind).
func deleteTheProcessCases(ctx context.Context) {
	toDelete.Lock()
	cases := toDelete.cases
	toDelete.cases = nil
	toDelete.Unlock()
	requests := make([]client.Request, len(cases))
	for i, c := range cases {
		requests[i] = deleteRequest(c.a, c.uuid)
	}
	for i, x := range doAll(ctx, env.API, requests...) {
		judgeDelete(cases[i].uuid, x)
	}
}

// deleteNow removes a case during cleanup, reporting what it could not
// remove; it says whether the target answered as it should (200, or 404 for
// a case that was never made).
func deleteNow(ctx SpecContext, a api, uuid string) bool {
	return judgeDelete(uuid, env.API.Do(ctx, deleteRequest(a, uuid)))
}

func deleteRequest(a api, uuid string) client.Request {
	// A cleanup's delete is sent again when its answer never came: a 404
	// then is done (judgeDelete), as for a case never made.
	return client.Request{Method: http.MethodDelete, Path: a.caseByUUID(uuid), Purpose: "clean up", Retry: true}
}

// judgeDelete reports a case a cleanup delete did not remove.
func judgeDelete(uuid string, x *client.Exchange) bool {
	if x.Err != nil || (x.Status != http.StatusOK && x.Status != http.StatusNotFound) {
		reportLeftover("case", uuid, x)
		return false
	}
	return true
}

// deleteByExternalIDLater has the case of the main project with external id
// id deleted when the spec ends, whatever its outcome: a case whose uuid
// the target chose, which a wrong Location cannot hide.
func deleteByExternalIDLater(a api, id string) {
	later(func(ctx SpecContext) {
		r := externalIDs(a).get(id)
		r.Purpose = "find the case to clean up"
		x := env.API.Do(ctx, r)
		var c CallCase
		if x.Status == http.StatusOK && x.Decode(&c) == nil {
			_ = deleteNow(ctx, a, c.UUID)
		}
	})
}

// deleteByExternalIDIn removes, from a project other than the main one, the
// cases of the run's external ids that a create there must not have made;
// a 404 is what a conforming target answers. A delete that did not answer
// so is judged by a read: only a case the id still finds is left behind.
func deleteByExternalIDIn(ctx SpecContext, a api, project string, ids ...string) {
	ctx2 := cleanupContext(ctx)
	requests := make([]client.Request, len(ids))
	for i, id := range ids {
		requests[i] = externalIDs(a).in(project).delete(id)
		requests[i].Purpose, requests[i].Retry = "clean up", true
	}
	for i, x := range doAll(ctx2, env.API, requests...) {
		if x.Err == nil && (x.Status == http.StatusOK || x.Status == http.StatusNotFound) {
			continue
		}
		r := externalIDs(a).in(project).get(ids[i])
		r.Purpose = "find what the clean up could not delete"
		read := env.API.Do(ctx2, r)
		var c CallCase
		switch {
		case read.Err == nil && read.Status == http.StatusNotFound:
			fmt.Fprintf(GinkgoWriter, "cleanup of external id %q in project %s answered %d, but nothing has it\n", ids[i], project, x.Status)
		case read.Err == nil && read.Status == http.StatusOK && read.Decode(&c) == nil && c.UUID != "":
			reportLeftover("case", c.UUID, x)
		default:
			reason := fmt.Sprintf("DELETE answered %d, and a read answered %d", x.Status, read.Status)
			if x.Err != nil {
				reason = "DELETE failed: " + x.Err.Error()
			}
			recordLeftover(harness.Leftover{Kind: "external id", ID: ids[i] + " in project " + project, Reason: reason})
		}
	}
}

// deleteManyLater removes cases with batch deletes of at most 1000 uuids
// when the spec ends, unless the spec calls the function it returns: it
// has seen that the target made none of them (the final sweep still
// removes any case of the run's that its reads did not see).
func deleteManyLater(a api, uuids []string) (madeNone func()) {
	none := false
	later(func(ctx SpecContext) {
		if none {
			return
		}
		for start := 0; start < len(uuids); start += 1000 {
			chunk := uuids[start:min(start+1000, len(uuids))]
			r := batches(a).delete(map[string]any{"uuid": chunk})
			r.Purpose, r.Retry = "clean up", true
			x := env.API.Do(ctx, r)
			if x.Err == nil && x.Status == http.StatusOK {
				continue
			}
			// The batch delete failed: one by one, until the target fails
			// those too; the final sweep and the leftover report cover the rest.
			fmt.Fprintf(GinkgoWriter, "the batch delete of %d cases %s; deleting them one by one\n", len(chunk), answered(x))
			for _, uuid := range chunk {
				if !deleteNow(ctx, a, uuid) {
					break
				}
			}
		}
	})
	return func() { none = true }
}

// answered says how an exchange ended, for the spec's output.
func answered(x *client.Exchange) string {
	if x.Err != nil {
		return "got no answer: " + x.Err.Error()
	}
	return fmt.Sprintf("answered %d: %s", x.Status, clip(x.Body))
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}
