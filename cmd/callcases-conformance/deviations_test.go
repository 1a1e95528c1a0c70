package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The vendor binary links no mutant and no variant; the binary make
// conformance builds for CONFORMANCE_MUTANT or CONFORMANCE_VARIANT (the tag
// "deviations") links them. Read from the import graph go build would link.
func TestTheVendorBinaryLinksNoMutants(t *testing.T) {
	const mutants = "github.com/callcases/conformance/mutants"
	for _, tc := range []struct {
		tags string
		want bool
	}{{"", false}, {"deviations", true}} {
		out, err := exec.Command("go", "list", "-tags", tc.tags, "-deps", ".").Output()
		if err != nil {
			t.Fatalf("go list -tags %q -deps: %v", tc.tags, err)
		}
		if got := slices.Contains(strings.Fields(string(out)), mutants); got != tc.want {
			t.Errorf("built with tags %q, the binary links %s: %v, want %v", tc.tags, mutants, got, tc.want)
		}
	}
}
