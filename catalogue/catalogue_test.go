package catalogue_test

import (
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
		"bad id":    "- {id: X1, code: 200, area: a, certifies: c}",
		"duplicate": "- {id: S200-a, code: 200, area: a, certifies: c}\n- {id: S200-a, code: 200, area: a, certifies: c}",
		"no code":   "- {id: S200-a, area: a, certifies: c}",
		"not yaml":  "- {id: [",
	} {
		if _, err := catalogue.Parse([]byte(src)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
