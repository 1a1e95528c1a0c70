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
	Shares    Share  `yaml:"shares"` // the state it takes turns on (shares.go)
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

// Priority orders the start of the run by what the row shares (Share.Priority).
func (c Condition) Priority() int { return c.Shares.Priority() }

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
