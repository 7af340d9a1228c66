package fetch

import (
	"fmt"
	"time"
)

// rateWindow holds a body to a minimum rate: a host that sends a byte every few seconds never trips the
// stall watchdog, yet would hold a worker for weeks. The rate is judged over windows of time spent
// waiting on the host (inside Read), not wall time, so a destination that is slow to take the bytes is
// not blamed on the download host. A window is judged once it is full, at the read that fills it; a host
// sending nothing at all is the watchdog's business.
type rateWindow struct {
	min    int64 // bytes per second; <= 0 disables the check
	window time.Duration
	waited time.Duration
	got    int64
}

// reset starts a new window: a new body starts clean.
func (w *rateWindow) reset() { w.waited, w.got = 0, 0 }

// add counts n bytes that took waited to arrive and says whether the window this filled was too slow.
func (w *rateWindow) add(n int, waited time.Duration) error {
	if w.min <= 0 {
		return nil
	}
	w.got += int64(n)
	w.waited += waited
	if w.waited < w.window {
		return nil
	}
	got, over := w.got, w.waited
	w.reset()
	if rate := float64(got) / over.Seconds(); rate < float64(w.min) {
		return fmt.Errorf("%d bytes in %v, below the minimum of %d bytes/s: %w", got, over.Round(time.Millisecond), w.min, ErrTooSlow)
	}
	return nil
}
