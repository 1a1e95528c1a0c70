package conformance

import (
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/mutants"
)

// The suite's test binary (go test, bin/conformance.test, the kill matrix)
// serves the embedded reference as a mutant or a variant when asked; the
// vendor binary links no mutant.
func init() { harness.Deviation = mutants.Deviation }
