package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/cmd/callcases-conformance/internal/early"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/explore"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/matchers"
)

// exploreCmd is `callcases-conformance explore`: exploration for as long
// as asked (docs/rules.md, "What no condition names"), seed after seed, in
// each kind and format, with a progress line; Ctrl-C or SIGTERM stops it
// with what it found so far, and the cases it made are deleted on every
// path. Same settings as a run.
func exploreCmd(args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	d := fs.Duration("time", time.Minute, "how long to explore, shrinking included (a divergence found at the end still gets -shrink's minimum, 2s)")
	requests := fs.Int("requests", 0, "stop after about this many requests to the target (0: only -time bounds it)")
	kinds := fs.String("kinds", explore.Stateful+","+explore.BadInput, "the kinds of exploration, comma-separated")
	shrink := fs.Duration("shrink", 30*time.Second, "at most this long shrinking each divergence")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: callcases-conformance explore [-time 1m] [-requests N] [-kinds stateful,bad-input] [-shrink 30s]\n\nSends generated work to CONFORMANCE_TARGET (or the embedded reference) and,\nin lock step, to a fresh reference, seed after seed from\nCONFORMANCE_EXPLORE_SEED (or a new one), and shows each divergence shrunk\nto a minimal sequence, with a script that replays it into the reports\nfolder. Ctrl-C stops it with what it found so far. Same settings as a run.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "callcases-conformance explore: unexpected argument %q\n\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	var chosen []string
	for _, k := range strings.Split(*kinds, ",") {
		if k != explore.Stateful && k != explore.BadInput {
			fmt.Fprintf(stderr, "callcases-conformance explore: -kinds: %q is neither %s nor %s\n", k, explore.Stateful, explore.BadInput)
			return 2
		}
		chosen = append(chosen, k)
	}
	// rapid reads its settings from the flags testing registers.
	testing.Init()
	_ = flag.CommandLine.Parse(nil)

	ctx, stop := early.Context(stopSignals...) // caught from the start (see package early)
	defer stop()
	session, env, err := harness.Start(ctx, lookup)
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(stderr, "callcases-conformance explore: interrupted during the preflight; nothing was explored")
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "callcases-conformance explore:", client.Redact(err.Error(), secretsOf(lookup)...))
		return 2
	}
	defer session.Close()
	matchers.Redact(env.Secrets()...)
	say := func(format string, a ...any) {
		fmt.Fprint(stdout, client.Redact(fmt.Sprintf(format, a...), env.Secrets()...))
	}
	say("exploring %s for %s, seed %d (CONFORMANCE_EXPLORE_SEED), run %s; Ctrl-C stops it with what it found\n", env.Config.Target, *d, env.Config.ExploreSeed, env.RunID)

	var owned struct {
		sync.Mutex
		uuids []string
	}
	var seq atomic.Int64
	operator := ""
	if env.Config.Missing(config.Operator) == "" {
		operator = env.Config.Operator
	}
	var total explore.Figures
	var findings []explore.Result
	started := time.Now()
	deadline := started.Add(*d)
	// On a terminal the progress line is rewritten in place four times a
	// second; into a file or a CI log, a line every ten seconds.
	lineEnd, every := "\n", 10*time.Second
	if f, ok := stdout.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			lineEnd, every = "\r", time.Second/4
		}
	}
	progress := func(done explore.Figures, r explore.Result) {
		if lineEnd == "\r" {
			say("\r")
		}
		say("%s: %d sequences, %d steps, %d exchanges, %d divergence(s)   ", time.Since(started).Round(time.Second),
			done.Sequences+r.Sequences, done.Steps+r.Steps, done.Exchanges+r.Exchanges, len(findings))
		if lineEnd == "\n" {
			say("\n")
		}
	}
	tgt := explore.Target{
		Client: env.API, User: client.Credentials{Username: env.Config.Username, Password: env.Config.Password},
		Contract: env.Contract, Project: env.Config.Project, Operator: operator,
		Marks: explore.Marks{
			UUID:       func() string { return fmt.Sprintf("%s01%06d", env.UUIDPrefix(), seq.Add(1)) },
			ExternalID: func() string { return fmt.Sprintf("%s01-%06d", env.ExternalIDPrefix(), seq.Add(1)) },
			Title:      env.TitlePrefix(),
		},
		Redact: func(s string) string { return client.Redact(s, env.Secrets()...) },
		Own: func(uuid string) {
			owned.Lock()
			defer owned.Unlock()
			owned.uuids = append(owned.uuids, uuid)
		},
	}
	formats := env.Config.Formats
	var last time.Time
	seen := map[string]bool{} // the divergences reported, by kind, format and what diverged
	for round := uint64(0); ctx.Err() == nil && time.Now().Before(deadline) && (*requests == 0 || total.Exchanges < *requests); round++ {
		for _, kind := range chosen {
			for _, format := range formats {
				left := time.Until(deadline)
				if ctx.Err() != nil || left <= 0 {
					continue
				}
				done := total
				tgt.Progress = func(r explore.Result) {
					if time.Since(last) >= every {
						last = time.Now()
						progress(done, r)
					}
				}
				// Shrinking counts against -time too, but a divergence found
				// at the end still gets a little of it.
				budget := explore.Budget{Requests: 1 << 30, Time: min(left, 5*time.Second), Steps: 24, Shrink: min(*shrink, max(left, 2*time.Second))}
				if *requests > 0 {
					budget.Requests = max(1, *requests-total.Exchanges)
				}
				r := explore.Explore(ctx, tgt, kind, format, env.Config.ExploreSeed+round, budget)
				f := explore.FiguresOf(r)
				total.Sequences += f.Sequences
				total.Steps += f.Steps
				total.Exchanges += f.Exchanges
				total.OracleNS += f.OracleNS
				if r.RunError != nil {
					say("\nexploration %s (%s): %v\n", kind, format, r.RunError)
					continue
				}
				if r.Finding != nil {
					first := r.Finding.Steps[r.Finding.First].Divergences[0]
					key := fmt.Sprintf("%s %s %s", kind, format, first)
					if seen[key] { // the same bug again, from another seed: one line
						say("\nthe same divergence again, %s (%s) seed %d: %s\n", kind, format, r.Seed, first)
						continue
					}
					seen[key] = true
					findings = append(findings, r)
					say("\n%s", explore.Report(r))
					script := filepath.Join(env.Config.Reports, fmt.Sprintf("explore-%s-%s-%d.sh", kind, format, r.Seed))
					if err := os.MkdirAll(env.Config.Reports, 0o755); err == nil {
						if err := os.WriteFile(script, []byte(explore.ReplayScript(r, matchers.Curl)), 0o755); err == nil {
							say("replay it: %s\n", script)
						}
					}
				}
			}
		}
	}
	progress(total, explore.Result{})
	if ctx.Err() != nil {
		say("\ninterrupted: what was found so far follows\n")
	} else if lineEnd == "\r" {
		say("\n")
	}
	stop() // a second Ctrl-C during the cleanup ends the command at once
	owned.Lock()
	uuids := slices.Compact(slices.Sorted(slices.Values(owned.uuids)))
	owned.Unlock()
	left := deleteOwned(env, uuids)
	say("%d sequences, %d steps, %d exchanges with the target in %s (the reference oracle %s); %d divergence(s)\n",
		total.Sequences, total.Steps, total.Exchanges, time.Since(started).Round(time.Millisecond), time.Duration(total.OracleNS).Round(time.Millisecond), len(findings))
	for _, r := range findings {
		say("  %s (%s), seed %d: %d step(s); %s\n", r.Kind, r.Format, r.Seed, len(r.Finding.Steps), r.Finding.Steps[r.Finding.First].Divergences[0])
	}
	if len(left) > 0 {
		say("LEFT ON THE TARGET: %s\n", strings.Join(left, ", "))
		return 1
	}
	if len(findings) > 0 {
		return 1
	}
	return 0
}

// deleteOwned deletes the cases exploration made, at most 16 at once, and
// returns those a delete did not remove (answered neither 200 nor 404).
func deleteOwned(env *harness.Env, uuids []string) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var mu sync.Mutex
	var left []string
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, u := range uuids {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			x := env.API.Do(ctx, client.Request{Method: http.MethodDelete, Path: "/json/callcases/" + url.PathEscape(u), Purpose: "delete a case exploration made"})
			if x.Err != nil || (x.Status != http.StatusOK && x.Status != http.StatusNotFound) {
				mu.Lock()
				left = append(left, u)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return left
}

// secretsOf are the secrets of a configuration that may not load.
func secretsOf(lookup func(string) (string, bool)) []string {
	if cfg, err := config.Load(lookup); err == nil {
		return cfg.Secrets()
	}
	return nil
}
