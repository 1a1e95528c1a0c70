package config

import "testing"

// Every fixture a setting provides has a name, and the name reads back as
// the same fixture.
func TestEveryFixtureHasANameThatReadsBack(t *testing.T) {
	if len(Fixtures()) != len(fixtureNames) {
		t.Fatalf("settings provide %d fixtures, %d have names", len(Fixtures()), len(fixtureNames))
	}
	for _, f := range Fixtures() {
		b, err := f.MarshalText()
		if err != nil {
			t.Fatalf("%v: %v", f, err)
		}
		var back Fixture
		if err := back.UnmarshalText(b); err != nil || back != f {
			t.Errorf("%s reads back as %v (%v)", b, back, err)
		}
	}
	var f Fixture
	if err := f.UnmarshalText([]byte("faults")); err == nil {
		t.Error(`"faults" is no fixture's name, yet it was read`)
	}
}
