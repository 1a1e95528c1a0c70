// Package selftest tests the suite itself: that its specs and the condition
// catalogue agree, and that it passes a conforming target reached over the
// network exactly as a live staging would be.
//
// Each test starts the targets it runs against and calls t.Parallel, so
// that tests that wait (on a timeout, a signal, a slow answer) overlap;
// TestMakeConformanceStopsCleanlyOnSIGTERM, which runs make in the
// checkout and compares its untracked files, runs alone.
package selftest

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/contract"
	"github.com/callcases/conformance/coverage"
	"github.com/callcases/conformance/suiterun"
	"github.com/onsi/ginkgo/v2/types"
)

// builtBinaries are the programs the tests run, by file name, each with the
// go command (and package) that builds it from this folder.
var builtBinaries = []struct{ name, build, pkg string }{
	{"conformance.test", "test -c", "../suites/conformance"},
	{"reference", "build", "../cmd/reference"},
	{"callcases-conformance", "build", "../cmd/callcases-conformance"},
	{"latencyproxy", "build", "../cmd/latencyproxy"},
}

// bin is the folder of the programs: SELFTEST_BIN (make test, which has
// built them into bin/ for the mutants as well; a folder that holds only
// the programs the tests to run need will do), or a temporary folder
// where program builds each the first time a test asks for it, so that
// go test -run with one test builds only what that test runs.
var (
	bin      string
	prebuilt bool
	builds   = map[string]func() error{}
)

