// Package docs holds the pages for implementers and contributors; its test
// keeps them in step with the catalogue and keeps the repository's
// citations inside the repository.
package docs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/callcases/conformance/catalogue"
)

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every condition the suite certifies is named by the rule it certifies.
func TestEveryConditionIsInTheRules(t *testing.T) {
	rules := read(t, "rules.md")
	for _, c := range catalogue.All() {
		if !strings.Contains(rules, "`"+c.ID+"`") {
			t.Errorf("docs/rules.md does not name %s (%s)", c.ID, c.Certifies)
		}
	}
}

// Every condition that needs a fixture is listed with it.
func TestEveryNeedIsInTheFixtures(t *testing.T) {
	fixtures := read(t, "fixtures.md")
	for _, n := range catalogue.Needs {
		if !strings.Contains(fixtures, "`"+n+"`") {
			t.Errorf("docs/fixtures.md does not describe the need %s", n)
		}
	}
	for _, c := range catalogue.All() {
		if len(c.Needs) > 0 && !strings.Contains(fixtures, "`"+c.ID+"`") {
			t.Errorf("docs/fixtures.md does not list %s, which needs %v", c.ID, c.Needs)
		}
	}
}

// A reader of this repository can open every document it cites: comments
// and pages cite openapi.yaml and docs/, never a design document kept
// elsewhere.
func TestNothingCitesADocumentOutsideTheRepository(t *testing.T) {
	outside := regexp.MustCompile(`\bSPEC(\.md)?( section)? ?\d|\bSPEC section\b`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "reports", "bin":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".md", ".yaml", ".yml", ".tmpl", ".sh":
		default:
			return nil
		}
		if filepath.Base(path) == "docs_test.go" {
			return nil
		}
		for i, line := range strings.Split(read(t, path), "\n") {
			if outside.MatchString(line) {
				t.Errorf("%s:%d cites a document outside the repository (cite openapi.yaml or docs/): %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
