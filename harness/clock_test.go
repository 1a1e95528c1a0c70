package harness

import (
	"testing"
	"time"
)

func TestResolutionIsTheFinestUnitADateShows(t *testing.T) {
	for date, want := range map[string]time.Duration{
		"2016-10-18T09:58:24.594+03:00":       time.Millisecond,
		"2016-10-18T09:58:24.5Z":              100 * time.Millisecond,
		"2016-10-18T09:58:24.123456789+00:00": time.Nanosecond,
		"2016-10-18T09:58:24+03:00":           time.Second,
		"2016-10-18T09:58:24":                 time.Second,
		"not a date":                          time.Second,
	} {
		if got := Resolution(date); got != want {
			t.Errorf("Resolution(%q) = %s, want %s", date, got, want)
		}
	}
}
