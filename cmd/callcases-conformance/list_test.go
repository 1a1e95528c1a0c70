package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/callcases/conformance/catalogue"
)

func TestListPrintsTheRowsThatMatch(t *testing.T) {
	for _, c := range []struct {
		args []string
		want func(catalogue.Condition) bool
	}{
		{nil, func(catalogue.Condition) bool { return true }},
		{[]string{"needs:fault-hook"}, func(c catalogue.Condition) bool {
			return strings.Contains(strings.Join(c.Labels("", ""), " "), "needs:fault-hook")
		}},
		{[]string{"shares:membership"}, func(c catalogue.Condition) bool { return c.Shares == catalogue.SharesMembership }},
		{[]string{"shares:faults", "code:403"}, func(c catalogue.Condition) bool { return c.Shares == catalogue.SharesFaults && c.Code == 403 }},
	} {
		var out, errs bytes.Buffer
		if code := list(c.args, &out, &errs); code != 0 {
			t.Fatalf("list %v: exit %d: %s", c.args, code, errs.String())
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			got = append(got, strings.Fields(line)[0])
		}
		var want []string
		for _, row := range catalogue.All() {
			if c.want(row) {
				want = append(want, row.ID)
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("list %v: %v, want %v", c.args, got, want)
		}
	}
	var out, errs bytes.Buffer
	if code := list([]string{"needs:a-printer"}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "no condition matches") {
		t.Errorf("a filter nothing matches: exit %d, %q", code, errs.String())
	}
}
