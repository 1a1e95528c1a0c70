package conformance

import (
	"testing"
	"time"
)

func TestPrecisionIsTheUnitOfTheLastDigitWritten(t *testing.T) {
	for date, want := range map[string]time.Duration{
		"2026-11-26T14:39:33Z":               time.Second,
		"2026-11-26T14:39:33+01:00":          time.Second,
		"2026-11-26T14:39:33.5Z":             100 * time.Millisecond,
		"2026-11-26T14:39:33.120+01:00":      time.Millisecond,
		"2026-11-26T14:39:33.123456Z":        time.Microsecond,
		"2026-11-26T14:39:33.123456789Z":     time.Nanosecond,
		"2026-11-26T14:39:33.123456789123Z":  time.Nanosecond,
		"2026-11-26T14:39:33.123456789-0530": time.Nanosecond,
	} {
		if got := precision(date); got != want {
			t.Errorf("precision(%q) = %s, want %s", date, got, want)
		}
	}
}
