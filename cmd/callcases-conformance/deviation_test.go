package main

import (
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/mutants"
)

// This package's tests run the explore command against a mutant of the
// embedded reference in-process, as a binary built with the tag
// deviations does (deviations.go); the vendor binary links no mutant.
func init() { harness.Deviation = mutants.Deviation }
