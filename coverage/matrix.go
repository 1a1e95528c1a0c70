package coverage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/callcases/conformance/contract"
)

// Outcomes of a cell; the first four are the report's outcomes of a spec.
const (
	Passed        = "passed"
	Failed        = "failed"
	Error         = "error"
	NotProvoked   = "not provoked"
	NotProvokable = "not provokable"
	// NotCovered is a pair no spec asserted and the catalogue does not
	// excuse: a gap in the suite, which its selftest does not let pass.
	NotCovered = "not covered"
)

// CellOutcomes lists the outcomes in the order reports show them.
var CellOutcomes = []string{Passed, Failed, Error, NotProvoked, NotProvokable, NotCovered}

// Spec is what the matrix needs of one finished spec.
type Spec struct {
	Name    string // how a cell's reason names it: its condition id and operation
	Format  string
	Code    int      // its catalogue row's code
	Ops     []string // the operations it would provoke (its op: labels)
	Outcome string   // passed, failed, error, not provoked, not selected
	Reason  string   // why it failed or was not provoked
	Facts   []Fact
}

// Excuse is a pair the catalogue lists as not provokable from outside.
type Excuse struct {
	Operation string
	Code      int
	Reason    string
}

// Cell is one (operation, code) pair in one format.
type Cell struct {
	Code    int    `json:"code"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// Row is one operation in one format: a cell per documented code.
type Row struct {
	Operation string `json:"operation"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Cells     []Cell `json:"cells"`
}

// Cell returns the row's cell for code, and whether the operation documents it.
func (r Row) Cell(code int) (Cell, bool) {
	i := slices.IndexFunc(r.Cells, func(c Cell) bool { return c.Code == code })
	if i < 0 {
		return Cell{}, false
	}
	return r.Cells[i], true
}

// Table is the matrix of one format: operations as rows, codes as columns.
type Table struct {
	Format string         `json:"format"`
	Codes  []int          `json:"codes"` // every code some operation documents, ascending
	Rows   []Row          `json:"operations"`
	Counts map[string]int `json:"counts"` // cells by outcome, "total" for all
}

// Compute builds the matrix of every format from the contract's operations,
// the run's specs and the catalogue's excuses.
func Compute(ops []contract.Operation, formats []string, specs []Spec, excuses []Excuse) []Table {
	var tables []Table
	for _, format := range formats {
		t := Table{Format: format, Counts: map[string]int{}}
		for _, op := range ops {
			row := Row{Operation: op.ID, Method: op.Method, Path: op.Path}
			for _, code := range op.Codes {
				if !slices.Contains(t.Codes, code) {
					t.Codes = append(t.Codes, code)
				}
				c := cell(format, op.ID, code, specs, excuses)
				t.Counts[c.Outcome]++
				t.Counts["total"]++
				row.Cells = append(row.Cells, c)
			}
			t.Rows = append(t.Rows, row)
		}
		slices.Sort(t.Codes)
		tables = append(tables, t)
	}
	return tables
}

func cell(format, op string, code int, specs []Spec, excuses []Excuse) Cell {
	// The specs that asserted the pair, by outcome; a failed spec counts
	// first where the pair's code is the one it is about (a failed S200-update
	// fails updateCallCase 200, not the 404 a read-back of it asserted).
	about := map[string][]string{}
	other := map[string][]string{}
	answered := false
	for _, s := range specs {
		for _, f := range s.Facts {
			if f.Format != format || f.Operation != op || f.Code != code {
				continue
			}
			answered = true
			if !f.Asserted {
				continue
			}
			by := other
			if s.Code == code {
				by = about
			}
			if !slices.Contains(by[s.Outcome], s.Name) {
				by[s.Outcome] = append(by[s.Outcome], s.Name)
			}
		}
	}
	for _, o := range []string{Failed, Error} {
		if names := about[o]; len(names) > 0 {
			return Cell{Code: code, Outcome: o, Reason: o + " in " + names1(names)}
		}
	}
	if names := append(about[Passed], other[Passed]...); len(names) > 0 {
		return Cell{Code: code, Outcome: Passed, Reason: "asserted by " + names1(names)}
	}
	for _, o := range []string{Failed, Error} {
		if names := other[o]; len(names) > 0 {
			return Cell{Code: code, Outcome: o, Reason: "asserted only in " + names1(names) + ", which " + o}
		}
	}
	for _, e := range excuses {
		if e.Operation == op && e.Code == code {
			return Cell{Code: code, Outcome: NotProvokable, Reason: e.Reason}
		}
	}
	for _, s := range specs {
		if s.Outcome == NotProvoked && s.Format == format && s.Code == code && slices.Contains(s.Ops, op) {
			return Cell{Code: code, Outcome: NotProvoked, Reason: s.Reason}
		}
	}
	if answered {
		return Cell{Code: code, Outcome: NotCovered, Reason: "answered, but no spec asserted it"}
	}
	return Cell{Code: code, Outcome: NotCovered, Reason: "no spec provoked it"}
}

// names1 names the first spec, and how many more there are.
func names1(names []string) string {
	slices.Sort(names)
	if len(names) == 1 {
		return names[0]
	}
	return fmt.Sprintf("%s and %d more", names[0], len(names)-1)
}

// Gaps lists the cells of the tables that are not covered, one line each.
func Gaps(tables []Table) []string {
	var out []string
	for _, t := range tables {
		for _, r := range t.Rows {
			for _, c := range r.Cells {
				if c.Outcome == NotCovered {
					out = append(out, fmt.Sprintf("%s %s %d: %s", t.Format, r.Operation, c.Code, c.Reason))
				}
			}
		}
	}
	return out
}

// Symbol is a cell's mark in text renderings of the matrix.
func Symbol(outcome string) string {
	switch outcome {
	case Passed:
		return "✓"
	case Failed:
		return "✗"
	case Error:
		return "!"
	case NotProvoked:
		return "np"
	case NotProvokable:
		return "n/a"
	case NotCovered:
		return "?"
	}
	return strings.ToUpper(outcome)
}
