package harness

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/callcases/conformance/client"
)

// Resolution is the finest unit a date the API wrote shows: a millisecond
// for "2016-10-18T09:58:24.594+03:00", a second without a fraction.
func Resolution(date string) time.Duration {
	_, clock, ok := strings.Cut(strings.ToUpper(date), "T")
	if !ok {
		return time.Second
	}
	_, frac, ok := strings.Cut(clock, ".")
	if !ok {
		return time.Second
	}
	digits := 0
	for digits < len(frac) && digits < 9 && frac[digits] >= '0' && frac[digits] <= '9' {
		digits++
	}
	unit := time.Second
	for range digits {
		unit /= 10
	}
	return unit
}

// clockFineAtBuild says, before the run starts, whether the target writes
// lastModified finer than whole seconds, so that the list-window specs
// need not run alone (catalogue.SharesWindow). It reads the first page of
// each fixture project's cases, all at once; the first date found, in the
// order of the projects, decides. Without one, or an answer, it counts as
// whole seconds, the safe side.
func (e *Env) clockFineAtBuild(ctx context.Context) bool {
	var projects []string
	for _, p := range []string{e.Config.CompletedProject, e.Config.AutoProject, e.Config.Project} {
		if p != "" && !slices.Contains(projects, p) {
			projects = append(projects, p)
		}
	}
	found := make([]time.Duration, len(projects)) // 0: no date
	var wg sync.WaitGroup
	for i, p := range projects {
		wg.Go(func() { found[i] = e.firstResolution(ctx, p) })
	}
	wg.Wait()
	for _, unit := range found {
		if unit != 0 {
			return unit < time.Second
		}
	}
	return false
}

// firstResolution is the Resolution of the first lastModified on the first
// page of a project's cases; 0 when there is none, or no answer.
func (e *Env) firstResolution(ctx context.Context, project string) time.Duration {
	x := e.API.Do(ctx, client.Request{Method: http.MethodGet, Path: "/json/callcases/", Query: url.Values{"project": {project}}, Purpose: "see how finely the target's clock writes dates"})
	if x.Err != nil || x.Status != http.StatusOK {
		return 0
	}
	var list struct {
		CallCase []struct {
			LastModified string `json:"lastModified"`
		} `json:"callcase"`
	}
	if json.Unmarshal(x.Body, &list) != nil {
		return 0
	}
	for _, c := range list.CallCase {
		if c.LastModified != "" {
			return Resolution(c.LastModified)
		}
	}
	return 0
}
