package explore

import (
	"fmt"
	"strings"
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
	fmt.Fprintf(&b, "the target diverged from the reference: shrunk to %d step(s) from %d (%d replays on fresh cases)\n", len(f.Steps), f.Original, f.Replays)
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
