package docs_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// An area file of the suite (suites/conformance/cases.go, list.go,
// families.go, ...) holds only specs, so that it reads like the catalogue:
// its helpers live in files named for what they hold, or in the client of
// their resource (architecture.md, "Where a new thing goes"). These tests
// keep the next file from drifting. They read the sources, so they live
// here and not in the suite, whose binary runs where they are not.

func TestAnAreaFileHoldsOnlySpecs(t *testing.T) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join("..", "suites", "conformance", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*ast.File{}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(path)] = f
	}
	areas, breaches := areaFiles(fset, files)
	// The detection itself: a file of specs is found, and the machinery
	// that calls Describe inside its functions (condition.go) is not one.
	if !slices.Contains(areas, "cases.go") || slices.Contains(areas, "condition.go") {
		t.Fatalf("the area files found are %v: the detection no longer tells the files of specs from the machinery", areas)
	}
	t.Logf("area files: %s", strings.Join(areas, ", "))
	for _, b := range breaches {
		t.Error(b)
	}
}

// The check catches what it is for: a helper beside the specs, in a file
// whose specs are declared through a wrapper of Describe (turns), and leaves
// alone a file that only defines that wrapper.
func TestTheAreaCheckFindsAHelperBesideSpecs(t *testing.T) {
	sources := map[string]string{
		"machinery.go": `package p
func turns(text string, body func()) bool { return Describe(text, body) }
func helper() {}`,
		"area.go": `package p
var _ = turns("an area", func() { helper() })
const limit = 1
type kept struct{}
var examples = map[string]int{}
func expectSomething() {}`,
	}
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	for name, src := range sources {
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	areas, breaches := areaFiles(fset, files)
	if !slices.Equal(areas, []string{"area.go"}) {
		t.Errorf("area files = %v, want [area.go]", areas)
	}
	got := strings.Join(breaches, "\n")
	for _, want := range []string{"const limit", "type kept", "var examples", "func expectSomething"} {
		if !strings.Contains(got, want) {
			t.Errorf("the breaches do not name %s:\n%s", want, got)
		}
	}
	if len(breaches) != 4 {
		t.Errorf("%d breaches, want 4:\n%s", len(breaches), got)
	}
}

// ginkgoContainers are Ginkgo's functions that declare specs or containers
// of them (each also with its F, P and X prefixes).
var ginkgoContainers = []string{"Describe", "Context", "When", "It", "Specify", "DescribeTable", "DescribeTableSubtree"}

// areaFiles lists the area files among files, in name order, and what each
// declares beside its specs. An area file calls, at the top level, a
// function that declares specs: one of Ginkgo's containers, or a function
// of the package that calls one (turns, familyTable, condition). Beside its
// specs (var _ = ...) it may declare nothing: no func, no type, no const,
// no named var.
func areaFiles(fset *token.FileSet, files map[string]*ast.File) (areas, breaches []string) {
	declares := map[string]bool{}
	for _, name := range ginkgoContainers {
		for _, prefix := range []string{"", "F", "P", "X"} {
			declares[prefix+name] = true
		}
	}
	// The package's own functions that declare specs, and those that call
	// them, until there are no more.
	for grew := true; grew; {
		grew = false
		for _, f := range files {
			for _, d := range f.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if ok && fd.Recv == nil && fd.Body != nil && !declares[fd.Name.Name] && callsAny(fd.Body, declares) {
					declares[fd.Name.Name], grew = true, true
				}
			}
		}
	}
	for name, f := range files {
		area := false
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR && callsAny(gd, declares) {
				area = true
			}
		}
		if !area {
			continue
		}
		areas = append(areas, name)
		breach := func(at token.Pos, what string) {
			breaches = append(breaches, fmt.Sprintf("%s: %s declares specs, and %s beside them: an area file holds only specs; "+
				"move it to a file named for what it holds, or to the client of its resource (docs/architecture.md, \"Where a new thing goes\")",
				fset.Position(at), name, what))
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				breach(d.Pos(), "func "+d.Name.Name)
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						breach(s.Pos(), "type "+s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.Name != "_" {
								breach(n.Pos(), d.Tok.String()+" "+n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(areas)
	slices.Sort(breaches)
	return areas, breaches
}

// callsAny reports whether n calls, by name, a function in names: one of
// the package (or dot-imported) or one of Ginkgo's.
func callsAny(n ast.Node, names map[string]bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			found = names[fun.Name]
		case *ast.SelectorExpr: // ginkgo.Describe, not a method of that name
			if pkg, ok := fun.X.(*ast.Ident); ok && pkg.Name == "ginkgo" {
				found = names[fun.Sel.Name]
			}
		}
		return !found
	})
	return found
}
