package config

import "fmt"

// Fixture is an optional capability of a target, given by one or more
// settings (the rows of the settings table that name it); the specs that
// need it are skipped, reported "not provoked", without it.
type Fixture int

// The optional fixtures (docs/fixtures.md).
const (
	noFixture        Fixture = iota
	ReadOnlyUser             // CONFORMANCE_READONLY_USERNAME/_PASSWORD: the E403 specs
	AutoProject              // CONFORMANCE_AUTO_PROJECT: E501
	CompletedProject         // CONFORMANCE_COMPLETED_PROJECT: E500-start-completed
	Operator                 // CONFORMANCE_OPERATOR: the operator specs
	Faults                   // CONFORMANCE_FAULTS_URL: E500-dialer-down, E503, E504
)

// fixtures lists every fixture some setting provides, in table order.
func fixtures() []Fixture {
	var out []Fixture
	for _, s := range settings {
		if s.Fixture != noFixture && (len(out) == 0 || out[len(out)-1] != s.Fixture) {
			out = append(out, s.Fixture)
		}
	}
	return out
}

// settings are the rows that provide the fixture.
func (f Fixture) settings() []Setting {
	var out []Setting
	for _, s := range settings {
		if f != noFixture && s.Fixture == f {
			out = append(out, s)
		}
	}
	return out
}

// Settings are the environment variables that together provide the fixture.
func (f Fixture) Settings() []string {
	var out []string
	for _, s := range f.settings() {
		out = append(out, s.Env)
	}
	return out
}

// Setting is the environment variable that names the fixture (its first row).
func (f Fixture) Setting() string {
	if s := f.settings(); len(s) > 0 {
		return s[0].Env
	}
	return fmt.Sprintf("Fixture(%d)", int(f))
}

// Missing returns why a spec that needs fixture f cannot run, e.g.
// "not provoked: CONFORMANCE_AUTO_PROJECT is not set", or "" when every
// setting of f is configured. Specs do not call it: the catalogue declares
// what each condition needs, and the suite skips a spec whose need is
// missing before its body runs, reporting it not provoked with the setting.
func (c Config) Missing(f Fixture) string {
	rows := f.settings()
	set := len(rows) > 0
	for _, s := range rows {
		if s.field(&c).String() == "" {
			set = false
		}
	}
	if set {
		return ""
	}
	return "not provoked: " + f.Setting() + " is not set"
}

// fixtureNames are the fixtures' names: what catalogue/conditions.yaml
// writes under needs:, the label needs:NAME and the heading of
// docs/fixtures.md.
var fixtureNames = map[Fixture]string{
	ReadOnlyUser:     "readonly-user",
	AutoProject:      "auto-project",
	CompletedProject: "completed-project",
	Operator:         "operator",
	Faults:           "fault-hook",
}

// Fixtures are every optional fixture, in the settings table's order.
func Fixtures() []Fixture { return fixtures() }

// Name is the fixture's name, e.g. "fault-hook".
func (f Fixture) Name() string {
	if n, ok := fixtureNames[f]; ok {
		return n
	}
	return fmt.Sprintf("Fixture(%d)", int(f))
}

// FixtureNamed is the fixture of that name.
func FixtureNamed(name string) (Fixture, bool) {
	for f, n := range fixtureNames {
		if n == name {
			return f, true
		}
	}
	return noFixture, false
}

// MarshalText writes the fixture as its name (YAML, JSON).
func (f Fixture) MarshalText() ([]byte, error) {
	if _, ok := fixtureNames[f]; !ok {
		return nil, fmt.Errorf("no fixture %d", int(f))
	}
	return []byte(f.Name()), nil
}

// UnmarshalText reads a fixture's name.
func (f *Fixture) UnmarshalText(b []byte) error {
	got, ok := FixtureNamed(string(b))
	if !ok {
		names := make([]string, 0, len(fixtureNames))
		for _, g := range fixtures() {
			names = append(names, g.Name())
		}
		return fmt.Errorf("no fixture %q (one of %v)", b, names)
	}
	*f = got
	return nil
}
