package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Classifier = (*Sink)(nil)
	_ sinks.Checker    = (*Sink)(nil)
)

// Kind implements sinks.Classifier: a refused permission, a read-only or full file system stays so
// for the length of a run.
func (s *Sink) Kind(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS), errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.ENOTDIR):
		return sinks.ErrPermanent
	}
	return nil
}

// Check implements sinks.Checker without writing anything (a dry run must not): the root folder, or
// the nearest folder above it that exists, is a folder this process may write into.
func (s *Sink) Check(ctx context.Context) error {
	dir := s.root
	for {
		fi, err := os.Stat(dir)
		switch {
		case err == nil && !fi.IsDir():
			return sinks.Permanent(fmt.Errorf("local destination %s: %s is not a folder", s.root, dir))
		case err == nil:
			if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
				return sinks.Permanent(fmt.Errorf("local destination %s: folder %s is not writable: %w", s.root, dir, err))
			}
			return nil
		case !errors.Is(err, fs.ErrNotExist):
			return sinks.Permanent(fmt.Errorf("local destination %s: %w", s.root, err))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return sinks.Permanent(fmt.Errorf("local destination %s: no folder of it exists", s.root))
		}
		dir = parent
	}
}

// Close implements sinks.Sink; a folder holds nothing open.
func (s *Sink) Close() error { return nil }
