package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/pkg/sftp"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Classifier = (*Sink)(nil)
	_ sinks.Checker    = (*Sink)(nil)
)

// Kind implements sinks.Classifier: a permission the server refuses, or a server that cannot do what
// we ask, stays so; a lost connection (already redialled once) passes.
func (s *Sink) Kind(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return sinks.ErrPermanent
	}
	var se *sftp.StatusError
	if errors.As(err, &se) {
		switch se.FxCode() {
		case sftp.ErrSSHFxPermissionDenied, sftp.ErrSSHFxOpUnsupported, sftp.ErrSSHFxNoSuchFile:
			return sinks.ErrPermanent
		}
	}
	return nil
}

// Check implements sinks.Checker: the destination folder exists and is a folder. (The login itself
// was checked when the sink was opened.)
func (s *Sink) Check(ctx context.Context) error {
	var fi os.FileInfo
	err := s.conn.do(ctx, func(c *sftp.Client) (err error) {
		fi, err = c.Stat(s.root)
		return err
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return sinks.Permanent(fmt.Errorf("folder %s does not exist on %s", s.root, s.base()))
	case err != nil:
		return fmt.Errorf("folder %s on %s: %w", s.root, s.base(), err)
	case !fi.IsDir():
		return sinks.Permanent(fmt.Errorf("%s on %s is not a folder", s.root, s.base()))
	}
	return nil
}
