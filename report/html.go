package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"regexp"
	"strings"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/coverage"
)

// conformance.html is one self-contained page: inline CSS, no script, no
// font or image fetched, so that it opens offline and can be handed over as
// it is.
//
//go:embed conformance.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("conformance.html").Funcs(template.FuncMap{
	"outcomeClass": outcomeClass,
	"verdictClass": func(v string) string { return strings.ReplaceAll(v, " ", "-") },
	"inc":          func(n int) int { return n + 1 },
	"cellOf": func(r coverage.Row, code int) *coverage.Cell {
		if c, ok := r.Cell(code); ok {
			return &c
		}
		return nil
	},
	"cellClass":     func(outcome string) string { return "c-" + strings.ReplaceAll(outcome, " ", "-") },
	"cellSymbol":    coverage.Symbol,
	"coverageNotes": coverageNotes,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
}).Parse(pageSource))

// page is what the template reads: the facts arranged as the code table.
type page struct {
	Facts
	Started, Finished, Duration string
	Total                       int
	Groups                      []codeGroup
	Attention                   []problemGroup // failures first, then errors
	Network                     string         // how flaky the network was (NetworkLine), "" when no answer was lost
}

// problemGroup is the failed (or errored) cells that share one reason, so
// that fourteen specs whose setup broke the same way read as one line.
type problemGroup struct {
	Outcome string
	Reason  string
	Cells   []problemRef
}

type problemRef struct {
	ID, Anchor, Format string
}

// codeGroup is one row of the code table and the conditions that provoke it.
type codeGroup struct {
	Code       int
	Text       string // the table's «Текст результата»
	Message    string // the message the status body carries
	Documented bool   // the code is in the table
	Conditions []conditionRow
	Tally      []tally
}

type tally struct {
	Outcome string
	N       int
}

// conditionRow is one condition across the formats.
type conditionRow struct {
	Condition catalogue.Condition
	Anchor    string
	Cells     []formatCell // one per format, in Facts.Formats order
	Problems  []formatCell // the failed and errored cells, for the details below the row
}

type formatCell struct {
	Format  string
	Outcome string // "" when no spec reported this condition in this format
	Reason  string
	Detail  string
}

// HTML renders conformance.html.
func HTML(f Facts) ([]byte, error) {
	p := page{
		Facts:    f,
		Started:  f.Started.Format(time.RFC3339),
		Finished: f.Finished.Format(time.RFC3339),
		Duration: f.Finished.Sub(f.Started).Round(time.Millisecond).String(),
		Total:    len(f.Rows),
		Groups:   groups(f),
		Network:  NetworkLine(f.Retried, len(f.Reruns)),
	}
	for _, outcome := range []string{Failed, Error} {
		at := map[string]int{}
		for _, g := range p.Groups {
			for _, c := range g.Conditions {
				for _, x := range c.Problems {
					if x.Outcome != outcome {
						continue
					}
					i, ok := at[x.Reason]
					if !ok {
						i = len(p.Attention)
						at[x.Reason] = i
						p.Attention = append(p.Attention, problemGroup{Outcome: outcome, Reason: x.Reason})
					}
					p.Attention[i].Cells = append(p.Attention[i].Cells, problemRef{ID: c.Condition.ID, Anchor: c.Anchor, Format: x.Format})
				}
			}
		}
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p); err != nil {
		return nil, err
	}
	return []byte(redactAll(b.String(), f.secrets)), nil
}

