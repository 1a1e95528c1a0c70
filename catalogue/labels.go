package catalogue

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/callcases/conformance/config"
)

// The labels of a spec are written by Condition.Labels and read by
// ParseLabels, nowhere else: the suite's specs and its needs check, the
// reports of a run and of an interrupted one, the HAR, make bench and the
// selftest all go through these two.
const (
	codeLabel     = "code:"
	areaLabel     = "area:"
	formatLabel   = "format:"
	needsLabel    = "needs:"
	opLabel       = "op:"
	MutatingLabel = "mutating" // the spec writes to the target
)

// FormatLabel is the label of the specs of one format, which the suite puts
// on each format's container.
func FormatLabel(format string) string { return formatLabel + format }

// OpLabel is the label of a family's row for one operation (operationId).
func OpLabel(op string) string { return opLabel + op }

// Labels are the labels of c's spec: its id, code:, area:, format: (unless
// format is "", when the spec's container carries it), needs: per fixture,
// mutating, and op: for each operation it provokes (for a family's row, the
// row's operation, given as op).
func (c Condition) Labels(format, op string) []string {
	l := []string{c.ID, codeLabel + strconv.Itoa(c.Code), areaLabel + c.Area}
	if format != "" {
		l = append(l, FormatLabel(format))
	}
	for _, n := range c.Needs {
		l = append(l, needsLabel+n.Name())
	}
	if c.Mutating {
		l = append(l, MutatingLabel)
	}
	ops := c.Operations
	if op != "" {
		ops = []string{op}
	}
	for _, o := range ops {
		l = append(l, OpLabel(o))
	}
	return l
}

// SpecLabels is what a spec's labels say.
type SpecLabels struct {
	ID       string // the condition's id; "" when no label is one
	Code     int
	Area     string
	Format   string
	Needs    []config.Fixture
	Ops      []string
	Mutating bool
	Unknown  []string // labels none of the above: an error of whoever wrote them
}

// ParseLabels reads a spec's labels (Ginkgo's SpecReport.Labels(): its
// containers' and its own).
func ParseLabels(labels []string) SpecLabels {
	var s SpecLabels
	for _, l := range labels {
		var err error
		switch {
		case strings.HasPrefix(l, codeLabel):
			s.Code, err = strconv.Atoi(strings.TrimPrefix(l, codeLabel))
		case strings.HasPrefix(l, areaLabel):
			s.Area = strings.TrimPrefix(l, areaLabel)
		case strings.HasPrefix(l, formatLabel):
			s.Format = strings.TrimPrefix(l, formatLabel)
		case strings.HasPrefix(l, opLabel):
			s.Ops = append(s.Ops, strings.TrimPrefix(l, opLabel))
		case strings.HasPrefix(l, needsLabel):
			var f config.Fixture
			if err = f.UnmarshalText([]byte(strings.TrimPrefix(l, needsLabel))); err == nil {
				s.Needs = append(s.Needs, f)
			}
		case l == MutatingLabel:
			s.Mutating = true
		case idShape.MatchString(l):
			s.ID = l
		default:
			err = fmt.Errorf("unknown")
		}
		if err != nil {
			s.Unknown = append(s.Unknown, l)
		}
	}
	return s
}
