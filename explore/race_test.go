//go:build race

package explore

// raceDetector: the race detector slows exploration about tenfold, so the
// searches over many servers and seeds run without it (make test's
// explore-check step); the rest of the package's tests run with it.
const raceDetector = true