// groups arranges the rows by the code table: every documented code in
// ascending order, each with its conditions in catalogue order, then codes
// the table lacks, then specs with no catalogue row.
func groups(f Facts) []codeGroup {
	var out []codeGroup
	index := map[int]int{}
	for _, r := range contract.DefaultTable().Rows() {
		index[r.Code] = len(out)
		out = append(out, codeGroup{Code: r.Code, Text: r.Text, Message: r.Message, Documented: true})
	}
	conditions := map[string]*conditionRow{}
	var order []string
	for _, row := range f.Rows {
		c, ok := conditions[row.Condition.ID]
		if !ok {
			c = &conditionRow{Condition: row.Condition, Anchor: anchor(row.Condition.ID)}
			for _, format := range f.Formats {
				c.Cells = append(c.Cells, formatCell{Format: format})
			}
			conditions[row.Condition.ID] = c
			order = append(order, row.Condition.ID)
		}
		for i := range c.Cells {
			if c.Cells[i].Format == row.Format {
				c.Cells[i] = formatCell{Format: row.Format, Outcome: row.Outcome, Reason: row.Reason, Detail: row.Detail}
			}
		}
	}
	var uncatalogued codeGroup
	for _, id := range order {
		c := conditions[id]
		for _, x := range c.Cells {
			if x.Outcome == Failed || x.Outcome == Error {
				c.Problems = append(c.Problems, x)
			}
		}
		switch i, ok := index[c.Condition.Code]; {
		case c.Condition.Code == 0:
			uncatalogued.Conditions = append(uncatalogued.Conditions, *c)
		case ok:
			out[i].Conditions = append(out[i].Conditions, *c)
		default:
			index[c.Condition.Code] = len(out)
			out = append(out, codeGroup{Code: c.Condition.Code, Text: "not in the code table", Conditions: []conditionRow{*c}})
		}
	}
	if len(uncatalogued.Conditions) > 0 {
		uncatalogued.Text = "specs without a catalogue row"
		out = append(out, uncatalogued)
	}
	for i := range out {
		n := map[string]int{}
		for _, c := range out[i].Conditions {
			for _, x := range c.Cells {
				n[x.Outcome]++
			}
		}
		for _, o := range Outcomes {
			if n[o] > 0 {
				out[i].Tally = append(out[i].Tally, tally{Outcome: o, N: n[o]})
			}
		}
	}
	return out
}

var notAnchor = regexp.MustCompile(`[^A-Za-z0-9-]+`)

func anchor(id string) string {
	return "c-" + strings.Trim(notAnchor.ReplaceAllString(id, "-"), "-")
}

// outcomeClass is the CSS class of an outcome: o-passed, o-not-provoked, ...
func outcomeClass(outcome string) string {
	if outcome == "" {
		return "o-none"
	}
	return "o-" + strings.ReplaceAll(outcome, " ", "-")
}

// statement is the verdict in a sentence, for the top of the page.
func (p page) Statement() string {
	c := p.Counts
	ran := c[Passed] + c[Failed] + c[Error]
	switch p.Verdict {
	case "PASS":
		s := fmt.Sprintf("Every one of the %d conditions that ran produced the documented result code, text and message.", ran)
		if c[NotProvoked] > 0 {
			s += fmt.Sprintf(" %d %s not provoked (the target did not configure what they need) and %s not certified.",
				c[NotProvoked], pick(c[NotProvoked] == 1, "was", "were"), pick(c[NotProvoked] == 1, "is", "are"))
		}
		return s
	case "FAIL":
		return fmt.Sprintf("The target broke the result-code contract in %d of the %d conditions that ran.", c[Failed], ran)
	case Interrupted:
		return fmt.Sprintf("The run was interrupted (Ctrl-C or SIGTERM) before it finished, so it certifies nothing: %d conditions ran, %d selected ones did not.", ran, c[NotRun])
	case "ERROR":
		s := "The run itself went wrong (setup, the connection or the suite), so its verdict on the API is incomplete"
		if c[Error] > 0 {
			s += fmt.Sprintf(": %d %s could not be judged", c[Error], pick(c[Error] == 1, "condition", "conditions"))
		}
		if c[Failed] > 0 {
			s += fmt.Sprintf("; of those that ran, the target broke the contract in %d", c[Failed])
		}
		return s + "."
	}
	return "No condition ran, so nothing is certified."
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// coverageNotes lists a matrix's cells that did not pass, with their reasons.
func coverageNotes(t coverage.Table) []string {
	var out []string
	for _, r := range t.Rows {
		for _, c := range r.Cells {
			if c.Outcome != coverage.Passed {
				out = append(out, fmt.Sprintf("%s %d: %s: %s", r.Operation, c.Code, c.Outcome, c.Reason))
			}
		}
	}
	return out
}
