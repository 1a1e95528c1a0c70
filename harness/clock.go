package harness

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/config"
)

// Resolution is the finest unit a date the API wrote shows: a millisecond
// for "2016-10-18T09:58:24.594+03:00", a second without a fraction.
func Resolution(date string) time.Duration {
	_, clock, ok := strings.Cut(date, "T")
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

// ClockAtBuild says, before the run starts, whether the target writes
// lastModified finer than whole seconds, so that the list-window specs
// need not run alone (catalogue.SharesWindow). The embedded reference does;
// a live target is asked by reading: the first page of each fixture
// project's cases, until a date shows. Without one, or an answer, it counts
// as whole seconds, the safe side.
func ClockAtBuild(ctx context.Context, cfg config.Config) bool {
	if cfg.Embedded() {
		return true
	}
	env, err := NewEnv(Shared{Config: cfg, RunID: NewRunID(), Started: time.Now()})
	if err != nil {
		return false
	}
	for _, p := range []string{cfg.CompletedProject, cfg.AutoProject, cfg.Project} {
		if p == "" {
			continue
		}
		x := env.API.Do(ctx, client.Request{Method: http.MethodGet, Path: "/json/callcases/", Query: url.Values{"project": {p}}, Purpose: "see how finely the target's clock writes dates"})
		if x.Err != nil || x.Status != http.StatusOK {
			continue
		}
		var list struct {
			CallCase []struct {
				LastModified string `json:"lastModified"`
			} `json:"callcase"`
		}
		if json.Unmarshal(x.Body, &list) != nil {
			continue
		}
		for _, c := range list.CallCase {
			if c.LastModified != "" {
				return Resolution(c.LastModified) < time.Second
			}
		}
	}
	return false
}
