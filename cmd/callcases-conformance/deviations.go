//go:build deviations

package main

import (
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/mutants"
)

// Built with -tags deviations (make conformance does, when CONFORMANCE_MUTANT
// or CONFORMANCE_VARIANT is set), the binary serves the embedded reference
// as a mutant or a variant. Releases are built without the tag: a vendor's
// binary links no mutant.
func init() { harness.Deviation = mutants.Deviation }
