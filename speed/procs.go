package speed

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"
)

// MaxProcs bounds the processes Procs chooses, and PerCore per core: each
// one is a whole suite process (its own contract, connections and memory),
// and beyond 12 a core the processes' own start-up and scheduling cost more
// than the waiting they hide (make bench on 2 cores at 50 ms, both formats,
// 416 specs: 16 processes took 3.6 s, 24 took 2.8 s, 32 took 2.9 to 3.0 s).
// The reference takes 48 without an error (docs/speed.md, Speed).
const (
	MaxProcs = 64
	PerCore  = 12
)

// cpuPerTrip is what one exchange costs the suite's processes in CPU
// (building, validating against the contract, asserting, reporting),
// measured by make bench (cpu_time over exchanges against the embedded
// reference).
const cpuPerTrip = 1200 * time.Microsecond

// Procs is the number of parallel processes for a target whose round trip
// takes rtt, on a machine with cpus cores: every core busy while the
// processes wait on the network. A process uses a core for cpuPerTrip out of
// every cpuPerTrip+rtt, so a slow network needs more of them; on loopback,
// one per core. Never more than PerCore a core, nor MaxProcs; a run can always ask for its own
// number instead.
func Procs(rtt time.Duration, cpus int) int {
	cpus = max(cpus, 1)
	n := int(int64(cpus) * int64(cpuPerTrip+max(rtt, 0)) / int64(cpuPerTrip))
	return min(max(n, cpus), PerCore*cpus, MaxProcs)
}

// rttProbes is how many round trips MeasureRTT takes the least of: a busy
// machine delays some of them, never makes one faster.
const rttProbes = 5

// MeasureRTT measures the round trip to an API base URL: rttProbes GETs of
// the base one after another on one kept-alive connection, after one that
// opens it; it returns the shortest. Any answer counts (without credentials
// the target answers 401): only the time matters.
func MeasureRTT(ctx context.Context, base string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer c.CloseIdleConnections()
	var times []time.Duration
	for i := 0; i <= rttProbes; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base, nil)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return 0, fmt.Errorf("GET %s: %w", base, err)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if i > 0 { // the first one also opened the connection
			times = append(times, time.Since(start))
		}
	}
	return slices.Min(times), nil
}

// ProcsFor is the runner's default: Procs for the target at base, its round
// trip measured (an empty base is the embedded reference, in the suite's own
// processes: no network to wait on). A target that cannot be measured gets
// one process per core, and the error says why (the suite's preflight will
// say it better).
func ProcsFor(ctx context.Context, base string, cpus int) (int, time.Duration, error) {
	if base == "" {
		return Procs(0, cpus), 0, nil
	}
	rtt, err := MeasureRTT(ctx, base)
	if err != nil {
		return Procs(0, cpus), 0, err
	}
	return Procs(rtt, cpus), rtt, nil
}
