package selftest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/callcases/conformance/catalogue"
	"github.com/callcases/conformance/config"
	"github.com/callcases/conformance/reference"
	"github.com/callcases/conformance/report"
)

// The catalogue says what each condition needs; a target without it gets
// the spec skipped, reported not provoked and naming the setting to give,
// and every other spec still runs.
func TestAMissingNeedIsNotProvokedNamingItsSetting(t *testing.T) {
	t.Parallel()
	// Conditions provoked only when the target's data allows, which on the
	// reference a fixture happens to supply: S204-no-operators needs a
	// fixture project without operators, and there only the completed
	// project has none. Without that fixture they are not provoked, saying
	// why, which is not a need the catalogue could declare.
	byData := map[string]string{"S204-no-operators": "completed-project"}
	for _, f := range config.Fixtures() {
		need, settings := f.Name(), f.Settings()
		t.Run(need, func(t *testing.T) {
			tg := newTarget(t, reference.Options{}, nil)
			env := slices.DeleteFunc(tg.env(), func(kv string) bool {
				name, _, _ := strings.Cut(kv, "=")
				return slices.Contains(settings, name)
			})
			r := runSuite(t, fullRun, env)
			if r.ExitCode() != 0 {
				t.Fatalf("without %s the suite should pass what it can provoke (exit %d):\n%s", need, r.ExitCode(), r.tail())
			}
			provoked := 0
			for _, sr := range readSpecs(t, filepath.Join(r.reports, "report.json")) {
				row := report.RowOf(sr)
				c := catalogue.Get(row.Condition.ID)
				switch {
				case slices.ContainsFunc(c.Needs, func(f config.Fixture) bool { return f.Name() == need }):
					if row.Outcome != report.NotProvoked || !strings.Contains(row.Reason, settings[0]) {
						t.Errorf("%s needs %s: got %s %q, want not provoked naming %s", c.ID, need, row.Outcome, row.Reason, settings[0])
					}
					provoked++
				case byData[c.ID] == need && row.Outcome == report.NotProvoked:
				case row.Outcome != report.Passed:
					t.Errorf("%s does not need %s, yet it is %s: %s", c.ID, need, row.Outcome, row.Reason)
				}
			}
			if provoked == 0 {
				t.Errorf("no condition needs %s: this test proves nothing", need)
			}
		})
	}
}
