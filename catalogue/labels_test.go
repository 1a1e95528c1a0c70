package catalogue

import (
	"slices"
	"testing"
)

// What Labels writes, ParseLabels reads back, for every row of the
// catalogue, with and without a format and a family's operation.
func TestLabelsReadBackAsWritten(t *testing.T) {
	for _, c := range All() {
		for _, format := range []string{"", "json", "xml"} {
			for _, op := range []string{"", "getCallCase"} {
				got := ParseLabels(c.Labels(format, op))
				wantOps := c.Operations
				if op != "" {
					wantOps = []string{op}
				}
				if got.ID != c.ID || got.Code != c.Code || got.Area != c.Area || got.Format != format || got.Mutating != c.Mutating ||
					!slices.Equal(got.Needs, c.Needs) || !slices.Equal(got.Ops, wantOps) || len(got.Unknown) > 0 {
					t.Errorf("%s in %q, op %q: labels %v read back as %+v", c.ID, format, op, c.Labels(format, op), got)
				}
			}
		}
	}
	if got := ParseLabels([]string{"needs:faults", "serial"}); len(got.Unknown) != 2 {
		t.Errorf("labels no writer writes are read as %+v, want both unknown", got)
	}
}
