// Package catalogue is the condition catalogue as data (docs/rules.md names the rule each condition certifies):
// the specs take their titles and labels from it, the summary its rows.
package catalogue

import (
	_ "embed"
	"fmt"
	"regexp"
	"sync"

	"github.com/callcases/conformance/config"
	"go.yaml.in/yaml/v3"
)

//go:embed conditions.yaml
var source []byte

//go:embed unprovokable.yaml
var unprovokableSource []byte

// Unprovokable is an (operation, code) pair that openapi.yaml documents but
// no caller can provoke from outside, with the one-sentence reason; the
// coverage matrix shows it as not provokable instead of as a gap.
type Unprovokable struct {
	Operation string `yaml:"operation"`
	Code      int    `yaml:"code"`
	Reason    string `yaml:"reason"`
}

// ParseUnprovokable reads a list of unprovokable pairs.
func ParseUnprovokable(src []byte) ([]Unprovokable, error) {
	var rows []Unprovokable
	if err := yaml.Unmarshal(src, &rows); err != nil {
		return nil, fmt.Errorf("catalogue: unprovokable: %w", err)
	}
	seen := map[string]bool{}
	for _, u := range rows {
		key := fmt.Sprintf("%s %d", u.Operation, u.Code)
		if u.Operation == "" || u.Code == 0 || u.Reason == "" {
			return nil, fmt.Errorf("catalogue: unprovokable %s needs operation, code and reason", key)
		}
		if seen[key] {
			return nil, fmt.Errorf("catalogue: unprovokable %s appears twice", key)
		}
		seen[key] = true
	}
	return rows, nil
}

var unprovokable = sync.OnceValues(func() ([]Unprovokable, error) { return ParseUnprovokable(unprovokableSource) })

// UnprovokablePairs returns the shipped list of pairs not provokable from outside.
func UnprovokablePairs() []Unprovokable {
	rows, err := unprovokable()
	if err != nil {
		panic(err)
	}
	return rows
}

// Condition is one row of the catalogue.
type Condition struct {
	ID        string `yaml:"id"`
	Code      int    `yaml:"code"`
	Area      string `yaml:"area"`
	Mutating  bool   `yaml:"mutating"`
	Serial    bool   `yaml:"serial"`
	Shares    string `yaml:"shares"` // "faults" or "membership": see conditions.yaml
	Certifies string `yaml:"certifies"`
	// Family: the row is a table over the contract's operations, one spec
	// per operation (and variant) per format, each labelled op:ID.
	Family bool `yaml:"family"`
	// Operations are the contract operations (operationId) the spec
	// provokes the row's code on, so that a spec not provoked for want of a
	// fixture marks those cells of the coverage matrix "not provoked".
	Operations []string `yaml:"operations"`
	// Needs names what the target must provide for the condition to be
	// provoked, by the fixture's name (config.Fixture: its setting, its
	// label needs:NAME, its section of docs/fixtures.md); without it the
	// spec is skipped, reported not provoked with the setting to give.
	Needs []config.Fixture `yaml:"needs"`
}

// Needs are the fixtures a condition may need, each given by a setting
// (docs/fixtures.md says how to prepare them on a staging).
var Needs = config.Fixtures()

// What a spec shares with other specs and other runs (the shares column).
const (
	// SharesFaults: the spec sets a fault. On a hook with scopes it meets
	// its own fault only and runs in parallel; on one without, it is Serial
	// and holds the hook's lease.
	SharesFaults = "faults"
	// SharesMembership: the spec changes or reads the operator's membership
	// of the main project. It holds the hook's lease; without a hook it is Serial.
	SharesMembership = "membership"
	// SharesWindow: the spec lists the main project's cases in a window of
	// time around its own and counts them, which the run's other writers
	// must not change meanwhile. It holds the hook's lease; it is Serial
	// unless the target writes lastModified finer than whole seconds, when
	// its window is too narrow for another spec's case to fall in it.
	SharesWindow = "window"
)

// Priority orders the start of the run: the specs that take turns on a
// shared state first, the longest sequence of turns (the operator's
// membership, about 30 round trips in both formats) before the shorter ones,
// so that a run is not left waiting for them at its end.
func (c Condition) Priority() int {
	switch c.Shares {
	case SharesMembership:
		return 3
	case SharesWindow:
		return 2
	case SharesFaults:
		return 1
	}
	return 0
}

var idShape = regexp.MustCompile(`^(S|E)\d{3}-[a-z0-9-]+$|^P-[a-z0-9-]+$`)

// Parse reads a catalogue and checks that its ids are well formed and unique.
func Parse(src []byte) ([]Condition, error) {
	var rows []Condition
	if err := yaml.Unmarshal(src, &rows); err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	seen := map[string]bool{}
	for _, c := range rows {
		if !idShape.MatchString(c.ID) {
			return nil, fmt.Errorf("catalogue: id %q is not of the form S200-name, E404-name or P-name", c.ID)
		}
		if seen[c.ID] {
			return nil, fmt.Errorf("catalogue: id %q appears twice", c.ID)
		}
		if c.Shares != "" && c.Shares != SharesFaults && c.Shares != SharesMembership && c.Shares != SharesWindow {
			return nil, fmt.Errorf("catalogue: %s: shares is %q, want %s, %s or %s", c.ID, c.Shares, SharesFaults, SharesMembership, SharesWindow)
		}
		if c.Code == 0 || c.Area == "" || c.Certifies == "" {
			return nil, fmt.Errorf("catalogue: %s needs code, area and certifies", c.ID)
		}
		seen[c.ID] = true
	}
	return rows, nil
}

var all = sync.OnceValues(func() ([]Condition, error) { return Parse(source) })

// All returns the shipped catalogue in file order.
func All() []Condition {
	rows, err := all()
	if err != nil {
		panic(err)
	}
	return rows
}

// Get returns the condition with this id; an unknown id is a programming error.
func Get(id string) Condition {
	for _, c := range All() {
		if c.ID == id {
			return c
		}
	}
	panic(fmt.Sprintf("catalogue: no condition %q", id))
}
