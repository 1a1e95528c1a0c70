package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The run's processes coordinate through files in a folder of the run's own
// (all of a run's processes are on one machine), under file locks that the
// kernel releases when a process dies:
//
//   - Exclusive keeps the run's own specs that change one piece of shared
//     state (the operator's membership, a list window) from meeting each
//     other, without a round trip;
//   - the fault hook's lease is the run's, not a process's: the run takes
//     it when the first of its specs needs it and gives it back when the
//     last one is done (a count in the folder), so that the run's specs never
//     wait for each other on the hook, only for other runs.

// runDir is the folder the run's processes share.
func (e *Env) runDir() (string, error) {
	dir := e.runFolder()
	return dir, os.MkdirAll(dir, 0o700)
}

// runFolder is RunFolder; by default, under callcases-conformance, a folder
// beside the progress file the processes write (CONFORMANCE_PROGRESS), in
// the command's own work folder, which it removes even when a second signal
// skips the run's cleanup; else one under the system's temporary folder,
// which the run's teardown removes.
func (e *Env) runFolder() string {
	if e.RunFolder != "" {
		return e.RunFolder
	}
	if progress := os.Getenv("CONFORMANCE_PROGRESS"); progress != "" {
		return filepath.Join(filepath.Dir(progress), "run-"+e.RunID)
	}
	return filepath.Join(os.TempDir(), "callcases-conformance-run-"+e.RunID)
}

// lockPath locks a file of the run's folder until unlock is called, waiting
// while another process of the run holds it.
func (e *Env) lockPath(ctx context.Context, name string) (unlock func(), err error) {
	dir, err := e.runDir()
	if err != nil {
		return nil, fmt.Errorf("the run's folder for its processes: %w", err)
	}
	return lockFile(ctx, filepath.Join(dir, name+".lock"))
}

// lockFile takes an exclusive lock on path (created if need be), waiting
// for it; a cancelled ctx stops the wait.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	got := make(chan error, 1)
	go func() { got <- lockFD(f) }()
	select {
	case err := <-got:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		return func() { _ = unlockFD(f); f.Close() }, nil
	case <-ctx.Done():
		go func() { // give the lock back once it comes
			if <-got == nil {
				_ = unlockFD(f)
			}
			f.Close()
		}()
		return nil, fmt.Errorf("waiting for another process of the run: %w", ctx.Err())
	}
}

// Exclusive holds a piece of shared state for this process until unlock:
// the run's other processes that ask for the same name wait meanwhile.
func (e *Env) Exclusive(ctx context.Context, name string) (unlock func(), err error) {
	return e.lockPath(ctx, "state-"+name)
}

// leaseCount is the run's hold on the hook's lease: how many of its specs
// hold it, and when the run last took or renewed it.
type leaseCount struct {
	holders int
	taken   time.Time
	none    bool // the hook has no lease (404): nothing to take or give back
	// owed: the last hold's give-back failed (a second signal ended its
	// request, say), so the hook may still show the run holding the lease.
	owed bool
}

func (e *Env) readLeaseCount() (leaseCount, string, error) {
	dir, err := e.runDir()
	if err != nil {
		return leaseCount{}, "", err
	}
	path := filepath.Join(dir, "lease.count")
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return leaseCount{}, path, nil
	}
	if err != nil {
		return leaseCount{}, path, err
	}
	var c leaseCount
	var ns int64
	var none, owed int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d %d %d %d", &c.holders, &ns, &none, &owed); err != nil {
		return leaseCount{}, path, fmt.Errorf("%s: %w", path, err)
	}
	c.taken, c.none, c.owed = time.Unix(0, ns), none != 0, owed != 0
	return c, path, nil
}

func writeLeaseCount(path string, c leaseCount) error {
	return os.WriteFile(path, fmt.Appendf(nil, "%d %d %d %d\n", c.holders, c.taken.UnixNano(), b2i(c.none), b2i(c.owed)), 0o600)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// removeRunDir removes the run's folder once every process is done.
func (e *Env) removeRunDir() {
	_ = os.RemoveAll(e.runFolder())
}
