// Package catalogue is the condition catalogue of SPEC section 3 as data:
// the specs take their titles and labels from it, the summary its rows.
package catalogue

import (
	_ "embed"
	"fmt"
	"regexp"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed conditions.yaml
var source []byte

// Condition is one row of the catalogue.
type Condition struct {
	ID        string `yaml:"id"`
	Code      int    `yaml:"code"`
	Area      string `yaml:"area"`
	Mutating  bool   `yaml:"mutating"`
	Serial    bool   `yaml:"serial"`
	Certifies string `yaml:"certifies"`
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
