package early

import (
	"os"
	"testing"
	"time"
)

// A stop signal that came before the command asked for its context (while
// the packages were still loading) still stops the command.
func TestASignalBeforeContextStopsTheCommand(t *testing.T) {
	saved := Signals
	defer func() { Signals = saved }()
	Signals = make(chan os.Signal, 4)
	Signals <- os.Interrupt
	ctx, stop := Context()
	defer stop()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a signal caught before Context did not cancel its context")
	}
}

func TestStopCancelsAndReleases(t *testing.T) {
	ctx, stop := Context()
	stop()
	stop() // twice is harmless
	if ctx.Err() == nil {
		t.Fatal("stop left the context running")
	}
}
