package sftp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"

	"github.com/pkg/sftp"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

const (
	replaySize  = 2 << 20 // > (requestsPerFile+2)*maxPacket: what may be unacknowledged when a link drops
	maxRestarts = 20      // connection losses one Put survives, even when each one comes after some progress
)

// errCannotResume means the bytes to send again are no longer kept: the Put fails, a retry of the whole
// recording starts over.
var errCannotResume = errors.New("cannot resume the upload")

// Put writes r to a temporary file next to the final name, resuming after a lost connection from the
// last acknowledged byte; then it syncs the file, checks its size and SHA-256 by reading it back, and
// renames it onto the final name. On failure the temporary file is removed and the final name keeps
// whatever it held before.
func (s *Sink) Put(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, false)
}

// Create is Put that moves the finished file to its final name with the plain SFTP rename, which
// refuses an existing target. OpenSSH's sftp-server carries it out as link() then unlink(), so the
// refusal is atomic on the server and the file already there stays untouched. (On a file system
// without hard links OpenSSH falls back to stat() then rename(), which is not atomic.)
func (s *Sink) Create(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, true)
}

func (s *Sink) write(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions, create bool) (sinks.Object, error) {
	op := "put"
	if create {
		op = "create"
	}
	final, err := s.path(key)
	if err != nil {
		return sinks.Object{}, err
	}
	body, err := sinks.BodyOf(r)
	if err != nil {
		return sinks.Object{}, err
	}
	var ring []byte
	select {
	case ring = <-s.buffers:
	case <-ctx.Done():
		return sinks.Object{}, fmt.Errorf("%s %s: %w", op, s.URL(key), ctx.Err())
	}
	if ring == nil {
		ring = make([]byte, replaySize)
	}
	defer func() { s.buffers <- ring }()

	u := &upload{s: s, final: final, tmp: tempName(final), create: create, body: body, src: &replay{src: body, ring: ring}}
	if err := u.run(ctx); err != nil {
		u.cleanup(ctx)
		return sinks.Object{}, fmt.Errorf("%s %s: %w", op, s.URL(key), err)
	}
	if s.sweeps.First(path.Dir(final)) {
		s.sweep(ctx, final)
	}
	return body.Object(key)
}

// sweep removes the temporary files that uploads killed mid-way left in final's folder (see
// sinks.StaleTemps), judging their age by the server's clock: against final, the file just written.
// It is best effort: a leftover it cannot remove costs space, never correctness.
func (s *Sink) sweep(ctx context.Context, final string) {
	dir := path.Dir(final)
	s.conn.do(ctx, func(c *sftp.Client) error {
		entries, err := c.ReadDir(dir)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(entries, func(e fs.FileInfo) bool { return e.Name() == path.Base(final) })
		if i < 0 {
			return nil
		}
		for _, name := range sinks.StaleTemps(entries, entries[i]) {
			c.Remove(path.Join(dir, name))
		}
		return nil
	})
}

func tempName(final string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return path.Join(path.Dir(final), sinks.TempPrefix+hex.EncodeToString(b))
}

// upload is one Put's progress, kept across reconnections.
type upload struct {
	s          *Sink
	final, tmp string
	create     bool // refuse an existing final name instead of replacing it
	body       sinks.Body
	src        *replay
	acked      int64 // bytes of tmp the server confirmed writing
	created    bool  // tmp exists on the server
	uploaded   bool  // tmp holds the whole, verified body
	renaming   bool  // a rename was sent, maybe carried out
}

// run drives the upload to the end, redialling when the connection is lost: for at most the sink's
// outage window from the first loss, which starts again once the upload makes progress.
func (u *upload) run(ctx context.Context) error {
	o := outage{window: u.s.conn.outage}
	for restarts := 0; ; restarts++ {
		before := u.progress()
		l, err := u.s.conn.get(ctx)
		if err == nil {
			if err = u.step(ctx, l.client()); err == nil {
				return nil
			}
			if linkFailed(err) && u.src.failed() == nil && ctx.Err() == nil {
				u.s.conn.drop(l)
			}
		}
		if u.progress() != before {
			o.over()
		}
		if !linkFailed(err) || u.src.failed() != nil || ctx.Err() != nil || restarts >= maxRestarts || !o.again(ctx) {
			return err
		}
	}
}

// progress is how far the upload got, to tell a loss after progress from one more loss of the same outage.
func (u *upload) progress() int64 {
	switch {
	case u.renaming:
		return -2
	case u.uploaded:
		return -1
	}
	return u.acked
}

