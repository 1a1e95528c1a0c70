package docs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// A step of contributing.md: a code block, and the marker before it that
// says where it goes.
type recipeStep struct {
	file   string // relative to the repository
	op     string // append, before, after, replace, row
	anchor string // the line (a part of it) the block goes before, after or in place of; for row, the rule id
	block  string
}

// A recipe is the steps under one of the page's top-level headings
// ("# Adding a condition"), in order.
type recipe struct {
	title string
	steps []recipeStep
}

var (
	recipeMarker = regexp.MustCompile(`^<!-- recipe: (\S+) (append|before|after|replace|row)(?: "(.*)")? -->$`)
	fence        = regexp.MustCompile("^```")
)

// recipes reads the marked blocks of contributing.md, by heading.
func recipes(t *testing.T) []recipe {
	t.Helper()
	return recipesIn(t, read(t, "contributing.md"))
}

func recipesIn(t *testing.T, page string) []recipe {
	t.Helper()
	lines := strings.Split(page, "\n")
	var out []recipe
	inBlock := false // in a code block no marker precedes (a "# " there is a shell comment)
	for i := 0; i < len(lines); i++ {
		if fence.MatchString(lines[i]) {
			inBlock = !inBlock
			continue
		}
		if inBlock {
			continue
		}
		if title, ok := strings.CutPrefix(lines[i], "# "); ok {
			out = append(out, recipe{title: title})
			continue
		}
		m := recipeMarker.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.Contains(lines[i], "<!-- recipe") {
				t.Fatalf("contributing.md:%d: a recipe marker this test cannot read: %s", i+1, lines[i])
			}
			continue
		}
		if len(out) == 0 {
			t.Fatalf("contributing.md:%d: a recipe marker before the page's first heading", i+1)
		}
		if i+1 >= len(lines) || !fence.MatchString(lines[i+1]) {
			t.Fatalf("contributing.md:%d: the marker is not followed by a code block", i+1)
		}
		end := slices.IndexFunc(lines[i+2:], func(l string) bool { return fence.MatchString(l) })
		if end < 0 {
			t.Fatalf("contributing.md:%d: the code block does not end", i+2)
		}
		r := &out[len(out)-1]
		r.steps = append(r.steps, recipeStep{file: m[1], op: m[2], anchor: m[3], block: strings.Join(lines[i+2:i+2+end], "\n")})
		i += 2 + end
	}
	return slices.DeleteFunc(out, func(r recipe) bool { return len(r.steps) == 0 })
}

// files are the files the recipe's steps touch.
func (r recipe) files() []string {
	var out []string
	for _, s := range r.steps {
		if !slices.Contains(out, s.file) {
			out = append(out, s.file)
		}
	}
	return out
}

// conditions are the ids of the catalogue rows the recipe adds, families
// included.
func (r recipe) conditions() []string {
	var out []string
	for _, s := range r.steps {
		if s.file == "catalogue/conditions.yaml" {
			for _, m := range regexp.MustCompile(`(?m)^- \{id: ([^,]+),`).FindAllStringSubmatch(s.block, -1) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// mutants are the names of the mutants the recipe adds.
func (r recipe) mutants() []string {
	var out []string
	for _, s := range r.steps {
		if strings.HasPrefix(s.file, "mutants/") {
			for _, m := range regexp.MustCompile(`Name: "([^"]+)"`).FindAllStringSubmatch(s.block, -1) {
				out = append(out, m[1])
			}
		}
	}
	return out
}

// explores says the recipe changes what exploration generates.
func (r recipe) explores() bool {
	return slices.ContainsFunc(r.steps, func(s recipeStep) bool { return strings.HasPrefix(s.file, "explore/") })
}

// apply makes the step's edit on src, as a person following the page would.
func (s recipeStep) apply(src string) (string, error) {
	if s.op == "append" {
		return strings.TrimRight(src, "\n") + "\n" + s.block + "\n", nil
	}
	lines := strings.Split(src, "\n")
	var at []int
	for i, l := range lines {
		if (s.op == "row" && strings.HasPrefix(l, "| `"+s.anchor+"` |")) || (s.op != "row" && strings.Contains(l, s.anchor)) {
			at = append(at, i)
		}
	}
	switch {
	case len(at) == 0:
		return "", fmt.Errorf("%s has no line %q", s.file, s.anchor)
	case len(at) > 1: // the page would not say which
		return "", fmt.Errorf("%s has %d lines %q (lines %d and %d), the step says one", s.file, len(at), s.anchor, at[0]+1, at[1]+1)
	}
	return s.edit(lines, at[0]), nil
}

// edit makes the step's edit at line at.
func (s recipeStep) edit(lines []string, at int) string {
	indent := func(i int) string { return lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " \t"))] }
	indented := func(prefix string) []string {
		var out []string
		for _, l := range strings.Split(s.block, "\n") {
			out = append(out, prefix+l)
		}
		return out
	}
	var edit []string
	switch s.op {
	case "before": // the block, then a blank line, at the anchor's depth
		edit = append(append(indented(indent(at)), ""), lines[at])
	case "after": // at the depth of the line that follows, which it joins
		next := min(at+1, len(lines)-1)
		edit = append([]string{lines[at]}, indented(indent(next))...)
	case "replace":
		edit = indented(indent(at))
	case "row": // one more name in the row's last column
		cells := strings.TrimSuffix(lines[at], "|")
		edit = []string{strings.TrimRight(cells, " ") + ", " + s.block + " |"}
	}
	return strings.Join(slices.Concat(lines[:at], edit, lines[at+1:]), "\n")
}

