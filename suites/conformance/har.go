package conformance

import (
	"sync"
	"sync/atomic"

	"github.com/callcases/conformance/bundle"
	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/client"
	"github.com/callcases/conformance/harness"
	"github.com/callcases/conformance/matchers"
	"github.com/callcases/conformance/report"
	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// Every exchange of the run goes to reports/exchanges.har, tagged with the
// condition and format of the spec that made it (see package bundle): each
// process writes its part as it goes, process 1 merges them at the end.
var recorder = sync.OnceValue(func() *bundle.Recorder {
	suite, _ := GinkgoConfiguration()
	return bundle.NewRecorder(suite.ParallelProcess, suite.ParallelTotal, len(formats), matchers.Secrets)
})

func init() {
	harness.Record = func(x *client.Exchange) {
		tags := specTags.Load()
		if tags == nil { // outside a spec's BeforeEach to cleanup: the suite's setup, a BeforeAll
			t := tagsOf(CurrentSpecReport())
			tags = &t
		}
		recorder().Record(x, *tags)
	}
}

// specTags are the tags of the spec under way, from its BeforeEach to the
// end of its cleanup (see beforeEachSpec), so that its exchanges do not each
// read CurrentSpecReport, which copies the whole report of the spec.
var specTags atomic.Pointer[bundle.Tags]

// tagsOf names where in the run an exchange was made.
func tagsOf(sr SpecReport) bundle.Tags {
	switch sr.LeafNodeType {
	case types.NodeTypeIt:
		t := bundle.Tags{Format: catalogue.ParseLabels(sr.Labels()).Format}
		t.Condition = report.RowOf(sr).Condition.ID
		return t
	case types.NodeTypeBeforeSuite, types.NodeTypeSynchronizedBeforeSuite:
		return bundle.Tags{Phase: "preflight"}
	case types.NodeTypeAfterSuite, types.NodeTypeSynchronizedAfterSuite:
		return bundle.Tags{Phase: "final cleanup"}
	}
	return bundle.Tags{Phase: sr.LeafNodeType.String()}
}

// mergeExchanges writes exchanges.har from every process's part.
func mergeExchanges(dir, runID, target string) error {
	rec := recorder()
	closeErr := rec.Close()
	v := report.SuiteVersion()
	err := bundle.Merge(dir, runID, target, bundle.Creator{Name: "callcases-conformance", Version: v.String()}, rec.Pending())
	if err != nil {
		return err
	}
	return closeErr
}
