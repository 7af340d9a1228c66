package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

const (
	maxPacket       = 32 << 10 // pkg/sftp's default and what every server accepts
	requestsPerFile = 32       // writes in flight per file: 1 MiB, half the SSH window of a session
)

// dialer keeps the sink's one SSH connection and redials it, once per failure, for whoever needs it next.
type dialer struct {
	addr, user, knownHosts string
	cfg                    *ssh.ClientConfig
	sessions               int
	dials                  atomic.Int64
	keepAlive              time.Duration
	keepAliveMissed        int
	outage                 time.Duration // how long calls redial a lost connection before they fail

	dialing chan struct{} // one slot: held while dialling, so concurrent callers share one redial
	mu      sync.Mutex
	cur     *link
	closed  bool
}

// link is one SSH connection with its SFTP sessions.
type link struct {
	ssh  *ssh.Client
	sftp []*sftp.Client
	next atomic.Uint32
	done chan struct{} // closed when the connection ends
}

func newDialer(cfg Config, addr string) (*dialer, error) {
	if cfg.KnownHostsFile == "" {
		return nil, errors.New("known_hosts_file is required: host keys are always verified")
	}
	hostKeys, err := knownhosts.New(cfg.KnownHostsFile)
	if err != nil {
		return nil, fmt.Errorf("known_hosts_file: %w", err)
	}
	auth, err := authMethods(cfg)
	if err != nil {
		return nil, err
	}
	return &dialer{
		addr: addr, user: cfg.Username, knownHosts: cfg.KnownHostsFile, sessions: cfg.Sessions,
		keepAlive: cfg.KeepAlive, keepAliveMissed: cfg.KeepAliveMissed, outage: cfg.Outage,
		cfg: &ssh.ClientConfig{
			User:              cfg.Username,
			Auth:              auth,
			HostKeyCallback:   hostKeys,
			HostKeyAlgorithms: hostKeyAlgorithms(hostKeys, addr),
			Timeout:           cfg.Deadlines.Floor, // the TCP connect and the SSH handshake
		},
		dialing: make(chan struct{}, 1),
	}, nil
}

// get returns the live connection, dialling one if there is none.
func (d *dialer) get(ctx context.Context) (*link, error) {
	if l := d.live(); l != nil {
		return l, nil
	}
	select {
	case d.dialing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-d.dialing }()
	if l := d.live(); l != nil {
		return l, nil // another caller redialled while we waited
	}
	l, err := d.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("sftp %s@%s: %w", d.user, d.addr, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		l.close()
		return nil, net.ErrClosed
	}
	d.cur = l
	return l, nil
}

func (d *dialer) live() *link {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == nil {
		return nil
	}
	select {
	case <-d.cur.done:
		d.cur = nil
		return nil
	default:
		return d.cur
	}
}

// drop closes l after a failure on it; the next get dials a new connection.
func (d *dialer) drop(l *link) {
	d.mu.Lock()
	if d.cur == l {
		d.cur = nil
	}
	d.mu.Unlock()
	l.close()
}

func (d *dialer) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	if d.cur != nil {
		d.cur.close()
		d.cur = nil
	}
	return nil
}

func (d *dialer) dial(ctx context.Context) (*link, error) {
	d.dials.Add(1)
	tcp, err := (&net.Dialer{Timeout: d.cfg.Timeout, KeepAlive: d.keepAlive}).DialContext(ctx, "tcp", d.addr)
	if err != nil {
		return nil, err
	}
	// The handshake takes no ctx: a deadline bounds it and ctx cancellation closes the socket.
	deadline := time.Now().Add(d.cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	tcp.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { tcp.Close() })
	c, chans, reqs, err := ssh.NewClientConn(tcp, d.addr, d.cfg)
	stop()
	if err != nil {
		tcp.Close()
		return nil, d.handshakeError(ctx, err)
	}
	tcp.SetDeadline(time.Time{})
	l := &link{ssh: ssh.NewClient(c, chans, reqs), done: make(chan struct{})}
	go func() { l.ssh.Wait(); close(l.done) }()
	go l.keepAlive(d.keepAlive, d.keepAliveMissed)
	for i := range d.sessions {
		sc, err := sftp.NewClient(l.ssh, sftp.UseConcurrentWrites(true), sftp.MaxPacket(maxPacket),
			sftp.MaxConcurrentRequestsPerFile(requestsPerFile))
		if err != nil {
			if i > 0 {
				break // the server limits sessions: share the ones we have
			}
			l.close()
			return nil, fmt.Errorf("start sftp subsystem: %w", err)
		}
		l.sftp = append(l.sftp, sc)
	}
	return l, nil
}

// client picks the next session, spreading files over them.
func (l *link) client() *sftp.Client {
	return l.sftp[int(l.next.Add(1))%len(l.sftp)]
}

func (l *link) close() {
	for _, c := range l.sftp {
		c.Close()
	}
	l.ssh.Close()
}

// do runs op on a session, redialling and running it again while the connection is lost, for at most
// the outage window.
func (d *dialer) do(ctx context.Context, op func(*sftp.Client) error) error {
	o := outage{window: d.outage}
	for {
		l, err := d.get(ctx)
		if err == nil {
			if err = op(l.client()); err == nil || !linkFailed(err) || ctx.Err() != nil {
				return err
			}
			d.drop(l)
		}
		if !linkFailed(err) || !o.again(ctx) {
			return err
		}
	}
}

// linkFailed tells a lost connection (worth a redial) from an answer of the server (not worth one).
func linkFailed(err error) bool {
	var status *sftp.StatusError
	switch {
	case errors.As(err, &status), errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission),
		errors.Is(err, ErrHostKey), errors.Is(err, errAuth), errors.Is(err, errCannotResume),
		errors.Is(err, sinks.ErrSizeMismatch), errors.Is(err, sinks.ErrChecksumMismatch),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	}
	return true
}
