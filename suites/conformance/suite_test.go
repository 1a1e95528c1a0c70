package conformance

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestConformance(t *testing.T) {
	RegisterFailHandler(RedactedFail)
	suiteConfig, reporterConfig := Configuration()
	RunSpecs(t, "Call Cases API conformance", suiteConfig, reporterConfig)
}
