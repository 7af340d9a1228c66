package fetch

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// The defaults of the limits that keep a hostile API or download host from holding the job forever or
// filling its memory.
const (
	// defaultMinRate is far below any real object store (MB/s), far above a deliberate trickle.
	defaultMinRate = 1 << 10
	// defaultFileTimeout fits the largest recording (24 h, about 7 GB) at about 160 kB/s, and still ends a
	// stuck file within a night's run.
	defaultFileTimeout = 12 * time.Hour
	// defaultMaxFileSize is more than twice the largest recording RealtimeKit makes.
	defaultMaxFileSize = 16 << 30
	// defaultMaxRetryAfter: the API's rate-limit windows are 5 minutes; a longer wait is not advice.
	defaultMaxRetryAfter = 5 * time.Minute

	// API bodies: a recording's details are a few kB, a list page of 100 a few hundred kB.
	maxDetailBody = 1 << 20
	maxListBody   = 8 << 20
)

func (cfg *Config) setLimits() {
	if cfg.MinRate == 0 {
		cfg.MinRate = defaultMinRate
	}
	if cfg.FileTimeout <= 0 {
		cfg.FileTimeout = defaultFileTimeout
	}
	if cfg.MaxFileSize <= 0 {
		cfg.MaxFileSize = defaultMaxFileSize
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = defaultMaxRetryAfter
	}
}

// serverWait is the server's Retry-After, cut to MaxRetryAfter: a host asking for a day's pause would
// otherwise stall every worker, since a 429 pauses the whole client.
func (c *Client) serverWait(op string, h http.Header) time.Duration {
	d := retryAfter(h, time.Now())
	if d > c.cfg.MaxRetryAfter {
		c.log.Warn("capping the server's Retry-After", "op", op, "retry_after", d, "cap", c.cfg.MaxRetryAfter)
		d = c.cfg.MaxRetryAfter
	}
	return d
}

// bodyLimit is the largest API answer read for a request path: the list route returns pages of
// recordings, every other route one object.
func bodyLimit(path string) int64 {
	if strings.HasSuffix(strings.TrimSuffix(path, "/"), "/recordings") {
		return maxListBody
	}
	return maxDetailBody
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }
