package report

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/callcases/conformance/coverage"
)

// ResultSchema names the shape of result.json; it changes only when a field
// changes meaning or goes away.
const ResultSchema = "callcases-conformance-result/v2"

// Result is result.json: the facts of conformance.html for machines. Apart
// from the times, the run id and the target, two runs with the same outcomes
// write the same bytes: fields in a fixed order, entries in catalogue order.
type Result struct {
	Schema  string       `json:"schema"`
	Verdict string       `json:"verdict"`
	Counts  ResultCounts `json:"counts"`
	// FormatCounts counts each format's entries apart, by format.
	FormatCounts map[string]ResultCounts `json:"formatCounts"`
	Target       string                  `json:"target"`
	RunID        string                  `json:"runId"`
	Suite        Version                 `json:"suite"`
	Started      time.Time               `json:"started"`
	Finished     time.Time               `json:"finished"`
	Contract     ContractHash            `json:"contract"`
	Formats      []string                `json:"formats"`
	RunErrors    []string                `json:"runErrors"`
	// RetriedRequests counts the requests sent again because their answer
	// never came; Reruns names the specs run again for it, and what
	// happened to each attempt (docs/shared-staging.md, "A flaky network").
	RetriedRequests int           `json:"retriedRequests"`
	Reruns          []string      `json:"reruns"`
	Results         []ResultEntry `json:"results"`
	// Coverage is the contract's coverage matrix: per format, every
	// operation of openapi.yaml with a cell per documented code.
	Coverage []coverage.Table `json:"coverage"`
}

// ResultCounts counts the entries by outcome.
type ResultCounts struct {
	Passed      int `json:"passed"`
	Failed      int `json:"failed"`
	Error       int `json:"error"`
	NotProvoked int `json:"notProvoked"`
	NotSelected int `json:"notSelected"`
	NotRun      int `json:"notRun"`
	Total       int `json:"total"`
}

// ContractHash names the contract the run enforced by its sha256 (hex).
type ContractHash struct {
	OpenAPISHA256     string `json:"openapiSha256"`
	ResultCodesSHA256 string `json:"resultCodesSha256"`
}

// ResultEntry is one condition in one format.
type ResultEntry struct {
	ID      string `json:"id"`
	Code    int    `json:"code"`
	Area    string `json:"area"`
	Format  string `json:"format"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// NewResult turns the facts into result.json's shape.
func NewResult(f Facts) Result {
	res := Result{
		Schema:  ResultSchema,
		Verdict: f.Verdict,
		Counts: ResultCounts{
			Passed: f.Counts[Passed], Failed: f.Counts[Failed], Error: f.Counts[Error],
			NotProvoked: f.Counts[NotProvoked], NotSelected: f.Counts[NotSelected], NotRun: f.Counts[NotRun], Total: len(f.Rows),
		},
		FormatCounts:    map[string]ResultCounts{},
		Target:          f.Target,
		RunID:           f.RunID,
		Suite:           f.Suite,
		Started:         f.Started,
		Finished:        f.Finished,
		Contract:        ContractHash{OpenAPISHA256: f.OpenAPISHA256, ResultCodesSHA256: f.ResultCodesSHA256},
		Formats:         append([]string{}, f.Formats...),
		RunErrors:       append([]string{}, f.RunErrors...),
		RetriedRequests: f.Retried,
		Reruns:          append([]string{}, f.Reruns...),
		Results:         []ResultEntry{},
		Coverage:        append([]coverage.Table{}, f.Coverage...),
	}
	for format, c := range f.FormatCounts {
		total := 0
		for _, n := range c {
			total += n
		}
		res.FormatCounts[format] = ResultCounts{
			Passed: c[Passed], Failed: c[Failed], Error: c[Error],
			NotProvoked: c[NotProvoked], NotSelected: c[NotSelected], NotRun: c[NotRun], Total: total,
		}
	}
	for _, row := range f.Rows {
		res.Results = append(res.Results, ResultEntry{
			ID: row.Condition.ID, Code: row.Condition.Code, Area: row.Condition.Area,
			Format: row.Format, Outcome: row.Outcome, Reason: row.Reason,
		})
	}
	return res
}

// ResultJSON encodes result.json: indented, characters as written (no \u003c
// for <), a final newline, and no secret.
func ResultJSON(f Facts) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(NewResult(f)); err != nil {
		return nil, err
	}
	return []byte(redactAll(b.String(), f.secrets)), nil
}
