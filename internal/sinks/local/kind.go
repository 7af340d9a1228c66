package local

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
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

// Check implements sinks.Checker: the root folder exists, or can be made, and takes a file.
func (s *Sink) Check(ctx context.Context) error {
	if err := os.MkdirAll(s.root, 0o755); err != nil {
		return sinks.Permanent(fmt.Errorf("local destination %s: %w", s.root, err))
	}
	f, err := os.CreateTemp(s.root, ".rtk-check-*")
	if err != nil {
		return sinks.Permanent(fmt.Errorf("local destination %s does not take files: %w", s.root, err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// Close implements sinks.Sink; a folder holds nothing open.
func (s *Sink) Close() error { return nil }
