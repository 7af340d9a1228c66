// Package local is the destination that writes into a folder on the local file system.
package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Sink    = (*Sink)(nil)
	_ sinks.Creator = (*Sink)(nil)
)

// Sink writes objects as files below a root folder. Keys can never name a path outside it.
type Sink struct {
	root   string // absolute, cleaned
	sweeps sinks.Sweeps
}

// New returns a Sink rooted at dir. The folder is created by the first Put, so that planning (a dry
// run) writes nothing.
func New(dir string) (*Sink, error) {
	if dir == "" {
		return nil, errors.New("local destination: dir is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local destination %q: %w", dir, err)
	}
	return &Sink{root: abs}, nil
}

// path maps a key to a file below the root, refusing anything that would leave it.
func (s *Sink) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "\x00") || strings.Contains(key, `\`) {
		return "", fmt.Errorf("key %q: %w", key, sinks.ErrInvalidKey)
	}
	rel := filepath.FromSlash(key)
	if !filepath.IsLocal(rel) {
		return "", fmt.Errorf("key %q leaves the destination folder: %w", key, sinks.ErrInvalidKey)
	}
	return filepath.Join(s.root, rel), nil
}

// Put writes r to a temporary file in the key's folder, syncs it, renames it onto the final name and
// syncs the folder, so the final name only ever holds a complete, verified file.
func (s *Sink) Put(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, false)
}

// Create is Put that links the finished file to its final name instead of renaming it onto it: the
// link fails when a file is already there, atomically, and that file stays as it was.
func (s *Sink) Create(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	return s.write(ctx, key, r, opts, true)
}

func (s *Sink) write(ctx context.Context, key string, r io.Reader, opts sinks.PutOptions, create bool) (obj sinks.Object, err error) {
	final, err := s.path(key)
	if err != nil {
		return sinks.Object{}, err
	}
	body, err := sinks.BodyOf(r)
	if err != nil {
		return sinks.Object{}, err
	}
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	tmp, err := os.CreateTemp(dir, sinks.TempPrefix+"*")
	if err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, body); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	if obj, err = body.Object(key); err != nil {
		return sinks.Object{}, err
	}
	if err := tmp.Sync(); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: sync: %w", s.URL(key), err)
	}
	if err := tmp.Close(); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	if err := ctx.Err(); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	if create {
		err = os.Link(tmp.Name(), final)
		if errors.Is(err, fs.ErrExist) {
			return sinks.Object{}, fmt.Errorf("create %s: %w", s.URL(key), sinks.ErrExists)
		}
		if err != nil {
			return sinks.Object{}, fmt.Errorf("create %s: %w", s.URL(key), err)
		}
		os.Remove(tmp.Name()) // the final name holds the file now
	} else if err := os.Rename(tmp.Name(), final); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: %w", s.URL(key), err)
	}
	if err := syncDir(dir); err != nil {
		return sinks.Object{}, fmt.Errorf("put %s: sync folder: %w", s.URL(key), err)
	}
	if s.sweeps.First(dir) {
		sweep(dir, final)
	}
	return obj, nil
}

// sweep removes the temporary files that writes killed mid-way left in dir (see sinks.StaleTemps),
// judging their age against final, the file just written there. It is best effort: a leftover it
// cannot remove costs space, never correctness.
func sweep(dir, final string) {
	written, err := os.Stat(final)
	if err != nil {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var infos []fs.FileInfo
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), sinks.TempPrefix) {
			if fi, err := e.Info(); err == nil {
				infos = append(infos, fi)
			}
		}
	}
	for _, name := range sinks.StaleTemps(infos, written) {
		os.Remove(filepath.Join(dir, name))
	}
}

// Stat reports the file's size; the local file system keeps no checksum, so SHA256 is empty.
func (s *Sink) Stat(ctx context.Context, key string) (sinks.Object, error) {
	p, err := s.path(key)
	if err != nil {
		return sinks.Object{}, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return sinks.Object{}, wrap(s.URL(key), err)
	}
	if !fi.Mode().IsRegular() {
		return sinks.Object{}, fmt.Errorf("stat %s: not a regular file", s.URL(key))
	}
	return sinks.Object{Key: key, Size: fi.Size()}, nil
}

// Open opens the file for reading.
func (s *Sink) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, wrap(s.URL(key), err)
	}
	return f, nil
}

// URL is the file:// URL of key's file.
func (s *Sink) URL(key string) string {
	p, err := s.path(key)
	if err != nil {
		p = filepath.Join(s.root, "(invalid key)")
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
}

func wrap(u string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w", u, sinks.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", u, err)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
