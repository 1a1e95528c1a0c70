package report

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime/debug"
	"slices"
	"time"

	conformance "github.com/callcases/conformance"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/coverage"
	"github.com/onsi/ginkgo/v2/types"
)

// Facts is what conformance.html and result.json state about a run: one
// value rendered twice, so that the page a person reads and the file a
// machine reads never disagree. Every string in it is already redacted.
type Facts struct {
	Verdict string
	Counts  map[string]int // by outcome
	// FormatCounts are the counts of each format's rows, by format.
	FormatCounts map[string]map[string]int
	Target       string
	RunID        string
	Suite        Version
	Started      time.Time
	Finished     time.Time
	// The sha256 (hex) of the contract the suite carried: openapi.yaml and
	// the result-code table, as embedded in the suite binary.
	OpenAPISHA256     string
	ResultCodesSHA256 string
	Formats           []string         // the formats the rows cover, in row order
	Rows              []Row            // one per condition and format, catalogue order
	RunErrors         []string         // failures outside any spec
	Config            []string         // the configuration echoed, NAME=value
	Coverage          []coverage.Table // the contract's coverage matrix, per format
	// Retried counts the requests sent again after their answer was lost;
	// Reruns are the specs run again, with what happened to each attempt.
	Retried int
	Reruns  []string
	secrets []string
}

// Version is the suite's own version, from the binary's build information.
type Version struct {
	Module   string `json:"module"`
	Version  string `json:"version"`            // the module version, or "devel"
	Revision string `json:"revision,omitempty"` // vcs.revision, when stamped
	Modified bool   `json:"modified,omitempty"` // vcs.modified: built from a dirty tree
}

func (v Version) String() string {
	s := v.Version
	switch {
	case v.Revision != "" && v.Modified:
		s += " (" + v.Revision + ", modified)"
	case v.Revision != "":
		s += " (" + v.Revision + ")"
	}
	return s
}

// Stamped version and revision, set at link time by make release
// (-ldflags "-X github.com/callcases/conformance/report.stampedVersion=..."):
// they win over what the build information says.
var stampedVersion, stampedRevision string

// SuiteVersion reads the running binary's build information: the main
// module's version and the VCS settings Go stamped, else "devel" (as in
// test binaries, which Go builds without VCS stamps).
func SuiteVersion() Version {
	v := Version{Module: "github.com/callcases/conformance", Version: "devel"}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Path != "" {
		v.Module = info.Main.Path
	}
	if mv := info.Main.Version; mv != "" && mv != "(devel)" {
		v.Version = mv
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	if stampedVersion != "" {
		v.Version = stampedVersion
	}
	if stampedRevision != "" {
		v.Revision = stampedRevision
	}
	return v
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// NewFacts gathers what the reports state about a run, redacting every
// string with run.Secrets on the way in.
func NewFacts(s Summary, r types.Report, run Run) Facts {
	redact := func(x string) string { return redactAll(x, run.Secrets) }
	f := Facts{
		Verdict:           s.Verdict(),
		Counts:            map[string]int{},
		FormatCounts:      map[string]map[string]int{},
		Target:            redact(run.Target),
		RunID:             redact(run.RunID),
		Suite:             SuiteVersion(),
		Started:           r.StartTime.UTC(),
		Finished:          r.EndTime.UTC(),
		OpenAPISHA256:     sha256Hex(conformance.OpenAPI),
		ResultCodesSHA256: sha256Hex(conformance.ResultCodes),
		Formats:           []string{},
		RunErrors:         []string{},
		secrets:           run.Secrets,
	}
	if f.Finished.Before(f.Started) {
		f.Finished = f.Started.Add(r.RunTime)
	}
	for _, o := range Outcomes {
		f.Counts[o] = s.Counts[o]
	}
	for format, counts := range s.ByFormat {
		f.FormatCounts[format] = map[string]int{}
		for _, o := range Outcomes {
			f.FormatCounts[format][o] = counts[o]
		}
	}
	for _, row := range s.Rows {
		row.Condition.ID = redact(row.Condition.ID)
		row.Reason, row.Detail = redact(row.Reason), redact(row.Detail)
		f.Rows = append(f.Rows, row)
		if !containsString(f.Formats, row.Format) {
			f.Formats = append(f.Formats, row.Format)
		}
	}
	for _, e := range s.SuiteErrors {
		f.RunErrors = append(f.RunErrors, redact(e))
	}
	f.Retried, f.Reruns = s.Retried, []string{}
	for _, r := range s.Reruns {
		f.Reruns = append(f.Reruns, redact(r))
	}
	for _, c := range run.Config {
		f.Config = append(f.Config, redact(c))
	}
	for _, t := range s.Coverage {
		rows := make([]coverage.Row, len(t.Rows))
		for i, r := range t.Rows {
			r.Cells = slices.Clone(r.Cells)
			for j := range r.Cells {
				r.Cells[j].Reason = redact(r.Cells[j].Reason)
			}
			rows[i] = r
		}
		t.Rows = rows
		f.Coverage = append(f.Coverage, t)
	}
	return f
}

// Outcomes lists every outcome, in the order reports show them.
var Outcomes = []string{Passed, Failed, Error, NotProvoked, NotSelected, NotRun}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// redactAll scrubs the secrets in every encoding a report can hold them in
// (client.Redact), so that a secret holding <, &, a quote or a backslash
// cannot slip through a rendering that escaped it first (junit.xml,
// report.json, the page), nor through a body the target echoed it in.
func redactAll(s string, secrets []string) string {
	return client.Redact(s, secrets...)
}
