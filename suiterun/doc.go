// Package suiterun runs the suite from outside, as its own process, the way
// cmd/mutants, cmd/bench and the selftest do: the environment of a run
// (none of the caller's suite settings), a server started as a process
// (cmd/reference, cmd/latencyproxy) and the settings it announces, a run
// of the compiled suite or of callcases-conformance bounded in time, and
// what Ginkgo's JSON report says about each condition.
//
// The suite's own machinery, run inside its processes, is in harness/;
// this package is for the programs and tests that start those processes.
package suiterun
