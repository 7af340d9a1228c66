//go:build unix

package manifest

import (
	"os"
	"syscall"
)

// noFollow makes open(2) fail on a symbolic link instead of following it, closing the gap between
// refuseSymlink's check and the open.
const noFollow = syscall.O_NOFOLLOW

var errWouldBlock = syscall.EWOULDBLOCK

func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
