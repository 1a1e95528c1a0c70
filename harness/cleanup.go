package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callcases/conformance/client"
)

// What the run owns on the target is marked with its run id (docs/fixtures.md, what the suite leaves behind):
// the uuids it chooses, its titles and its external ids. Cleanup and the
// final sweep touch nothing without these marks.

// UUIDPrefix starts every case uuid the run chooses.
func (e *Env) UUIDPrefix() string { return "cc" + e.RunID }

// TitlePrefix starts every case title the run writes.
func (e *Env) TitlePrefix() string { return "conformance run " + e.RunID + ": " }

// ExternalIDPrefix starts every external id the run writes.
func (e *Env) ExternalIDPrefix() string { return "conformance " + e.RunID + "-" }

// Owns reports whether a case carries this run's mark.
func (e *Env) Owns(uuid, id, title string) bool {
	return strings.HasPrefix(uuid, e.UUIDPrefix()) || strings.HasPrefix(title, e.TitlePrefix()) || strings.HasPrefix(id, e.ExternalIDPrefix())
}

// Leftover is something of the run's that cleanup could not remove from the
// target: the run must say exactly what it left behind.
type Leftover struct {
	Kind       string `json:"kind"`                 // "case", "operator membership"
	ID         string `json:"id"`                   // the case uuid, or "operator in project p"
	ExternalID string `json:"externalId,omitempty"` // a case's external id, when known
	Reason     string `json:"reason"`               // why it is still there, or may be
}

func (l Leftover) String() string {
	if l.ExternalID != "" {
		return fmt.Sprintf("%s %s (external id %q): %s", l.Kind, l.ID, l.ExternalID, l.Reason)
	}
	return fmt.Sprintf("%s %s: %s", l.Kind, l.ID, l.Reason)
}

// Report entry names under which the specs record cleanup (see the suite).
const (
	LeftoverEntry = "leftover"
	SweptEntry    = "removed by the final sweep"
)

// Key identifies what was left, whatever the reason.
func (l Leftover) Key() string { return l.Kind + " " + l.ID }

// CaseExists reads a case by uuid: whether it is there, or an error when the
// target's answer does not tell.
func (e *Env) CaseExists(ctx context.Context, uuid string) (bool, error) {
	x := e.API.Do(ctx, client.Request{Method: http.MethodGet, Path: "/" + e.Config.Formats[0] + "/callcases/" + url.PathEscape(uuid), Purpose: "check whether cleanup removed the case"})
	switch {
	case x.Err != nil:
		return false, x.Err
	case x.Status == http.StatusOK:
		return true, nil
	case x.Status == http.StatusNotFound:
		return false, nil
	}
	return false, fmt.Errorf("reading it back answered %d", x.Status)
}

// IsMember reports whether an operator is assigned to a project.
func (e *Env) IsMember(ctx context.Context, project, operator string) (bool, error) {
	ops, err := e.Operators(ctx, e.Config.Formats[0], project)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(ops, func(o Operator) bool { return o.UUID == operator }), nil
}

// DeleteCase removes a case the run made; it returns nil when the case is
// gone (or was never created), else what is left and why.
func (e *Env) DeleteCase(ctx context.Context, uuid string) *Leftover {
	x := e.API.Do(ctx, client.Request{Method: http.MethodDelete, Path: "/" + e.Config.Formats[0] + "/callcases/" + url.PathEscape(uuid), Purpose: "clean up", Retry: true})
	if x.Err == nil && (x.Status == http.StatusOK || x.Status == http.StatusNotFound) {
		return nil
	}
	return e.CaseLeftover(ctx, uuid, x)
}

// CaseLeftover judges a delete that did not answer 200 or 404: it reads the
// case back, so that a case the target never created (or removed after all)
// is not reported, and one it still holds is.
func (e *Env) CaseLeftover(ctx context.Context, uuid string, x *client.Exchange) *Leftover {
	reason := describe("DELETE", x)
	exists, err := e.CaseExists(ctx, uuid)
	switch {
	case err != nil:
		return &Leftover{Kind: "case", ID: uuid, Reason: reason + "; whether it is still there is unknown: " + err.Error()}
	case exists:
		return &Leftover{Kind: "case", ID: uuid, Reason: reason + "; it is still there"}
	}
	return nil
}

