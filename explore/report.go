package explore

import (
	"fmt"
	"strings"

	"github.com/callcases/conformance/client"
)

// Report prints what an exploration did and, when it diverged, the
// minimal sequence: numbered steps, each with its request and both answers
// side by side, the first divergence marked.
func Report(r Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "exploration %s (%s), seed %d: %d sequences, %d steps, %d exchanges with the target in %v (the reference oracle %v)\n",
		r.Kind, r.Format, r.Seed, r.Sequences, r.Steps, r.Exchanges, r.Elapsed.Round(1e6), r.Oracle.Round(1e5))
	f := r.Finding
	if f == nil {
		return b.String()
	}
	if f.Replays == 0 {
		fmt.Fprintf(&b, "the target diverged from the reference: %d step(s), not shrunk (no time to shrink was given)\n", len(f.Steps))
	} else {
		fmt.Fprintf(&b, "the target diverged from the reference: shrunk to %d step(s) from %d (%d replays on fresh cases)\n", len(f.Steps), f.Original, f.Replays)
	}
	// What diverged comes first, so that a report's bound never cuts it off.
	if f.First >= 0 && f.First < len(f.Steps) {
		s := f.Steps[f.First]
		fmt.Fprintf(&b, "first divergence at step %d (%s):\n", f.First+1, s.What)
		for _, d := range s.Divergences {
			fmt.Fprintf(&b, "  DIVERGES %s\n", d)
		}
	}
	for i, s := range f.Steps {
		mark := "  "
		if i == f.First {
			mark = "=>"
		}
		fmt.Fprintf(&b, "%s %d. %s\n", mark, i+1, s.What)
		fmt.Fprintf(&b, "      request:   %s\n", clip(s.Request, 600))
		fmt.Fprintf(&b, "      target:    %s\n", clip(s.Target, 600))
		fmt.Fprintf(&b, "      reference: %s\n", clip(s.Reference, 600))
		for _, d := range s.Divergences {
			fmt.Fprintf(&b, "      DIVERGES %s\n", d)
		}
	}
	return b.String()
}

// ReplayScript is a shell script of curl lines that sends the minimal
// sequence's requests to the target again, in order, one per step (a list
// step's pages each); curl writes one (matchers.Curl, which never holds a
// password). The full-rights user's password comes from the environment.
func ReplayScript(r Result, curl func(*client.Exchange) string) string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	fmt.Fprintf(&b, "# The minimal sequence exploration %s (%s) found with CONFORMANCE_EXPLORE_SEED=%d, step by step.\n", r.Kind, r.Format, r.Seed)
	b.WriteString("# Set CONFORMANCE_PASSWORD first. uuids the server assigned are those of the run that found it:\n# a replay's creates get new ones, so later steps may need them edited.\n")
	if r.Finding == nil {
		return b.String()
	}
	for i, s := range r.Finding.Steps {
		mark := ""
		if i == r.Finding.First {
			mark = " (the first divergence)"
		}
		fmt.Fprintf(&b, "\n# %d. %s%s\n", i+1, s.What, mark)
		for _, x := range s.Exchanges {
			line := curl(x)
			if r.user != "" {
				line = strings.Replace(line, "-u '"+r.user+"'", `-u "`+r.user+`:$CONFORMANCE_PASSWORD"`, 1)
			}
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// FiguresEntry names the report entry that carries an exploration's
// Figures (make bench adds them up from report.json).
const FiguresEntry = "exploration figures"

// Figures are what an exploration cost and found, for make bench.
type Figures struct {
	Kind        string `json:"kind"`
	Format      string `json:"format"`
	Seed        uint64 `json:"seed"`
	Sequences   int    `json:"sequences"`
	Steps       int    `json:"steps"`
	Exchanges   int    `json:"exchanges"`
	Divergences int    `json:"divergences"`
	ElapsedNS   int64  `json:"elapsedNs"`
	OracleNS    int64  `json:"oracleNs"`
}

// FiguresOf sums a result up.
func FiguresOf(r Result) Figures {
	f := Figures{Kind: r.Kind, Format: r.Format, Seed: r.Seed, Sequences: r.Sequences, Steps: r.Steps, Exchanges: r.Exchanges,
		ElapsedNS: r.Elapsed.Nanoseconds(), OracleNS: r.Oracle.Nanoseconds()}
	if r.Finding != nil {
		f.Divergences = 1
	}
	return f
}
