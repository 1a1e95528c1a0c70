// Package contract turns the project's two sources of truth into Go values:
// the result-code table (code → text → message) and the OpenAPI document with
// a validator for recorded exchanges.
package contract

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	conformance "github.com/callcases/conformance"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// Result is one row of the code table.
type Result struct {
	Code        int
	Text        string // «Текст результата»; empty for 204
	Description string // «Описание», as written
	Message     string // first sentence of Description, without its final period
}

// Table is the parsed code table, ordered by code.
type Table struct {
	rows []Result
}

// ParseTable reads the first Markdown table whose header starts with «Код»
// and derives each row's message by the rule of docs/rules.md (result codes, texts and messages).
func ParseTable(src []byte) (*Table, error) {
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	doc := md.Parser().Parse(text.NewReader(src))
	var table *extast.Table
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := n.(*extast.Table); ok && entering && table == nil {
			if h := t.FirstChild(); h != nil && h.FirstChild() != nil && cellText(h.FirstChild(), src) == "Код" {
				table = t
				return ast.WalkStop, nil
			}
		}
		return ast.WalkContinue, nil
	})
	if table == nil {
		return nil, fmt.Errorf("code table: no Markdown table with a «Код» column")
	}
	t := &Table{}
	for row := table.FirstChild(); row != nil; row = row.NextSibling() {
		if _, ok := row.(*extast.TableRow); !ok {
			continue // the header
		}
		var cells []string
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, cellText(c, src))
		}
		if len(cells) != 3 {
			return nil, fmt.Errorf("code table: row %q has %d cells, want 3", cells, len(cells))
		}
		code, err := strconv.Atoi(cells[0])
		if err != nil || code < 100 || code > 599 {
			return nil, fmt.Errorf("code table: %q is not an HTTP status code", cells[0])
		}
		if _, dup := t.Lookup(code); dup {
			return nil, fmt.Errorf("code table: code %d appears twice", code)
		}
		t.rows = append(t.rows, Result{Code: code, Text: cells[1], Description: cells[2], Message: FirstSentence(cells[2])})
	}
	if len(t.rows) == 0 {
		return nil, fmt.Errorf("code table: the table has no rows")
	}
	slices.SortFunc(t.rows, func(a, b Result) int { return a.Code - b.Code })
	return t, nil
}

// FirstSentence is the description's first sentence without its final
// period: text up to the first period that ends the cell or is followed by a
// space or by the next sentence's capital letter.
func FirstSentence(description string) string {
	s := strings.TrimSpace(description)
	r := []rune(s)
	for i, c := range r {
		if c != '.' {
			continue
		}
		if i == len(r)-1 || r[i+1] == ' ' {
			return strings.TrimSpace(string(r[:i]))
		}
	}
	return s
}

func cellText(n ast.Node, src []byte) string {
	var b bytes.Buffer
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// Lookup returns the row for code.
func (t *Table) Lookup(code int) (Result, bool) {
	i := slices.IndexFunc(t.rows, func(r Result) bool { return r.Code == code })
	if i < 0 {
		return Result{}, false
	}
	return t.rows[i], true
}

// MustLookup returns the row for a code the caller knows is documented.
func (t *Table) MustLookup(code int) Result {
	r, ok := t.Lookup(code)
	if !ok {
		panic(fmt.Sprintf("code %d is not in the result-code table", code))
	}
	return r
}

// Codes lists the documented codes in ascending order.
func (t *Table) Codes() []int {
	codes := make([]int, len(t.rows))
	for i, r := range t.rows {
		codes[i] = r.Code
	}
	return codes
}

// Rows lists every row in ascending order of code.
func (t *Table) Rows() []Result { return slices.Clone(t.rows) }

var defaultTable = sync.OnceValues(func() (*Table, error) { return ParseTable(conformance.ResultCodes) })

// DefaultTable returns the table shipped in fixtures/, parsed once per process.
func DefaultTable() *Table {
	t, err := defaultTable()
	if err != nil {
		panic("the shipped fixtures/result-codes.md does not parse: " + err.Error())
	}
	return t
}
