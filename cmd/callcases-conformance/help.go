package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"

	conformance "github.com/callcases/conformance"
	"github.com/callcases/conformance/bundle"
	"github.com/callcases/conformance/report"
	"github.com/onsi/ginkgo/v2/types"
)

func usage(w io.Writer) {
	fmt.Fprint(w, `callcases-conformance certifies that a Call Cases API keeps its contract:
every documented result code, with its exact text and message, and every
request and response valid against openapi.yaml. Everything it needs is
inside this binary.

Usage:
  callcases-conformance [flags]        run the suite, write ./reports
  callcases-conformance verify DIR     check a bundle of reports offline
  callcases-conformance clean          remove what earlier runs left on the target
  callcases-conformance explore        explore against the reference for longer (-time 1m)
  callcases-conformance list [LABEL]   the conditions (e.g. list needs:fault-hook)
  callcases-conformance version        the suite's version and contract digests

Run against your API (settings come from the environment, or from a YAML
file named by CONFORMANCE_CONFIG with the same names, lower-case, no prefix):
  export CONFORMANCE_TARGET=https://staging.example.net/fx/api/v1
  export CONFORMANCE_USERNAME=conformance CONFORMANCE_PASSWORD=...
  export CONFORMANCE_PROJECT=<uuid of a stopped manual-mode project>
  callcases-conformance
Without CONFORMANCE_TARGET it tests its own embedded reference server: a
quick way to see what a passing run looks like.

Optional settings: CONFORMANCE_READONLY_USERNAME/_PASSWORD,
CONFORMANCE_AUTO_PROJECT, CONFORMANCE_COMPLETED_PROJECT, CONFORMANCE_OPERATOR,
CONFORMANCE_FAULTS_URL (conditions that need one are "not provoked" without
it), CONFORMANCE_FORMATS (json, xml), CONFORMANCE_TIMEOUT (10s),
CONFORMANCE_DEADLINE (15m, the whole run), CONFORMANCE_LEASE_WAIT (2m),
CONFORMANCE_REPORTS (reports), CONFORMANCE_CA_BUNDLE, CONFORMANCE_INSECURE.

Flags:
  -procs N              parallel processes, all against the same target (default:
                        from the target's round trip, one a core on loopback, more
                        on a slow network, at most 12 a core)
  -label-filter EXPR    run only the specs whose labels match, e.g. code:409,
                        format:json, !mutating, E209-batch-duplicate
  -v                    show Ginkgo's own output instead of one line per condition
  -no-color             no colour (also: NO_COLOR set, or output not a terminal)

It prints a line per condition as it finishes, then the summary table, and
writes to CONFORMANCE_REPORTS (./reports): summary.md, conformance.html,
result.json, exchanges.har (every exchange, credentials redacted), junit.xml
and Ginkgo's report.json. Hand that folder over as your certification
bundle; anyone can check it with "callcases-conformance verify reports".

On a staging others use too: two runs at once are safe with a fault hook
that has scopes and a lease; a run waiting for the lease says so, up to
CONFORMANCE_LEASE_WAIT. A run lists the cases earlier runs left (a run
killed before its cleanup) and never touches them;
  callcases-conformance clean [-dry-run] [-min-age 15m]
removes those, with the same settings, and nothing else (-dry-run lists
them; cases changed less than -min-age ago are kept, their run may be going).

Exit status: 0 when every condition that ran passed; 1 when one failed or
the run went wrong; 130 (143 for SIGTERM) when interrupted. Ctrl-C stops
the run and removes what it created on the target; a second Ctrl-C skips
that cleanup.
`)
}

func printVersion(w io.Writer) {
	v := report.SuiteVersion()
	fmt.Fprintf(w, "callcases-conformance %s\n", v.Version)
	fmt.Fprintf(w, "  module      %s\n", v.Module)
	if v.Revision != "" {
		mod := ""
		if v.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(w, "  revision    %s%s\n", v.Revision, mod)
	}
	fmt.Fprintf(w, "  openapi.yaml        sha256 %s\n", digest(conformance.OpenAPI))
	fmt.Fprintf(w, "  result-codes table  sha256 %s\n", digest(conformance.ResultCodes))
	fmt.Fprintf(w, "  built with %s, Ginkgo %s, for %s/%s\n", runtime.Version(), types.VERSION, runtime.GOOS, runtime.GOARCH)
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func verify(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	formats := fs.String("formats", "", "formats in which every condition must have passed, e.g. json,xml (default: the bundle's, and at least json)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: callcases-conformance verify [-formats json,xml] DIR\n\nChecks, offline, a reports folder someone else produced: the contract and\ntable digests and the suite version are this binary's, every condition\npassed, every exchange in exchanges.har keeps the contract (validated again\nhere), and each passed condition and coverage cell has exchanges with its code.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	opts := bundle.VerifyOptions{Suite: report.SuiteVersion()}
	if *formats != "" {
		opts.Formats = strings.Split(*formats, ",")
	}
	dir := fs.Arg(0)
	check := bundle.Verify(dir, opts)
	fmt.Fprintf(stdout, "Verifying the bundle in %s\n", dir)
	for _, c := range check.Checked {
		fmt.Fprintf(stdout, "  checked: %s\n", c)
	}
	for _, p := range check.Problems {
		fmt.Fprintf(stdout, "  PROBLEM: %s\n", p)
	}
	if len(check.Problems) > 0 {
		fmt.Fprintf(stdout, "REJECTED: %d problems\n", len(check.Problems))
		return 1
	}
	fmt.Fprintln(stdout, "ACCEPTED: the bundle shows a passing run of this suite, and its exchanges keep the contract")
	return 0
}