// step does what is left on one connection.
func (u *upload) step(ctx context.Context, c *sftp.Client) error {
	if !u.uploaded {
		if err := u.write(c); err != nil {
			return err
		}
		if err := u.verify(c); err != nil {
			return err
		}
		u.uploaded = true
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return u.rename(c)
}

// write sends the body from the acknowledged offset on.
func (u *upload) write(c *sftp.Client) error {
	flags := os.O_WRONLY | os.O_CREATE
	if !u.created {
		if err := c.MkdirAll(path.Dir(u.final)); err != nil {
			return fmt.Errorf("create folder: %w", err)
		}
		flags |= os.O_TRUNC
	}
	u.created = true // from here on the file may exist, even if the answer is lost
	f, err := c.OpenFile(u.tmp, flags)
	if err != nil {
		return err
	}
	defer f.Close()
	if !u.src.rewind(u.acked) {
		return fmt.Errorf("resume at byte %d: the source is %d bytes further on: %w", u.acked, u.src.n-u.acked, errCannotResume)
	}
	if _, err := f.Seek(u.acked, io.SeekStart); err != nil {
		return err
	}
	_, err = f.ReadFromWithConcurrency(u.src, 0)
	// After a failure the file offset is the end of what the server acknowledged without a gap.
	u.acked, _ = f.Seek(0, io.SeekCurrent)
	if failed := u.src.failed(); failed != nil {
		return failed
	}
	if err != nil {
		return err
	}
	if !u.body.Done() {
		return fmt.Errorf("body not read to its end (%d bytes read): %w", u.body.N(), errCannotResume)
	}
	if _, ok := c.HasExtension("fsync@openssh.com"); ok {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("fsync: %w", err)
		}
	}
	return f.Close()
}

// verify reads the temporary file back: SFTP has no checksum of its own and OpenSSH offers no hash
// extension, so this is the only way to know the server holds exactly the bytes we hashed.
func (u *upload) verify(c *sftp.Client) error {
	f, err := c.Open(u.tmp)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != u.body.N() {
		return fmt.Errorf("server holds %d bytes, sent %d: %w", fi.Size(), u.body.N(), sinks.ErrSizeMismatch)
	}
	h := sha256.New()
	n, err := f.WriteTo(h)
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != u.body.N() || got != u.body.SHA256() {
		return fmt.Errorf("server holds %d bytes with SHA-256 %s, sent %d bytes with %s: %w",
			n, got, u.body.N(), u.body.SHA256(), sinks.ErrChecksumMismatch)
	}
	return nil
}

// rename moves the verified file onto the final name, replacing what is there unless u.create. A rename
// whose answer was lost with the connection may have happened: then tmp is gone and the final name holds
// our file.
func (u *upload) rename(c *sftp.Client) error {
	if u.renaming {
		if _, err := c.Stat(u.tmp); errors.Is(err, fs.ErrNotExist) {
			if fi, err := c.Stat(u.final); err == nil && fi.Size() == u.body.N() {
				return nil
			}
		}
	}
	u.renaming = true
	if u.create {
		return u.renameNew(c)
	}
	if _, ok := c.HasExtension("posix-rename@openssh.com"); ok {
		return c.PosixRename(u.tmp, u.final)
	}
	// Plain SFTP rename refuses an existing target; without posix-rename the replace is not atomic.
	if err := c.Remove(u.final); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return c.Rename(u.tmp, u.final)
}

// renameNew moves tmp to the final name only if nothing is there. The server's answer to a refused
// rename is a generic failure, so look at the target to tell "already there" from any other refusal;
// the look comes after the atomic refusal, never instead of it.
func (u *upload) renameNew(c *sftp.Client) error {
	err := c.Rename(u.tmp, u.final)
	if err == nil {
		return nil
	}
	if _, serr := c.Lstat(u.final); serr == nil {
		return fmt.Errorf("%w (%w)", sinks.ErrExists, err)
	}
	return err
}

// cleanup removes the temporary file after a failure, on a fresh context: the Put's own may be done.
// It waits for the server to come back as long as a call rides out an outage, so the server is not left
// with the file; but when the Put ended because its ctx did (the run is stopping), it makes one short try.
func (u *upload) cleanup(putCtx context.Context) {
	if !u.created {
		return
	}
	wait := u.s.conn.outage + 2*u.s.conn.cfg.Timeout
	if putCtx.Err() != nil {
		wait = u.s.conn.cfg.Timeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	u.s.conn.do(ctx, func(c *sftp.Client) error {
		if err := c.Remove(u.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	})
}
