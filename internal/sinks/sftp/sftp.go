// Package sftp is the destination that writes files to an SSH server over SFTP.
package sftp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/pkg/sftp"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var (
	_ sinks.Sink    = (*Sink)(nil)
	_ sinks.Creator = (*Sink)(nil)
)

// Config describes one server account. Password and KeyPassphrase are secrets: the caller takes them
// from the environment; New keeps them only inside the SSH auth methods, never in errors or logs.
type Config struct {
	Host           string
	Port           int // 22 when 0
	Username       string
	Dir            string // folder that holds every key; relative paths start at the login folder
	PrivateKeyFile string // or Password
	KeyPassphrase  string // for an encrypted PrivateKeyFile
	Password       string
	KnownHostsFile string // required: the server's host key is always checked against it

	// Sessions is how many SFTP sessions share the one SSH connection (default 4): the server runs one
	// sftp process per session, and each session's SSH window caps the bytes in flight on it.
	Sessions int
	// MaxUploads caps the Puts in flight at once (default 8); each holds one replay buffer.
	MaxUploads int

	// KeepAlive and KeepAliveMissed find a dead link as OpenSSH's ServerAliveInterval and
	// ServerAliveCountMax do (defaults 15 s and 3): the connection is closed after KeepAliveMissed
	// intervals without an answer.
	KeepAlive       time.Duration
	KeepAliveMissed int
	// Outage is how long a call redials a lost connection, with growing pauses, before it fails
	// (default 30 s): a server restart is ridden out, the upload resumes where it was.
	Outage time.Duration
	// Deadlines.Floor bounds connecting and the SSH handshake (default 30 s).
	Deadlines sinks.Deadlines
}

// Sink stores objects as files below one folder of one SSH server account. It keeps one SSH connection,
// shared by every call and redialled after a failure. Safe for concurrent use.
type Sink struct {
	user, hostport string
	root           string // absolute, cleaned
	conn           *dialer
	buffers        chan []byte // replay buffers, at most MaxUploads; nil entries are allocated on first use
	sweeps         sinks.Sweeps
}

// New connects to the server (so a wrong host key, login or folder is reported at once) and returns a
// Sink. A host key that is unknown or differs from known_hosts is refused with ErrHostKey.
func New(ctx context.Context, cfg Config) (*Sink, error) {
	if cfg.Port == 0 {
		cfg.Port = 22
	}
	if cfg.Sessions <= 0 {
		cfg.Sessions = 4
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = 8
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = DefaultKeepAlive
	}
	if cfg.KeepAliveMissed <= 0 {
		cfg.KeepAliveMissed = DefaultKeepAliveMissed
	}
	if cfg.Outage <= 0 {
		cfg.Outage = DefaultOutage
	}
	cfg.Deadlines = cfg.Deadlines.WithDefaults()
	hostport := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	if cfg.Host == "" || cfg.Username == "" || cfg.Dir == "" {
		return nil, fmt.Errorf("sftp destination %s: host, username and dir are required", hostport)
	}
	d, err := newDialer(cfg, hostport)
	if err != nil {
		return nil, fmt.Errorf("sftp destination %s@%s: %w", cfg.Username, hostport, err)
	}
	s := &Sink{user: cfg.Username, hostport: hostport, conn: d, buffers: make(chan []byte, cfg.MaxUploads)}
	for range cfg.MaxUploads {
		s.buffers <- nil
	}
	l, err := d.get(ctx)
	if err != nil {
		return nil, err
	}
	root := cfg.Dir
	if !path.IsAbs(root) {
		// The folder may not exist yet (Put creates it): resolve the login folder, not the path.
		home, err := l.client().RealPath(".")
		if err != nil {
			d.close()
			return nil, fmt.Errorf("sftp destination %s: resolve the login folder for dir %q: %w", s.base(), cfg.Dir, err)
		}
		root = path.Join(home, root)
	}
	s.root = path.Clean(root)
	return s, nil
}

// Close closes the SSH connection.
func (s *Sink) Close() error { return s.conn.close() }

// path maps a key to a file below the root, refusing anything that would leave it.
func (s *Sink) path(key string) (string, error) {
	if key == "" || strings.ContainsAny(key, "\x00\\") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("key %q: %w", key, sinks.ErrInvalidKey)
	}
	clean := path.Clean(key)
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("key %q leaves the destination folder: %w", key, sinks.ErrInvalidKey)
	}
	return path.Join(s.root, clean), nil
}

// Stat reports the file's size; SFTP keeps no checksum, so SHA256 is empty.
func (s *Sink) Stat(ctx context.Context, key string) (sinks.Object, error) {
	p, err := s.path(key)
	if err != nil {
		return sinks.Object{}, err
	}
	var fi fs.FileInfo
	err = s.conn.do(ctx, func(c *sftp.Client) (err error) {
		fi, err = c.Stat(p)
		return err
	})
	if err != nil {
		return sinks.Object{}, wrap("stat "+s.URL(key), err)
	}
	if !fi.Mode().IsRegular() {
		return sinks.Object{}, fmt.Errorf("stat %s: not a regular file", s.URL(key))
	}
	return sinks.Object{Key: key, Size: fi.Size()}, nil
}

// Open opens the file for reading. A connection lost while reading is an error of the reader.
func (s *Sink) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	var f *sftp.File
	err = s.conn.do(ctx, func(c *sftp.Client) (err error) {
		f, err = c.Open(p)
		return err
	})
	if err != nil {
		return nil, wrap("open "+s.URL(key), err)
	}
	return f, nil
}

// URL is sftp://user@host:port/abs/path.
func (s *Sink) URL(key string) string {
	p, err := s.path(key)
	if err != nil {
		p = path.Join(s.root, "(invalid key)")
	}
	return s.base() + (&url.URL{Path: p}).EscapedPath()
}

func (s *Sink) base() string {
	return (&url.URL{Scheme: "sftp", User: url.User(s.user), Host: s.hostport}).String()
}

func wrap(what string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w (%w)", what, sinks.ErrNotFound, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
