package fetch

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// backoff returns the wait before retry number attempt (1-based): exponential from min, capped at max,
// with full jitter so that many workers retrying at once spread out.
func backoff(attempt int, min, max time.Duration) time.Duration {
	d := min << (attempt - 1)
	if d > max || d <= 0 {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date; 0 when absent.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// sleep waits for d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// pauseGate holds every API call of a client until a moment in the future: one 429 slows all workers,
// not just the one that received it.
type pauseGate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *pauseGate) pauseFor(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := time.Now().Add(d); t.After(g.until) {
		g.until = t
	}
}

// remaining is how long the gate stays shut from now; <= 0 when open.
func (g *pauseGate) remaining() time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return time.Until(g.until)
}

// slot waits until a request may be sent: its pacing turn has come and no 429 pause is in force. The
// gate is checked after pacing, right before sending, because a 429 that another worker received while
// this one waited for its turn must hold this request too; after such a pause the request queues for
// a new turn, so the workers released by it do not all send at once.
func (c *Client) slot(ctx context.Context) error {
	for {
		if err := c.pace.wait(ctx); err != nil {
			return err
		}
		d := c.pause.remaining()
		if d <= 0 {
			return nil
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// pacer is a token bucket over the API's rate limit: up to burst calls go out at once, then one per
// interval. The API's limit is a budget per window (1,200 requests per 5 minutes per token), so a
// short run may spend a burst at once, while a long backfill settles to the sustained rate and never
// bursts into 429s (which block the token for the rest of the window).
type pacer struct {
	mu       sync.Mutex
	interval time.Duration // 0: unpaced
	burst    float64
	tokens   float64
	last     time.Time
}

func newPacer(perSecond float64, burst int) pacer {
	if perSecond <= 0 {
		return pacer{}
	}
	b := float64(max(burst, 1))
	return pacer{interval: time.Duration(float64(time.Second) / perSecond), burst: b, tokens: b}
}

func (p *pacer) wait(ctx context.Context) error {
	if p.interval <= 0 {
		return ctx.Err()
	}
	return sleep(ctx, p.reserve(time.Now()))
}

// reserve takes a token at now and returns how long the caller must wait before using it.
func (p *pacer) reserve(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.IsZero() && now.After(p.last) {
		p.tokens = min(p.burst, p.tokens+float64(now.Sub(p.last))/float64(p.interval))
	}
	if now.After(p.last) {
		p.last = now
	}
	p.tokens--
	if p.tokens >= 0 {
		return 0
	}
	return time.Duration(-p.tokens * float64(p.interval))
}
