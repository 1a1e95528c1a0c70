package conformance

import (
	"os"

	"github.com/callcases/conformance/config"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// Configuration is Ginkgo's configuration for the suite, with the run's
// overall deadline (CONFORMANCE_DEADLINE) as its timeout: past it no spec
// starts (each is reported as a run error that did not run), the ones under
// way are stopped, and the cleanup still runs, within Ginkgo's grace period.
// Pass it to RunSpecs.
func Configuration() (types.SuiteConfig, types.ReporterConfig) {
	suite, reporter := GinkgoConfiguration()
	deadline := config.Defaults().Deadline
	if cfg, err := config.Load(os.LookupEnv); err == nil {
		deadline = cfg.Deadline
	}
	suite.Timeout = deadline
	// Specs run in a random order (the seed is in the reports; -seed
	// repeats it), spec by spec rather than container by container, so that
	// SpecPriority (see labels) puts exactly the specs that take turns first.
	suite.RandomizeAllSpecs = true
	return suite, reporter
}
