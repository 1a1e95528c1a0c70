package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/callcases/conformance/catalogue"
)

// list prints the catalogue's conditions, or those whose labels (or
// shares:NAME) include every argument: what each certifies, what it needs
// and what state it shares. It is the list docs/fixtures.md and
// docs/fault-hook.md point at, so that they never keep one by hand.
func list(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fmt.Fprintln(stderr, "usage: callcases-conformance list [needs:NAME | shares:NAME | code:NNN | area:NAME | ID]...\n\nPrints the conditions the suite certifies (those that match every argument):\nid, code, area, the fixtures each needs (needs:NAME, docs/fixtures.md), the\nstate it shares with other specs and runs (shares:NAME, docs/fault-hook.md),\nand what it certifies.")
			return 0
		}
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	n := 0
	for _, c := range catalogue.All() {
		if !matches(c, args) {
			continue
		}
		n++
		var needs []string
		for _, f := range c.Needs {
			needs = append(needs, f.Name())
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", c.ID, c.Code, c.Area, or(strings.Join(needs, ","), "-"), or(string(c.Shares), "-"), c.Certifies)
	}
	_ = w.Flush()
	if n == 0 {
		fmt.Fprintf(stderr, "callcases-conformance list: no condition matches %s\n", strings.Join(args, " "))
		return 1
	}
	return 0
}

func matches(c catalogue.Condition, args []string) bool {
	labels := c.Labels("", "")
	if c.Shares != "" {
		labels = append(labels, "shares:"+string(c.Shares))
	}
	for _, a := range args {
		if !slices.Contains(labels, a) {
			return false
		}
	}
	return true
}

func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}
