package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/coverage"
	"github.com/onsi/ginkgo/v2/types"
)

// specOf is what the coverage matrix needs of a finished spec: its facts
// (the report entries its process sent), the operations it names, its outcome.
func specOf(sr types.SpecReport, row Row) coverage.Spec {
	s := coverage.Spec{Name: row.Condition.ID, Format: row.Format, Code: row.Condition.Code, Outcome: row.Outcome, Reason: row.Reason}
	if row.Operation != "" {
		s.Name += " [" + row.Operation + "]"
	}
	for _, op := range catalogue.ParseLabels(sr.Labels()).Ops {
		if !slices.Contains(s.Ops, op) {
			s.Ops = append(s.Ops, op)
		}
	}
	for _, e := range sr.ReportEntries {
		if e.Name == coverage.EntryName {
			s.Facts = append(s.Facts, coverage.Decode(e.StringRepresentation())...)
		}
	}
	return s
}

// matrix computes the coverage matrix of the shipped contract for the
// formats the run reported.
func matrix(formats []string, specs []coverage.Spec) []coverage.Table {
	doc, err := contract.LoadDocument()
	if err != nil {
		return nil // the suite's own contract: the run could not have started without it
	}
	var excuses []coverage.Excuse
	for _, u := range catalogue.UnprovokablePairs() {
		excuses = append(excuses, coverage.Excuse{Operation: u.Operation, Code: u.Code, Reason: u.Reason})
	}
	// Parallel processes report in any order: a cell's reason must not depend on it.
	slices.SortStableFunc(specs, func(a, b coverage.Spec) int {
		return strings.Compare(a.Name+" "+a.Format, b.Name+" "+b.Format)
	})
	return coverage.Compute(contract.Operations(doc), formats, specs, excuses)
}

// mergeFamilies makes one row of a family's specs in each format: the
// worst outcome, and the operations that failed named in the reason.
func mergeFamilies(rows []Row) []Row {
	var out []Row
	at := map[string]int{}
	members := map[string][]Row{}
	for _, row := range rows {
		// A family's rows are one condition, whether or not they name
		// their operation (the front's own reports of an interrupted run
		// know only the condition).
		if !row.Condition.Family {
			out = append(out, row)
			continue
		}
		key := row.Condition.ID + " " + row.Format
		if _, ok := at[key]; !ok {
			at[key] = len(out)
			out = append(out, row)
		}
		members[key] = append(members[key], row)
	}
	for key, i := range at {
		out[i] = mergeFamily(members[key])
	}
	return out
}

var outcomeRank = []string{Error, Failed, Passed, NotProvoked, NotSelected, NotRun}

func mergeFamily(rows []Row) Row {
	merged := rows[0]
	merged.Operation = ""
	best := len(outcomeRank)
	for _, r := range rows {
		if i := slices.Index(outcomeRank, r.Outcome); i >= 0 && i < best {
			best = i
		}
	}
	if best == len(outcomeRank) {
		return merged
	}
	merged.Outcome = outcomeRank[best]
	var reasons, details []string
	n := 0
	for _, r := range rows {
		if r.Outcome != merged.Outcome {
			continue
		}
		n++
		if r.Reason != "" {
			reasons = append(reasons, r.Operation+": "+r.Reason)
		}
		if r.Detail != "" {
			details = append(details, "["+r.Operation+"]\n"+r.Detail)
		}
	}
	merged.Reason, merged.Detail = "", strings.Join(details, "\n\n")
	if merged.Outcome != Passed {
		merged.Reason = fmt.Sprintf("%d of %d operations %s", n, len(rows), merged.Outcome)
		if len(reasons) > 0 {
			merged.Reason += ": " + strings.Join(reasons, "; ")
		}
	}
	return merged
}

// coverageMarkdown renders the matrix: per format, operations as rows and
// codes as columns, then the cells that are not passed, with their reasons.
func coverageMarkdown(tables []coverage.Table) string {
	var b strings.Builder
	for _, t := range tables {
		asserted := t.Counts[coverage.Passed] + t.Counts[coverage.Failed] + t.Counts[coverage.Error]
		fmt.Fprintf(&b, "\n## Coverage of the contract, %s\n\n", t.Format)
		fmt.Fprintf(&b, "%d documented (operation, code) pairs: %d passed, %d failed, %d errors, %d not provoked, %d not provokable, %d not covered (%d asserted).\n\n",
			t.Counts["total"], t.Counts[coverage.Passed], t.Counts[coverage.Failed], t.Counts[coverage.Error], t.Counts[coverage.NotProvoked],
			t.Counts[coverage.NotProvokable], t.Counts[coverage.NotCovered], asserted)
		b.WriteString("| operation |")
		for _, c := range t.Codes {
			fmt.Fprintf(&b, " %d |", c)
		}
		b.WriteString("\n|---|")
		for range t.Codes {
			b.WriteString("---|")
		}
		b.WriteString("\n")
		var notes []string
		for _, r := range t.Rows {
			fmt.Fprintf(&b, "| %s |", r.Operation)
			for _, code := range t.Codes {
				c, ok := r.Cell(code)
				if !ok {
					b.WriteString("  |")
					continue
				}
				fmt.Fprintf(&b, " %s |", coverage.Symbol(c.Outcome))
				if c.Outcome != coverage.Passed {
					notes = append(notes, fmt.Sprintf("- %s %d: %s: %s", r.Operation, code, c.Outcome, cell(c.Reason)))
				}
			}
			b.WriteString("\n")
		}
		b.WriteString("\n✓ passed, ✗ failed, ! error, np not provoked, n/a not provokable, ? not covered; blank: not documented.\n")
		if len(notes) > 0 {
			b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
		}
	}
	return b.String()
}
