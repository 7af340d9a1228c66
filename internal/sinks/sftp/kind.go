package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"github.com/pkg/sftp"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Classifier = (*Sink)(nil)
	_ sinks.Checker    = (*Sink)(nil)
)

// Kind implements sinks.Classifier: a permission the server refuses, or a server that cannot do what
// we ask, stays so; a lost connection (redialled for the outage window already) passes.
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

// Check implements sinks.Checker: the destination folder, or the nearest folder above it that exists
// (the first Put makes the rest), is a folder. The login itself was checked when the sink was opened.
func (s *Sink) Check(ctx context.Context) error {
	for dir := s.root; ; dir = path.Dir(dir) {
		var fi os.FileInfo
		err := s.conn.do(ctx, func(c *sftp.Client) (err error) {
			fi, err = c.Stat(dir)
			return err
		})
		switch {
		case err == nil && !fi.IsDir():
			return sinks.Permanent(fmt.Errorf("folder %s on %s: %s is not a folder", s.root, s.base(), dir))
		case err == nil:
			return nil
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("folder %s on %s: %w", s.root, s.base(), err)
		case dir == "/" || dir == ".":
			return sinks.Permanent(fmt.Errorf("folder %s on %s: no folder of it exists", s.root, s.base()))
		}
	}
}
