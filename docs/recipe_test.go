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

var (
	recipeMarker = regexp.MustCompile(`^<!-- recipe: (\S+) (append|before|after|replace|row)(?: "(.*)")? -->$`)
	fence        = regexp.MustCompile("^```")
)

// recipeSteps reads the marked blocks of contributing.md, in order.
func recipeSteps(t *testing.T) []recipeStep {
	t.Helper()
	lines := strings.Split(read(t, "contributing.md"), "\n")
	var steps []recipeStep
	for i := 0; i < len(lines); i++ {
		m := recipeMarker.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.Contains(lines[i], "<!-- recipe") {
				t.Fatalf("contributing.md:%d: a recipe marker this test cannot read: %s", i+1, lines[i])
			}
			continue
		}
		if i+1 >= len(lines) || !fence.MatchString(lines[i+1]) {
			t.Fatalf("contributing.md:%d: the marker is not followed by a code block", i+1)
		}
		end := slices.IndexFunc(lines[i+2:], func(l string) bool { return fence.MatchString(l) })
		if end < 0 {
			t.Fatalf("contributing.md:%d: the code block does not end", i+2)
		}
		steps = append(steps, recipeStep{file: m[1], op: m[2], anchor: m[3], block: strings.Join(lines[i+2:i+2+end], "\n")})
		i += 2 + end
	}
	return steps
}

// apply makes the step's edit on src, as a person following the page would.
func (s recipeStep) apply(src string) (string, error) {
	if s.op == "append" {
		return strings.TrimRight(src, "\n") + "\n" + s.block + "\n", nil
	}
	lines := strings.Split(src, "\n")
	at := -1
	for i, l := range lines {
		if (s.op == "row" && strings.HasPrefix(l, "| `"+s.anchor+"` |")) || (s.op != "row" && strings.Contains(l, s.anchor)) {
			at = i
			break
		}
	}
	if at < 0 {
		return "", fmt.Errorf("%s has no line %q", s.file, s.anchor)
	}
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
	return strings.Join(slices.Concat(lines[:at], edit, lines[at+1:]), "\n"), nil
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

// TestTheRecipeAddsAConditionInFourFiles follows contributing.md on a copy
// of the tree: it applies the page's blocks where the page says, counts the
// files they touch, and runs the checks that catch a wrong step (a spec
// outside its container, a row without a mutant or a rule, labels that
// disagree), then the new spec against the reference and against its mutant.
func TestTheRecipeAddsAConditionInFourFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the tree and builds it: not under -short")
	}
	steps := recipeSteps(t)
	if len(steps) == 0 {
		t.Fatal("contributing.md marks no recipe blocks (<!-- recipe: FILE OP \"ANCHOR\" --> before a code block)")
	}
	dir := copyDir(t)
	copyTree(t, "..", dir)

	touched := map[string]bool{}
	for _, s := range steps {
		path := filepath.Join(dir, s.file)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the recipe edits %s: %v", s.file, err)
		}
		after, err := s.apply(string(b))
		if err != nil {
			t.Fatalf("the recipe's step on %s: %v", s.file, err)
		}
		if err := os.WriteFile(path, []byte(after), 0o644); err != nil {
			t.Fatal(err)
		}
		touched[s.file] = true
	}
	if len(touched) > 4 {
		t.Errorf("the recipe touches %d files, want at most 4: %v", len(touched), touched)
	}

	reports := t.TempDir()
	env := []string{"CONFORMANCE_REPORTS=" + reports, "GOFLAGS=-count=1"}
	checks := [][]string{
		{"gofmt", "-l", "catalogue", "suites", "mutants", "docs"},
		{"go", "vet", "./..."},
		// -short: not this test again, inside the copy.
		{"go", "test", "-short", "./docs", "./catalogue", "./mutants"},
		{"go", "test", "./selftest", "-run", "TestCatalogueAndSpecsAgree$"},
	}
	for _, c := range checks {
		out, err := run(dir, env, c[0], c[1:]...)
		if err != nil || (c[0] == "gofmt" && out != "") {
			t.Fatalf("after the recipe, %s: %v\n%s", strings.Join(c, " "), err, out)
		}
	}

	// The new condition's id is the row's; its mutant, the mutant's.
	id := regexp.MustCompile(`id: ([^,]+),`).FindStringSubmatch(steps[0].block)
	mutant := regexp.MustCompile(`Name: "([^"]+)"`)
	var name []string
	for _, s := range steps {
		if m := mutant.FindStringSubmatch(s.block); m != nil && strings.HasPrefix(s.file, "mutants/") {
			name = m
		}
	}
	if id == nil || name == nil {
		t.Fatalf("the recipe's first block is no catalogue row (%q), or no block adds a mutant", steps[0].block)
	}
	filter := "-ginkgo.label-filter=" + id[1]
	row := regexp.MustCompile(`\| ` + regexp.QuoteMeta(id[1]) + ` \| \d+ \| (json|xml) \| (\w[\w ]*\w) \|`)
	verdicts := func() []string {
		b, err := os.ReadFile(filepath.Join(reports, "summary.md"))
		if err != nil {
			t.Fatalf("no summary: %v", err)
		}
		var v []string
		for _, m := range row.FindAllStringSubmatch(string(b), -1) {
			v = append(v, m[1]+" "+m[2])
		}
		return v
	}
	if out, err := run(dir, env, "go", "test", "./suites/conformance", filter); err != nil {
		t.Fatalf("the new spec against the reference: %v\n%s", err, out)
	}
	if got := verdicts(); !slices.Equal(got, []string{"json passed", "xml passed"}) {
		t.Errorf("against the reference %s is %v, want passed in both formats", id[1], got)
	}
	out, err := run(dir, append(env, "CONFORMANCE_MUTANT="+name[1]), "go", "test", "./suites/conformance", filter)
	if err == nil {
		t.Errorf("the new spec passes against its mutant %s:\n%s", name[1], out)
	}
	if got := verdicts(); !slices.Equal(got, []string{"json failed", "xml failed"}) {
		t.Errorf("against the mutant %s, %s is %v, want failed in both formats", name[1], id[1], got)
	}
}

// The steps land where the page says, and a step whose anchor is gone says so.
func TestRecipeStepsApply(t *testing.T) {
	src := "a\n\tx := 1\n\ty := 2\n| `R-1` | what | `m1` |\nend"
	for _, c := range []struct {
		step recipeStep
		want string
	}{
		{recipeStep{op: "append", block: "z"}, src + "\nz\n"},
		{recipeStep{op: "before", anchor: "y :=", block: "w := 0"}, "a\n\tx := 1\n\tw := 0\n\n\ty := 2\n| `R-1` | what | `m1` |\nend"},
		{recipeStep{op: "after", anchor: "a", block: "v := 0"}, "a\n\tv := 0\n\tx := 1\n\ty := 2\n| `R-1` | what | `m1` |\nend"},
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
}