// MembershipLeftover judges an unassign that did not answer 200 or 404.
func (e *Env) MembershipLeftover(ctx context.Context, project, operator string, x *client.Exchange) *Leftover {
	reason := describe("unassign", x)
	id := fmt.Sprintf("%s in project %s", operator, project)
	member, err := e.IsMember(ctx, project, operator)
	switch {
	case err != nil:
		return &Leftover{Kind: "operator membership", ID: id, Reason: reason + "; whether it is still assigned is unknown: " + err.Error()}
	case member:
		return &Leftover{Kind: "operator membership", ID: id, Reason: reason + "; the operator is still assigned (the run found it unassigned)"}
	}
	return nil
}

func describe(what string, x *client.Exchange) string {
	if x.Err != nil {
		return what + " failed: " + x.Err.Error()
	}
	return fmt.Sprintf("%s answered %d", what, x.Status)
}

// SweepPages bounds the final sweep: it reads at most this many list pages
// (of 100 cases) per project.
const SweepPages = 50

// SweepMargin is how long before the run's start the sweep looks, for a
// target whose clock is behind the suite's.
const SweepMargin = time.Hour

// Sweep is the last line of cleanup, run once when every process is done:
// it lists the cases modified since the run started in every fixture project
// and deletes those that carry this run's mark, which the processes' deletes
// missed (a case whose uuid the server chose, a create a mutant applied where
// it must not). It returns the uuids it removed and what it could not.
func (e *Env) Sweep(ctx context.Context) (removed []string, left []Leftover, err error) {
	// The projects are listed at once; what is found is deleted one by one
	// (normally nothing: the specs' processes deleted their cases).
	projects := e.fixtureProjects()
	owned, listErrs := make([][]listedCase, len(projects)), make([]error, len(projects))
	var wg sync.WaitGroup
	for i, project := range projects {
		wg.Go(func() { owned[i], listErrs[i] = e.ownedCases(ctx, project, e.Started.Add(-SweepMargin)) })
	}
	wg.Wait()
	errs := slices.DeleteFunc(listErrs, func(err error) bool { return err == nil })
	for _, owned := range owned {
		for _, c := range owned {
			l := e.DeleteCase(ctx, c.UUID)
			if l == nil {
				// A delete the target acknowledged but did not apply would otherwise pass as done.
				if exists, err := e.CaseExists(ctx, c.UUID); err != nil || exists {
					l = &Leftover{Kind: "case", ID: c.UUID, Reason: "DELETE answered 200, but the case is still there"}
					if err != nil {
						l.Reason = "DELETE answered 200; whether the case is gone is unknown: " + err.Error()
					}
				}
			}
			if l != nil {
				l.ExternalID = c.ID
				left = append(left, *l)
				continue
			}
			removed = append(removed, c.UUID)
		}
	}
	return removed, left, errors.Join(errs...)
}

func (e *Env) fixtureProjects() []string {
	var out []string
	for _, p := range []string{e.Config.Project, e.Config.AutoProject, e.Config.CompletedProject} {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

type listedCase struct {
	UUID  string `json:"uuid"`
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ownedCases lists a project's cases modified after since, page by page,
// and keeps this run's.
func (e *Env) ownedCases(ctx context.Context, project string, since time.Time) ([]listedCase, error) {
	var owned []listedCase
	for page := 1; page <= SweepPages; page++ {
		q := url.Values{"project": {project}, "modifiedAfter": {since.Format(time.RFC3339)}, "page": {strconv.Itoa(page)}}
		x := e.API.Do(ctx, client.Request{Method: http.MethodGet, Path: "/" + e.Config.Formats[0] + "/callcases/", Query: q,
			Purpose: "final sweep: list the cases this run may have left"})
		switch {
		case x.Err != nil:
			return owned, fmt.Errorf("final sweep of project %s, page %d: %w", project, page, x.Err)
		case x.Status == http.StatusNoContent:
			return owned, nil
		case x.Status != http.StatusOK:
			return owned, fmt.Errorf("final sweep of project %s, page %d: the list answered %d", project, page, x.Status)
		}
		var list struct {
			Count    int          `json:"count"`
			CallCase []listedCase `json:"callcase"`
		}
		if err := x.Decode(&list); err != nil {
			return owned, fmt.Errorf("final sweep of project %s, page %d: %w", project, page, err)
		}
		for _, c := range list.CallCase {
			if e.Owns(c.UUID, c.ID, c.Title) {
				owned = append(owned, c)
			}
		}
		if len(list.CallCase) == 0 || page*100 >= list.Count {
			return owned, nil
		}
	}
	return owned, fmt.Errorf("final sweep of project %s stopped after %d pages: cases of this run beyond them were not looked for", project, SweepPages)
}
