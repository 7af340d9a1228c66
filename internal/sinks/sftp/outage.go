package sftp

import (
	"context"
	"time"
)

// Defaults for Config's link settings.
const (
	DefaultKeepAlive       = 15 * time.Second // OpenSSH's ServerAliveInterval as commonly set
	DefaultKeepAliveMissed = 3                // OpenSSH's ServerAliveCountMax default
	DefaultOutage          = 30 * time.Second // a server restart or a network blip, not a night's outage
)

// keepAlive closes a connection the server stopped answering, as OpenSSH's ServerAliveInterval and
// ServerAliveCountMax do: every interval a keepalive@openssh.com request goes out unless one is still
// waiting for its answer, and after missed intervals without an answer the connection is closed, so
// calls blocked on it fail and redial. A dead link is so found within (missed+1) x interval.
func (l *link) keepAlive(interval time.Duration, missed int) {
	t := time.NewTicker(interval)
	defer t.Stop()
	answered := make(chan error, 1)
	waiting, unanswered := false, 0
	for {
		select {
		case <-l.done:
			return
		case err := <-answered:
			waiting = false
			if err != nil {
				l.ssh.Close()
				return
			}
			unanswered = 0
			continue
		case <-t.C:
		}
		if waiting {
			if unanswered++; unanswered >= missed {
				l.ssh.Close()
				return
			}
			continue
		}
		waiting = true
		go func() { _, _, err := l.ssh.SendRequest("keepalive@openssh.com", true, nil); answered <- err }()
	}
}

// outage paces the redials after a lost connection: with a growing pause between them, for at most
// window from the first loss, so a server restart or a short blip is ridden out and a longer outage
// fails the call in bounded time.
type outage struct {
	window time.Duration
	since  time.Time // first loss of this outage; zero while there is none
	pause  time.Duration
}

// again waits before the next try; false when the window has passed or ctx ended.
func (o *outage) again(ctx context.Context) bool {
	now := time.Now()
	if o.since.IsZero() {
		o.since, o.pause = now, 100*time.Millisecond
	}
	if now.Sub(o.since) >= o.window {
		return false
	}
	pause := min(o.pause, o.since.Add(o.window).Sub(now))
	o.pause = min(2*o.pause, 2*time.Second)
	t := time.NewTimer(pause)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// over ends the outage: the next loss starts a new window.
func (o *outage) over() { o.since = time.Time{} }
