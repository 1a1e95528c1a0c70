package catalogue_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/contract"
)

func TestEveryConditionNamesADocumentedCode(t *testing.T) {
	table := contract.DefaultTable()
	for _, c := range catalogue.All() {
		if _, ok := table.Lookup(c.Code); !ok {
			t.Errorf("%s: code %d is not in the result-code table", c.ID, c.Code)
		}
		if (strings.HasPrefix(c.ID, "S") || strings.HasPrefix(c.ID, "E")) && !strings.HasPrefix(c.ID[1:], strconv.Itoa(c.Code)) {
			t.Errorf("%s: the id names another code than %d", c.ID, c.Code)
		}
	}
}

func TestEveryTableCodeIsProvoked(t *testing.T) {
	provoked := map[int]bool{}
	for _, c := range catalogue.All() {
		provoked[c.Code] = true
	}
	for _, code := range contract.DefaultTable().Codes() {
		if !provoked[code] {
			t.Errorf("no condition provokes %d", code)
		}
	}
}

func TestParseRejectsBadRows(t *testing.T) {
	for name, src := range map[string]string{
		"bad id":        "- {id: X1, code: 200, area: a, certifies: c}",
		"duplicate":     "- {id: S200-a, code: 200, area: a, certifies: c}\n- {id: S200-a, code: 200, area: a, certifies: c}",
		"no code":       "- {id: S200-a, area: a, certifies: c}",
		"not yaml":      "- {id: [",
		"unknown need":  "- {id: S200-a, code: 200, area: a, certifies: c, needs: [a-printer]}",
		"unknown share": "- {id: S200-a, code: 200, area: a, certifies: c, shares: printer}",
	} {
		if _, err := catalogue.Parse([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestOperationsAndUnprovokablePairsAreTheContracts(t *testing.T) {
	doc, err := contract.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string][]int{}
	for _, op := range contract.Operations(doc) {
		codes[op.ID] = op.Codes
	}
	for _, c := range catalogue.All() {
		for _, op := range c.Operations {
			if _, ok := codes[op]; !ok {
				t.Errorf("%s names operation %q, which openapi.yaml does not have", c.ID, op)
			}
		}
	}
	for _, u := range catalogue.UnprovokablePairs() {
		if !slices.Contains(codes[u.Operation], u.Code) {
			t.Errorf("unprovokable %s %d: openapi.yaml does not document that pair; drop it from catalogue/unprovokable.yaml", u.Operation, u.Code)
		}
	}
}

func TestParseUnprovokableRejectsBadRows(t *testing.T) {
	for name, src := range map[string]string{
		"no reason": "- {operation: getProject, code: 400}",
		"duplicate": "- {operation: getProject, code: 400, reason: r}\n- {operation: getProject, code: 400, reason: r}",
		"not yaml":  "- {operation: [",
	} {
		if _, err := catalogue.ParseUnprovokable([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
