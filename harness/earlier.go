package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/contract"
)

// A run that died hard (killed, the machine lost) may leave marked cases
// behind. The next run lists them before it starts, touching nothing; Clean,
// an explicit command (callcases-conformance clean, make conformance-clean),
// removes them and nothing else.

// The marks of cleanup.go, for any run id (8 characters of [0-9a-z]).
var (
	uuidMark  = regexp.MustCompile(`^cc([0-9a-z]{8})[0-9]{8}$`)
	titleMark = regexp.MustCompile(`^conformance run ([0-9a-z]{8}): `)
	idMark    = regexp.MustCompile(`^conformance ([0-9a-z]{8})-`)
)

// MarkOf returns the id of the run whose marks a case carries, if any.
func MarkOf(uuid, id, title string) (string, bool) {
	for _, m := range []struct {
		re *regexp.Regexp
		s  string
	}{{titleMark, title}, {idMark, id}, {uuidMark, uuid}} {
		if sub := m.re.FindStringSubmatch(m.s); sub != nil {
			return sub[1], true
		}
	}
	return "", false
}

// MarkedCase is a case that carries a run's marks.
type MarkedCase struct {
	RunID    string
	Project  string
	UUID     string
	ID       string
	Modified time.Time // lastModified as the target wrote it; zero when unreadable
}

// EarlierRun is what one other run left in the fixture projects.
type EarlierRun struct {
	RunID  string
	Cases  []MarkedCase
	Newest time.Time // the latest lastModified among them
}

// Age is how long ago the run last changed one of its cases.
func (r EarlierRun) Age(now time.Time) time.Duration {
	if r.Newest.IsZero() || r.Newest.After(now) { // unknown, or the target's clock is ahead
		return 0
	}
	return now.Sub(r.Newest).Round(time.Second)
}

// ScanPages bounds the scan of one fixture project for marked cases (100 a page).
const ScanPages = 50

// EarlierRuns lists, by reading only, the marked cases of every run but this
// one in the fixture projects, grouped by run, the oldest run first. The
// error says what could not be read; the runs found so far come with it.
func (e *Env) EarlierRuns(ctx context.Context) ([]EarlierRun, error) {
	// The projects are read at once, and what they hold is gathered in
	// their order.
	projects := e.fixtureProjects()
	marked := make([][]MarkedCase, len(projects))
	scanned := make([]error, len(projects))
	var wg sync.WaitGroup
	for i, project := range projects {
		wg.Go(func() {
			scanned[i] = e.scanProject(ctx, project, func(c listedCase, modified time.Time) {
				if run, ok := MarkOf(c.UUID, c.ID, c.Title); ok && run != e.RunID {
					marked[i] = append(marked[i], MarkedCase{RunID: run, Project: project, UUID: c.UUID, ID: c.ID, Modified: modified})
				}
			})
		})
	}
	wg.Wait()
	byRun := map[string]*EarlierRun{}
	for _, cases := range marked {
		for _, c := range cases {
			r := byRun[c.RunID]
			if r == nil {
				r = &EarlierRun{RunID: c.RunID}
				byRun[c.RunID] = r
			}
			r.Cases = append(r.Cases, c)
			if c.Modified.After(r.Newest) {
				r.Newest = c.Modified
			}
		}
	}
	errs := slices.DeleteFunc(scanned, func(err error) bool { return err == nil })
	runs := make([]EarlierRun, 0, len(byRun))
	for _, r := range byRun {
		runs = append(runs, *r)
	}
	sort.Slice(runs, func(i, j int) bool {
		if !runs[i].Newest.Equal(runs[j].Newest) {
			return runs[i].Newest.Before(runs[j].Newest)
		}
		return runs[i].RunID < runs[j].RunID
	})
	return runs, errors.Join(errs...)
}

// earlierRunNotes says what earlier runs left, for the preflight.
func (e *Env) earlierRunNotes(ctx context.Context) []string {
	runs, err := e.EarlierRuns(ctx)
	var notes []string
	now := time.Now()
	for _, r := range runs {
		notes = append(notes, fmt.Sprintf("earlier run %s left %d marked case(s), last changed %s ago; this run does not touch them (callcases-conformance clean, or make conformance-clean, removes them)",
			r.RunID, len(r.Cases), r.Age(now)))
	}
	if err != nil {
		notes = append(notes, "looking for cases earlier runs left: "+err.Error())
	}
	return notes
}

// scanProject reads every case of a project, page by page, up to ScanPages.
func (e *Env) scanProject(ctx context.Context, project string, each func(listedCase, time.Time)) error {
	for page := 1; page <= ScanPages; page++ {
		q := url.Values{"project": {project}, "page": {strconv.Itoa(page)}}
		x := e.API.Do(ctx, client.Request{Method: http.MethodGet, Path: "/" + e.Config.Formats[0] + "/callcases/", Query: q,
			Purpose: "look for cases earlier runs left"})
		switch {
		case x.Err != nil:
			return fmt.Errorf("listing project %s, page %d: %w", project, page, x.Err)
		case x.Status == http.StatusNoContent:
			return nil
		case x.Status != http.StatusOK:
			return fmt.Errorf("listing project %s, page %d: the list answered %d", project, page, x.Status)
		}
		var list struct {
			Count    int `json:"count"`
			CallCase []struct {
				listedCase
				LastModified string `json:"lastModified"`
			} `json:"callcase"`
		}
		if err := x.Decode(&list); err != nil {
			return fmt.Errorf("listing project %s, page %d: %w", project, page, err)
		}
		for _, c := range list.CallCase {
			modified, _ := contract.ParseDate(c.LastModified)
			each(c.listedCase, modified)
		}
		if len(list.CallCase) == 0 || page*100 >= list.Count {
			return nil
		}
	}
	return fmt.Errorf("project %s has over %d cases; only the first %d pages were looked at", project, ScanPages*100, ScanPages)
}

// CleanResult is what Clean did.
type CleanResult struct {
	Removed []MarkedCase
	Kept    []MarkedCase // changed less than minAge ago: maybe a run still going
	Left    []Leftover   // could not be removed
}

// Clean removes the marked cases of earlier runs from the fixture projects,
// and nothing else: a case without a run's marks is never touched, nor one
// changed less than minAge ago, which may belong to a run still going.
func (e *Env) Clean(ctx context.Context, minAge time.Duration) (CleanResult, error) {
	var res CleanResult
	runs, err := e.EarlierRuns(ctx)
	now := time.Now()
	for _, r := range runs {
		for _, c := range r.Cases {
			if minAge > 0 && !c.Modified.IsZero() && now.Sub(c.Modified) < minAge {
				res.Kept = append(res.Kept, c)
				continue
			}
			if l := e.DeleteCase(ctx, c.UUID); l != nil {
				l.ExternalID = c.ID
				res.Left = append(res.Left, *l)
				continue
			}
			if exists, err := e.CaseExists(ctx, c.UUID); err != nil || exists {
				l := Leftover{Kind: "case", ID: c.UUID, ExternalID: c.ID, Reason: "DELETE answered 200, but the case is still there"}
				if err != nil {
					l.Reason = "DELETE answered 200; whether the case is gone is unknown: " + err.Error()
				}
				res.Left = append(res.Left, l)
				continue
			}
			res.Removed = append(res.Removed, c)
		}
	}
	return res, err
}
