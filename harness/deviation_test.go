package harness

import "github.com/callcases/conformance/mutants"

func init() { Deviation = mutants.Deviation }
