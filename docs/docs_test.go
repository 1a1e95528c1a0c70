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
	"github.com/callcases/conformance/mutants"
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

// Every fixture has its section in fixtures.md, and the section points at
// the command that lists the conditions needing it: the catalogue's needs
// are the one list, so that a new row with needs changes no page.
func TestEveryNeedIsInTheFixtures(t *testing.T) {
	fixtures := read(t, "fixtures.md")
	for _, n := range catalogue.Needs {
		if !strings.Contains(fixtures, "### `"+n.Name()+"`") {
			t.Errorf("docs/fixtures.md has no section for the need %s", n.Name())
		}
		if want := "`callcases-conformance list needs:" + n.Name() + "`"; !strings.Contains(fixtures, want) {
			t.Errorf("docs/fixtures.md does not point at %s for the conditions that need %s", want, n.Name())
		}
		for _, s := range n.Settings() {
			if !strings.Contains(fixtures, "`"+s+"`") {
				t.Errorf("docs/fixtures.md does not name %s, a setting of %s", s, n.Name())
			}
		}
	}
}

// fault-hook.md says what each kind of shared state is, and where the
// conditions that share it are listed, instead of listing them by hand.
func TestEveryShareIsInTheFaultHook(t *testing.T) {
	hook := read(t, "fault-hook.md")
	for _, s := range catalogue.Shares() {
		if !strings.Contains(hook, "`shares:"+string(s)+"`") {
			t.Errorf("docs/fault-hook.md does not say what the lease does for shares:%s", s)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(hook), " "), "`callcases-conformance list shares:NAME`") {
		t.Errorf("docs/fault-hook.md does not point at `callcases-conformance list shares:NAME`")
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

// ruleRows reads the rule tables of rules.md: each row's rule id and the
// names it lists in its last column.
func ruleRows(t *testing.T) map[string][]string {
	t.Helper()
	row := regexp.MustCompile("^\\| `(R-[a-z0-9-]+)` \\|.*\\|([^|]*)\\|$")
	name := regexp.MustCompile("`([^`]+)`")
	rows := map[string][]string{}
	for _, line := range strings.Split(read(t, "rules.md"), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("rules.md lists rule %s twice", m[1])
		}
		rows[m[1]] = nil
		for _, n := range name.FindAllStringSubmatch(m[2], -1) {
			rows[m[1]] = append(rows[m[1]], n[1])
		}
	}
	if len(rows) == 0 {
		t.Fatal("rules.md has no rule table")
	}
	return rows
}

// Every condition is killed by at least one mutant (make mutants runs them;
// this says so before it does).
func TestEveryConditionHasAMutant(t *testing.T) {
	killed := map[string]bool{}
	for _, m := range mutants.All() {
		for _, id := range m.Kills {
			killed[id] = true
		}
	}
	for _, c := range catalogue.All() {
		if !killed[c.ID] {
			t.Errorf("no mutant in mutants/ kills %s: add one that its spec must catch", c.ID)
		}
	}
}

// A rule behind every mutant, a mutant (or, for what a server may do, a
// liberty of the liberal variant) behind every rule: each rule names at
// least one, each mutant and each liberty is named by exactly one rule.
func TestEveryRuleHasAMutantAndEveryMutantARule(t *testing.T) {
	known := map[string]string{}
	for _, m := range mutants.All() {
		known[m.Name] = "mutant"
	}
	for _, l := range mutants.Liberties() {
		known[l.Name] = "liberty"
	}
	ruleOf := map[string]string{}
	for rule, names := range ruleRows(t) {
		if len(names) == 0 {
			t.Errorf("rule %s names no mutant that breaks it", rule)
		}
		for _, n := range names {
			switch {
			case known[n] == "":
				t.Errorf("rule %s names %q, which is no mutant and no liberty", rule, n)
			case ruleOf[n] != "":
				t.Errorf("%s %s is under two rules, %s and %s: it must break exactly one", known[n], n, ruleOf[n], rule)
			}
			ruleOf[n] = rule
		}
	}
	for n, kind := range known {
		if ruleOf[n] == "" {
			t.Errorf("%s %s is under no rule of rules.md", kind, n)
		}
	}
}

// The README is for users: short, the two commands on its first screen, and
// a link to every page of docs/, where what it leaves out is written.
func TestTheREADMEIsShortAndLinksEveryPage(t *testing.T) {
	readme := read(t, filepath.Join("..", "README.md"))
	lines := strings.Split(strings.TrimRight(readme, "\n"), "\n")
	if len(lines) > 300 {
		t.Errorf("README.md has %d lines; keep it to 300 and move the rest to docs/", len(lines))
	}
	firstScreen := strings.Join(lines[:min(25, len(lines))], "\n")
	for _, command := range []string{"make conformance", "make test"} {
		if !strings.Contains(firstScreen, command) {
			t.Errorf("README.md's first 25 lines do not name %q", command)
		}
	}
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range pages {
		if !strings.Contains(readme, "](docs/"+page) {
			t.Errorf("README.md does not link docs/%s", page)
		}
	}
}

// Every relative link of the README and of docs/ leads to a file that exists.
func TestRelativeLinksResolve(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)#]*)(#[^)]*)?\)`)
	fence := regexp.MustCompile("(?s)```.*?```")
	pages, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range append(pages, filepath.Join("..", "README.md")) {
		for _, m := range link.FindAllStringSubmatch(fence.ReplaceAllString(read(t, page), ""), -1) {
			target := m[1]
			if target == "" || strings.Contains(target, "://") {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(page), target)); err != nil {
				t.Errorf("%s links %s, which does not exist", page, target)
			}
		}
	}
}

// The pages that name make test's steps name the Makefile's TEST_STEPS,
// in its order.
func TestThePagesNameMakeTestsSteps(t *testing.T) {
	m := regexp.MustCompile(`(?m)^TEST_STEPS \?= (.+)$`).FindStringSubmatch(read(t, "../Makefile"))
	if m == nil {
		t.Fatal("the Makefile sets no TEST_STEPS")
	}
	steps := strings.Fields(m[1])
	for _, page := range []string{"development.md", "contributing.md"} {
		text := strings.Join(strings.Fields(read(t, page)), " ")
		if !strings.Contains(text, "`"+strings.Join(steps, " ")+"`") {
			t.Errorf("%s does not name make test's steps as the Makefile does: `%s`", page, strings.Join(steps, " "))
		}
	}
}