// copyTree copies the repository's sources (not what builds and runs leave)
// to dir.
func copyTree(t *testing.T, root, dir string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case ".git", "bin", "dist", "reports", "tools/lint/node_modules", "suites/conformance/reports":
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(rel, ".test") || rel == ".git" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// copyDir is the folder of the copy: the same for a tree at each run, so
// that Go's build cache, which keys on where the sources are, serves the
// packages the recipe leaves alone (a folder of its own each time rebuilds
// them all, minutes instead of seconds); emptied before and after.
func copyDir(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(os.TempDir(), "callcases-conformance-recipe-"+hex.EncodeToString(sum[:4]))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// run runs a command in the copy, with none of the caller's suite settings.
func run(dir string, env []string, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "CONFORMANCE_") })
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	started := time.Now()
	err := cmd.Run()
	if testing.Verbose() {
		fmt.Printf("%s %s: %.1fs\n", name, strings.Join(args, " "), time.Since(started).Seconds())
	}
	return out.String(), err
}

// TestTheRecipesHold follows contributing.md on a copy of the tree: it
// applies the page's blocks where the page says (every recipe on the one
// copy, in order), counts the files each recipe touches, and runs the
// checks that catch a wrong step (a spec outside its container, a row
// without a mutant or a rule, labels that disagree, a count of breakages
// off): then each new condition or family against the reference, the
// liberal variant and its mutant, and each addition to exploration by the
// explore package's tests, its mutants found by exploration alone.
func TestTheRecipesHold(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the tree and builds it: not under -short")
	}
	rs := recipes(t)
	if len(rs) == 0 {
		t.Fatal("contributing.md marks no recipe blocks (<!-- recipe: FILE OP \"ANCHOR\" --> before a code block)")
	}
	dir := copyDir(t)
	copyTree(t, "..", dir)

	for _, r := range rs {
		for _, s := range r.steps {
			path := filepath.Join(dir, s.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%s: the recipe edits %s: %v", r.title, s.file, err)
			}
			after, err := s.apply(string(b))
			if err != nil {
				t.Fatalf("%s: the recipe's step on %s: %v", r.title, s.file, err)
			}
			if err := os.WriteFile(path, []byte(after), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(r.files()); n > 4 {
			t.Errorf("%s: the recipe touches %d files, want at most 4: %v", r.title, n, r.files())
		}
		if len(r.mutants()) == 0 {
			t.Errorf("%s: no block of the recipe adds a mutant (mutants/, Name: \"...\"): what it adds proves nothing", r.title)
		}
		if len(r.conditions()) == 0 && !r.explores() {
			t.Errorf("%s: the recipe adds no catalogue row and changes nothing in explore/: this test has nothing to check it by", r.title)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	reports := t.TempDir()
	// -trimpath: the copy's packages are cached by content, not by the
	// copy's folder, so that what the recipes leave alone is compiled once
	// per machine, not once per checkout.
	goflags := "GOFLAGS=-count=1 -trimpath"
	env := []string{"CONFORMANCE_REPORTS=" + reports, goflags}
	checks := [][]string{
		{"gofmt", "-l", "catalogue", "suites", "mutants", "explore", "docs"},
		{"go", "vet", "./..."},
		// -short: not this test again, inside the copy.
		{"go", "test", "-short", "./docs", "./catalogue", "./mutants"},
	}
	for _, c := range checks {
		out, err := run(dir, env, c[0], c[1:]...)
		if err != nil || (c[0] == "gofmt" && out != "") {
			t.Fatalf("after the recipes, %s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}
	// The copy's suite, compiled once for the runs below, each against the
	// embedded reference as go test ./suites/conformance would run it.
	suiteBin := filepath.Join(t.TempDir(), "conformance.test")
	if out, err := run(dir, env, "go", "test", "-c", "-o", suiteBin, "./suites/conformance"); err != nil {
		t.Fatalf("after the recipes, go test -c ./suites/conformance: %v\n%s", err, out)
	}
	suite := func(env []string, filter string) (string, error) {
		return run(filepath.Join(dir, "suites", "conformance"), env, suiteBin, "-ginkgo.no-color", filter)
	}

	// The catalogue and the specs agree: a dry run of that suite (the one
	// program the test runs) by the selftest, beside the runs below;
	// waited for before the copy is removed.
	agree := make(chan string, 1)
	go func() {
		out, err := run(dir, []string{"SELFTEST_BIN=" + filepath.Dir(suiteBin), goflags}, "go", "test", "./selftest", "-run", "TestCatalogueAndSpecsAgree$")
		if err != nil {
			out = fmt.Sprintf("%v\n%s", err, out)
		} else {
			out = ""
		}
		agree <- out
	}()
	t.Cleanup(func() {
		if failed := <-agree; failed != "" {
			t.Errorf("after the recipes, go test ./selftest -run 'TestCatalogueAndSpecsAgree$': %s", failed)
		}
	})

	// The new conditions, with the summary's verdict of each in each format.
	verdicts := func(id string) []string {
		b, err := os.ReadFile(filepath.Join(reports, "summary.md"))
		if err != nil {
			t.Fatalf("no summary: %v", err)
		}
		row := regexp.MustCompile(`\| ` + regexp.QuoteMeta(id) + ` \| \d+ \| (json|xml) \| (\w[\w ]*\w) \|`)
		var v []string
		for _, m := range row.FindAllStringSubmatch(string(b), -1) {
			v = append(v, m[1]+" "+m[2])
		}
		return v
	}
	var all []string
	for _, r := range rs {
		all = append(all, r.conditions()...)
	}
	if len(all) > 0 {
		filter := "-ginkgo.label-filter=" + strings.Join(all, " || ")
		for _, server := range []struct {
			name string
			env  []string
		}{{"the reference", nil}, {"the liberal variant", []string{"CONFORMANCE_VARIANT=liberal"}}} {
			if out, err := suite(slices.Concat(env, server.env), filter); err != nil {
				t.Fatalf("the new specs against %s: %v\n%s", server.name, err, out)
			}
			for _, id := range all {
				if got := verdicts(id); !slices.Equal(got, []string{"json passed", "xml passed"}) {
					t.Errorf("against %s %s is %v, want passed in both formats", server.name, id, got)
				}
			}
		}
	}
	for _, r := range rs {
		ids := r.conditions()
		if len(ids) == 0 {
			continue
		}
		for _, name := range r.mutants() {
			out, err := suite(append(env, "CONFORMANCE_MUTANT="+name), "-ginkgo.label-filter="+strings.Join(ids, " || "))
			if err == nil {
				t.Errorf("%s: the new specs pass against their mutant %s:\n%s", r.title, name, out)
			}
			for _, id := range ids {
				if got := verdicts(id); !slices.Equal(got, []string{"json failed", "xml failed"}) {
					t.Errorf("%s: against the mutant %s, %s is %v, want failed in both formats", r.title, name, id, got)
				}
			}
		}
	}

	// An addition to exploration: the counts of breakages, each new
	// mutant found by exploration (TestMutantsKilledByExploration runs
	// only the mutants whose Kills are exploration's), no divergence from
	// the conforming servers, and no hand-written condition that fails
	// against the mutants.
	for _, r := range rs {
		if !r.explores() {
			continue
		}
		names := make([]string, len(r.mutants()))
		for i, n := range r.mutants() {
			names[i] = regexp.QuoteMeta(n)
		}
		pattern := "TestBadOpsCountTheirBreakages$" +
			"|TestMutantsKilledByExploration$/^(" + strings.Join(names, "|") + ")$" +
			"|TestNoDivergenceAgainstAConformingServer$/^(reference|liberal)$"
		out, err := run(dir, env, "go", "test", "./explore", "-v", "-run", pattern)
		if err != nil {
			t.Fatalf("%s: go test ./explore -run '%s': %v\n%s", r.title, pattern, err, withoutProgress(out))
		}
		for _, n := range r.mutants() {
			if !strings.Contains(out, "--- PASS: TestMutantsKilledByExploration/"+n+" ") {
				t.Errorf("%s: exploration's kill test did not run %s: are its Kills exploration's rows alone?\n%s", r.title, n, withoutProgress(out))
			}
		}
		for _, n := range r.mutants() {
			if out, err := suite(append(env, "CONFORMANCE_MUTANT="+n), "-ginkgo.label-filter=!area:explore"); err != nil {
				t.Errorf("%s: a hand-written condition fails against %s, which only exploration should find: %v\n%s", r.title, n, err, out)
			}
		}
	}
}

// withoutProgress is go test -v's output without its lines of progress.
func withoutProgress(out string) string {
	lines := strings.Split(out, "\n")
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "=== ") }), "\n")
}

// The steps land where the page says, and a step whose anchor is gone, or
// on more than one line, says so.
func TestRecipeStepsApply(t *testing.T) {
	src := "a\n\tx := 1\n\ty := 2\n| `R-1` | what | `m1` |\nend"
	for _, c := range []struct {
		step recipeStep
		want string
	}{
		{recipeStep{op: "append", block: "z"}, src + "\nz\n"},
		{recipeStep{op: "before", anchor: "y :=", block: "w := 0"}, "a\n\tx := 1\n\tw := 0\n\n\ty := 2\n| `R-1` | what | `m1` |\nend"},
		{recipeStep{op: "after", anchor: "x :=", block: "v := 0"}, "a\n\tx := 1\n\tv := 0\n\ty := 2\n| `R-1` | what | `m1` |\nend"},
		{recipeStep{op: "replace", anchor: "x :=", block: "x := 3"}, "a\n\tx := 3\n\ty := 2\n| `R-1` | what | `m1` |\nend"},
		{recipeStep{op: "row", anchor: "R-1", block: "`m2`"}, "a\n\tx := 1\n\ty := 2\n| `R-1` | what | `m1`, `m2` |\nend"},
	} {
		if got, err := c.step.apply(src); err != nil || got != c.want {
			t.Errorf("%s %q: %q, %v; want %q", c.step.op, c.step.anchor, got, err, c.want)
		}
	}
	if _, err := (recipeStep{file: "f", op: "replace", anchor: "gone", block: "x"}).apply(src); err == nil {
		t.Error("a step whose anchor is gone applied")
	}
	if _, err := (recipeStep{file: "f", op: "before", anchor: " := ", block: "x"}).apply(src); err == nil {
		t.Error("a step whose anchor is on two lines applied")
	}
}

// A page's marked blocks are grouped by its top-level headings; a "# " in
// a code block is not one, and a heading without blocks is no recipe.
func TestRecipesAreReadByHeading(t *testing.T) {
	page := strings.Join([]string{
		"# Adding a condition",
		"<!-- recipe: a.yaml append -->",
		"```yaml", "- {id: X}", "```",
		"```sh", "# a comment, not a heading", "go test ./x", "```",
		"<!-- recipe: mutants/m.go after \"var m = []M{\" -->",
		"```go", `{Name: "m1"},`, "```",
		"# Notes",
		"# Adding to exploration",
		"<!-- recipe: explore/gen.go replace \"xs = []int{\" -->",
		"```go", "xs = []int{1, 2}", "```",
	}, "\n")
	got := recipesIn(t, page)
	if len(got) != 2 || got[0].title != "Adding a condition" || got[1].title != "Adding to exploration" {
		t.Fatalf("recipes %+v, want the condition's and exploration's", got)
	}
	if len(got[0].steps) != 2 || got[0].steps[1].anchor != "var m = []M{" || got[0].steps[1].block != `{Name: "m1"},` {
		t.Errorf("the condition's steps: %+v", got[0].steps)
	}
	if !slices.Equal(got[0].mutants(), []string{"m1"}) || got[0].explores() || !got[1].explores() {
		t.Errorf("mutants %v, explores %v and %v", got[0].mutants(), got[0].explores(), got[1].explores())
	}
}
