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
