// Package conformance_test is the conformance suite: one spec per row of the
// condition catalogue (catalogue/conditions.yaml), per format, against the
// configured target or, when none is configured, the embedded reference.
package conformance_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/matchers"
	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Call Cases API conformance")
}

var (
	// formats decides the tree, so it is read when the tree is built; a bad
	// configuration still stops the run in the BeforeSuite, before any request.
	formats = func() []string {
		if cfg, err := config.Load(os.LookupEnv); err == nil {
			return cfg.Formats
		}
		return []string{config.DefaultFormat}
	}()

	env     *harness.Env     // this process's view of the target
	session *harness.Session // process 1 only
)

var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	s, e, err := harness.Start(ctx, os.LookupEnv)
	if err != nil {
		Fail(matchers.RunErrorPrefix + err.Error())
	}
	session = s
	matchers.Redact(e.Secrets()...)
	fmt.Fprintf(GinkgoWriter, "run %s against %s\n", e.RunID, e.Config.Target)
	for _, line := range e.Config.Lines() {
		fmt.Fprintln(GinkgoWriter, "  "+line)
	}
	return s.Marshal()
}, func(data []byte) {
	var err error
	env, err = harness.Attach(data)
	if err != nil {
		Fail(matchers.RunErrorPrefix + err.Error())
	}
	matchers.Redact(env.Secrets()...)
})

var _ = SynchronizedAfterSuite(func() {}, func(ctx SpecContext) {
	if env != nil {
		if err := env.ResetFaults(ctx); err != nil {
			Fail(matchers.RunErrorPrefix + "could not put the fault hook back to none: " + err.Error())
		}
	}
	session.Close()
})

// ReportAfterSuite runs on process 1 with every process's specs.
var _ = ReportAfterSuite("conformance reports", func(r Report) {
	run := report.Run{Dir: config.DefaultReports, Secrets: matchers.Secrets()}
	if cfg, err := config.Load(os.LookupEnv); err == nil {
		run.Dir = cfg.Reports
	}
	if session != nil {
		cfg := session.Shared.Config
		run.Target, run.RunID, run.Config = cfg.Target, session.Shared.RunID, cfg.Lines()
	}
	if err := report.Write(run, r, os.Stdout); err != nil {
		Fail(matchers.RunErrorPrefix + "writing reports: " + err.Error())
	}
})
