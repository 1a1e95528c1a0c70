package conformance

import (
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func TestAFamilySendsTheCallsOfTheRowsGinkgoWillRun(t *testing.T) {
	containers := []string{"families over the contract's operations", "json", "401 on every operation without credentials", "its answers, one row per operation"}
	text := "E401-every-operation: Every operation answers 401 [getCallCase no credentials]"
	labels := []string{"E401-every-operation", "code:401", "format:json", "op:getCallCase"}
	for _, tc := range []struct {
		name string
		set  func(*types.SuiteConfig)
		want bool
	}{
		{"nothing chosen", func(*types.SuiteConfig) {}, true},
		{"its label", func(s *types.SuiteConfig) { s.LabelFilter = "op:getCallCase" }, true},
		{"its code and format", func(s *types.SuiteConfig) { s.LabelFilter = "code:401 && format:json" }, true},
		{"another operation", func(s *types.SuiteConfig) { s.LabelFilter = "op:deleteCallCase" }, false},
		{"another format", func(s *types.SuiteConfig) { s.LabelFilter = "format:xml" }, false},
		{"a focus on its container", func(s *types.SuiteConfig) { s.FocusStrings = []string{"without credentials"} }, true},
		{"a focus on another row", func(s *types.SuiteConfig) { s.FocusStrings = []string{`\[deleteCallCase`} }, false},
		{"one of two focuses", func(s *types.SuiteConfig) { s.FocusStrings = []string{"nothing", "getCallCase no"} }, true},
		{"a skip of its operation", func(s *types.SuiteConfig) { s.SkipStrings = []string{"getCallCase"} }, false},
		{"a skip of the suite's name", func(s *types.SuiteConfig) { s.SkipStrings = []string{"^" + Description + " families"} }, false},
		{"a skip of another", func(s *types.SuiteConfig) { s.SkipStrings = []string{"xml"} }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var suite types.SuiteConfig
			tc.set(&suite)
			if got := willRun(suite, containers, text, labels); got != tc.want {
				t.Errorf("willRun = %v, want %v", got, tc.want)
			}
		})
	}
}
