package mutants

import (
	"testing"

	conditions "github.com/callcases/conformance/catalogue"
)

// Every mutant kills conditions of the catalogue (that every condition has
// a mutant is docs' TestEveryConditionHasAMutant): a name that is no
// condition is a kill make mutants could never see.
func TestEveryMutantKillsConditionsOfTheCatalogue(t *testing.T) {
	known := map[string]bool{}
	for _, c := range conditions.All() {
		known[c.ID] = true
	}
	for _, m := range All() {
		if len(m.Kills) == 0 {
			t.Errorf("mutant %s kills no condition", m.Name)
		}
		for _, id := range m.Kills {
			if !known[id] {
				t.Errorf("mutant %s kills %q, which is no condition of the catalogue", m.Name, id)
			}
		}
	}
}
