package client

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// EnvStats names a folder where every process of the suite keeps one line of
// its counters, for `make bench`. The line is rewritten in place after every
// exchange, so it is complete however the process ends and the suite needs no
// hook of its own; unset, nothing is written.
const EnvStats = "CONFORMANCE_STATS"

// Stats are this process's counters since it started.
type Stats struct {
	Exchanges  int64         // exchanges that got a whole answer
	Validation time.Duration // spent validating them against the contract
}

var (
	retried    atomic.Int64 // requests sent again because their answer never came
	exchanges  atomic.Int64
	validation atomic.Int64 // nanoseconds

	statsMu   sync.Mutex
	statsFile = sync.OnceValue(openStatsFile)
)

// CurrentStats returns this process's counters.
func CurrentStats() Stats {
	return Stats{Exchanges: exchanges.Load(), Validation: time.Duration(validation.Load())}
}

// Retried counts this process's requests whose answer never came and which
// were sent again.
func Retried() int64 { return retried.Load() }

// observeExchange counts an answered exchange; Do defers it just before
// validating, with the time validation started.
func observeExchange(start time.Time, validated bool) {
	if validated {
		validation.Add(int64(time.Since(start)))
	}
	exchanges.Add(1)
	if f := statsFile(); f != nil {
		writeStats(f)
	}
}

// The line has a fixed width: rewritten at offset 0, it never leaves a tail
// of an older, longer line behind.
const statsFormat = "exchanges %12d validation_ns %16d\n"

func writeStats(f *os.File) {
	statsMu.Lock()
	defer statsMu.Unlock()
	s := CurrentStats() // read under the lock: the last write holds the last totals
	_, _ = fmt.Fprintf(&offsetWriter{f}, statsFormat, s.Exchanges, s.Validation.Nanoseconds())
}

func openStatsFile() *os.File {
	dir := os.Getenv(EnvStats)
	if dir == "" {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("client-%d.stats", os.Getpid())), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v (no stats written)\n", EnvStats, err)
		return nil
	}
	return f // held open for the life of the process
}

type offsetWriter struct{ f *os.File }

func (w *offsetWriter) Write(p []byte) (int, error) { return w.f.WriteAt(p, 0) }

// ReadStats sums the counters every process wrote into dir.
func ReadStats(dir string) (Stats, int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "client-*.stats"))
	if err != nil {
		return Stats{}, 0, err
	}
	var total Stats
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return Stats{}, 0, err
		}
		var n, ns int64
		if _, err := fmt.Sscanf(string(b), statsFormat, &n, &ns); err != nil {
			return Stats{}, 0, fmt.Errorf("%s: %w", name, err)
		}
		total.Exchanges += n
		total.Validation += time.Duration(ns)
	}
	return total, len(files), nil
}
