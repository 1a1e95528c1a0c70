package client

import (
	"fmt"
	"os"
	"testing"
	"time"
)

// The stats line is rewritten in place: the file holds the latest totals
// only, and ReadStats sums the files of every process.
func TestStatsFileHoldsTheLatestTotals(t *testing.T) {
	dir := t.TempDir()
	for i, totals := range []Stats{{Exchanges: 1, Validation: 12 * time.Millisecond}, {Exchanges: 2, Validation: time.Microsecond}} {
		f, err := os.Create(fmt.Sprintf("%s/client-%d.stats", dir, i))
		if err != nil {
			t.Fatal(err)
		}
		exchanges.Store(1_000_000)
		validation.Store(int64(time.Hour))
		writeStats(f) // a longer line first
		exchanges.Store(totals.Exchanges)
		validation.Store(int64(totals.Validation))
		writeStats(f)
		f.Close()
	}
	got, files, err := ReadStats(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Exchanges: 3, Validation: 12*time.Millisecond + time.Microsecond}); got != want || files != 2 {
		t.Errorf("ReadStats = %+v from %d files, want %+v from 2", got, files, want)
	}
}