func TestMain(m *testing.M) {
	if dir := os.Getenv("SELFTEST_BIN"); dir != "" {
		if err := useBuilt(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "selftest-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	for _, b := range builtBinaries {
		builds[b.name] = sync.OnceValue(func() error {
			args := append(strings.Fields(b.build), "-o", filepath.Join(dir, b.name), b.pkg)
			if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
				return fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			return nil
		})
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// program is the path of the program name, built first if it must be.
func program(t testing.TB, name string) string {
	t.Helper()
	if prebuilt {
		path := filepath.Join(bin, name)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("SELFTEST_BIN: %v (make binaries builds every program into bin/; or unset it)", err)
		}
		return path
	}
	build, ok := builds[name]
	if !ok {
		t.Fatalf("no program %s among builtBinaries", name)
	}
	if err := build(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(bin, name)
}

// useBuilt takes the programs from dir, a folder; a test that runs one it
// does not hold fails, naming it.
func useBuilt(dir string) error {
	abs, err := filepath.Abs(dir)
	if err == nil {
		var info os.FileInfo
		if info, err = os.Stat(abs); err == nil && !info.IsDir() {
			err = fmt.Errorf("%s is not a folder", abs)
		}
	}
	if err != nil {
		return fmt.Errorf("SELFTEST_BIN: %w (make binaries builds the programs into bin/; or unset it)", err)
	}
	bin, prebuilt = abs, true
	return nil
}

// dryRun runs the compiled suite's dry run with these settings, within a
// minute, and returns the path of Ginkgo's report of it.
func dryRun(t *testing.T, settings ...string) string {
	t.Helper()
	dir := t.TempDir()
	report := filepath.Join(dir, "dry.json")
	cmd := exec.Command(program(t, "conformance.test"), "-ginkgo.dry-run", "-ginkgo.json-report="+report)
	cmd.Env = suiterun.Env(append([]string{"CONFORMANCE_REPORTS=" + dir}, settings...)...)
	p, err := suiterun.Run(cmd, time.Minute)
	switch {
	case p == nil:
		t.Fatalf("dry run: %v", err)
	case p.TimedOut:
		t.Fatalf("dry run: still running after a minute, stopped\n%s", p.Output())
	case err != nil:
		t.Fatalf("dry run: %v\n%s", err, p.Output())
	}
	return report
}

func TestCatalogueAndSpecsAgree(t *testing.T) {
	t.Parallel()
	specs := readSpecs(t, dryRun(t, "CONFORMANCE_FORMATS=json,xml"))
	known := map[string]catalogue.Condition{}
	for _, c := range catalogue.All() {
		known[c.ID] = c
	}
	covered := map[string]int{}         // by condition and format
	familyRows := map[string][]string{} // family row → the op labels of its specs
	for _, s := range specs {
		var ids []string
		for _, l := range s.Labels() {
			if _, ok := known[l]; ok {
				ids = append(ids, l)
			}
		}
		if len(ids) != 1 {
			t.Errorf("spec %q has condition labels %v: every spec belongs to exactly one catalogue row", s.FullText(), ids)
			continue
		}
		c := known[ids[0]]
		labels := catalogue.ParseLabels(s.Labels())
		format := labels.Format
		if format == "" {
			format = "?"
		}
		if len(labels.Unknown) > 0 {
			t.Errorf("spec %s has labels no writer writes: %v", c.ID, labels.Unknown)
		}
		covered[c.ID+" "+format]++
		if c.Family {
			ops := labels.Ops
			if len(ops) != 1 {
				t.Errorf("spec %q of family %s has op labels %v, want exactly one", s.FullText(), c.ID, ops)
			}
			familyRows[c.ID] = append(familyRows[c.ID], ops...)
		}
		for _, want := range []string{fmt.Sprintf("code:%d", c.Code), "area:" + c.Area} {
			if !slices.Contains(s.Labels(), want) {
				t.Errorf("spec %s lacks label %s", c.ID, want)
			}
		}
		if !slices.Equal(labels.Needs, c.Needs) {
			t.Errorf("spec %s has needs: labels %v, the catalogue says %v", c.ID, labels.Needs, c.Needs)
		}
		if c.Mutating != slices.Contains(s.Labels(), "mutating") {
			t.Errorf("spec %s: label mutating is %v, the catalogue says %v", c.ID, !c.Mutating, c.Mutating)
		}
		// Reports show this location ("at" lines, junit, Ginkgo's output):
		// it must be the spec's own line, the one that names its id, never
		// a helper's.
		if line := sourceLine(t, s.LeafNodeLocation); !strings.Contains(line, `"`+c.ID+`"`) {
			t.Errorf("spec %s is located at %s, a line that does not name it: %q", c.ID, s.LeafNodeLocation, strings.TrimSpace(line))
		}
	}
	for _, c := range catalogue.All() {
		for _, format := range []string{"json", "xml"} { // every row in both formats
			switch n := covered[c.ID+" "+format]; {
			case c.Family && n == 0:
				t.Errorf("family %s has no spec for format %s", c.ID, format)
			case !c.Family && n != 1:
				t.Errorf("catalogue row %s has %d specs for format %s, want 1", c.ID, n, format)
			}
		}
	}
}

// expectEveryDocumentedPairAssertedOrExcused reads the coverage matrix from
// a passing run's result.json: every (operation, documented code) pair of
// openapi.yaml is provoked and asserted by a spec that passed, or listed in
// catalogue/unprovokable.yaml.
func expectEveryDocumentedPairAssertedOrExcused(t *testing.T, reports string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(reports, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var result struct {
		Coverage []coverage.Table `json:"coverage"`
	}
	if err := json.Unmarshal(b, &result); err != nil {
		t.Fatal(err)
	}
	if len(result.Coverage) != 2 {
		t.Fatalf("result.json has %d coverage tables, want two (json, xml)", len(result.Coverage))
	}
	doc, err := contract.LoadDocument()
	if err != nil {
		t.Fatal(err)
	}
	pairs := 0
	for _, op := range contract.Operations(doc) {
		pairs += len(op.Codes)
	}
	for _, table := range result.Coverage {
		if table.Counts["total"] != pairs {
			t.Errorf("the %s matrix has %d cells, the contract documents %d pairs", table.Format, table.Counts["total"], pairs)
		}
		for _, r := range table.Rows {
			for _, c := range r.Cells {
				if c.Outcome != coverage.Passed && c.Outcome != coverage.NotProvokable {
					t.Errorf("%s: %s %d is %s (%s): provoke and assert it in a spec, or list it in catalogue/unprovokable.yaml with the reason", table.Format, r.Operation, c.Code, c.Outcome, c.Reason)
				}
			}
		}
	}
}

// sourceLine reads the line a code location names.
func sourceLine(t *testing.T, loc types.CodeLocation) string {
	t.Helper()
	name := loc.FileName
	// A suite built with -trimpath names its files by import path.
	if rel, ok := strings.CutPrefix(name, modulePath+"/"); ok {
		name = filepath.Join("..", filepath.FromSlash(rel))
	}
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("the source of %s: %v", loc, err)
	}
	lines := strings.Split(string(b), "\n")
	if loc.LineNumber < 1 || loc.LineNumber > len(lines) {
		t.Fatalf("%s: no such line", loc)
	}
	return lines[loc.LineNumber-1]
}

// modulePath is this module's path, the prefix of its files' names in a
// program built with -trimpath.
const modulePath = "github.com/callcases/conformance"

// readSpecs are the specs (It nodes) of a run's Ginkgo JSON report.
func readSpecs(t *testing.T, path string) []types.SpecReport {
	t.Helper()
	r, err := suiterun.ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	return suiterun.Specs(r)
}

// startReference runs cmd/reference as its own process on a free port,
// stopped when the test ends, and returns the settings it prints.
func startReference(t *testing.T, args ...string) []string {
	t.Helper()
	s, err := suiterun.StartReference(context.Background(), program(t, "reference"), os.Stderr, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s.Env()
}

// TestSuitePassesTheReferenceAsALiveTarget is selftest's one whole passing
// run against the reference, fully configured (every need, both formats):
// its reports name every condition, the summary passes them all, and the
// coverage matrix has every documented pair asserted or excused. (The
// race step runs the suite against the embedded reference, make mutants
// against the reference before the mutants.)
func TestSuitePassesTheReferenceAsALiveTarget(t *testing.T) {
	t.Parallel()
	settings := startReference(t, "-fault-timer", "100ms")
	dir := t.TempDir()
	cmd := exec.Command(program(t, "conformance.test"), "-ginkgo.no-color")
	cmd.Env = suiterun.Env(append(settings, "CONFORMANCE_REPORTS="+dir)...)
	cmd.WaitDelay = time.Minute
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the suite failed the reference: %v\n%s", err, out)
	}
	var junit struct {
		Cases []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite>testcase"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b, &junit); err != nil {
		t.Fatal(err)
	}
	for _, c := range catalogue.All() {
		for _, format := range []string{"json", "xml"} { // both, by default
			if !slices.ContainsFunc(junit.Cases, func(tc struct {
				Name string `xml:"name,attr"`
			}) bool {
				return strings.Contains(tc.Name, c.ID+":") && strings.Contains(tc.Name, "format:"+format)
			}) {
				t.Errorf("junit.xml names no test case for %s in format %s", c.ID, format)
			}
		}
	}
	summary, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(summary), "PASS") || strings.Contains(string(summary), "| not provoked |") {
		t.Errorf("summary should pass every condition against a fully configured reference:\n%s", summary)
	}
	expectEveryDocumentedPairAssertedOrExcused(t, dir)
}
