//go:build unix

package harness

import (
	"os"
	"syscall"
)

func lockFD(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFD(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
