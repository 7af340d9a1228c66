package manifest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrLocked means another process holds the manifest's lock.
var ErrLocked = errors.New("the manifest is in use by another run")

// Lock is an exclusive hold on one manifest, for one run at a time.
type Lock struct {
	f    *os.File
	path string
}

// LockPath is the lock file of the manifest at path.
func LockPath(path string) string { return path + ".lock" }

// Acquire takes the exclusive lock on the manifest at path without waiting: <path>.lock, held with
// flock(2) so that the kernel releases it when the process dies, however it dies. It fails with an
// error wrapping ErrLocked, naming the lock file and what the holder wrote into it (its PID, start
// time and host), when another process holds it. Neither the manifest nor the lock file may be a
// symbolic link: repairing the manifest truncates it, and following a link would truncate its target.
//
// The lock file is left in place on Release: removing it would let a run that opened it just before
// the removal lock the old file while the next one locks a new file, both believing they hold it.
func Acquire(path string) (*Lock, error) {
	if err := refuseSymlink(path); err != nil {
		return nil, err
	}
	lp := LockPath(path)
	if err := refuseSymlink(lp); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(lp), 0o755); err != nil {
		return nil, fmt.Errorf("manifest lock %s: %w", lp, err)
	}
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE|noFollow, 0o644)
	if err != nil {
		return nil, fmt.Errorf("manifest lock %s: %w", lp, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("%w: %s is held by %s", ErrLocked, lp, holder(lp))
		}
		return nil, fmt.Errorf("manifest lock %s: %w", lp, err)
	}
	host, _ := os.Hostname()
	info := fmt.Sprintf("pid=%d started=%s host=%s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339), host)
	// Only the holder writes, so truncating first cannot clobber another run's line.
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(info), 0)
	}
	if err != nil {
		unlockFile(f)
		f.Close()
		return nil, fmt.Errorf("manifest lock %s: %w", lp, err)
	}
	return &Lock{f: f, path: lp}, nil
}

// Release empties the lock file (no one holds it now) and releases the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	l.f.Truncate(0)
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("manifest lock %s: %w", l.path, err)
	}
	return nil
}

// holder is what the lock file says about the process holding it.
func holder(lp string) string {
	b, err := os.ReadFile(lp)
	info := strings.TrimSpace(string(b))
	if err != nil || info == "" {
		// The holder has taken the lock but not written its line yet.
		return "another process (it has not written its PID yet)"
	}
	if len(info) > 200 {
		info = info[:200]
	}
	return fmt.Sprintf("%q", info)
}

// ErrSymlink means a manifest path is a symbolic link, which this package refuses to follow.
var ErrSymlink = errors.New("is a symbolic link; give the real path")

// refuseSymlink fails when path exists and is a symbolic link.
func refuseSymlink(path string) error {
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("manifest %s %w", path, ErrSymlink)
	}
	return nil
}
