package sinks

import (
	"fmt"
	"time"
)

// Deadlines bound every request a driver sends, so a destination that takes a request and never
// answers costs a known time, not the night. One request (one attempt of it) may take
// Floor + bytes/MinRate; the SDK's retryer makes at most Attempts of them, pausing at most Backoff
// between two. A run with the defaults waits at most about 5 x (30 s + 96 s) + 4 x 20 s = 12 min for the
// 12 MiB part of a stalled S3 upload, and 5 x 30 s + 4 x 20 s = 4 min for a request with no body.
type Deadlines struct {
	Floor    time.Duration // time any request gets, its bytes aside (default 30 s); also the longest pause between two reads of an answer
	MinRate  int64         // bytes per second below which a request's body is taken for stuck (default 128 KiB/s)
	Attempts int           // tries of one request, the first included (default 5)
}

// Default deadlines.
const (
	DefaultFloor    = 30 * time.Second
	DefaultMinRate  = 128 << 10
	DefaultAttempts = 5
)

// WithDefaults fills the zero fields.
func (d Deadlines) WithDefaults() Deadlines {
	if d.Floor <= 0 {
		d.Floor = DefaultFloor
	}
	if d.MinRate <= 0 {
		d.MinRate = DefaultMinRate
	}
	if d.Attempts <= 0 {
		d.Attempts = DefaultAttempts
	}
	return d
}

// For is how long one attempt of a request carrying n bytes may take, until its answer's headers.
func (d Deadlines) For(n int64) time.Duration {
	d = d.WithDefaults()
	return d.Floor + time.Duration(max(n, 0))*time.Second/time.Duration(d.MinRate)
}

// Backoff is the longest pause the retryer takes between attempts: never longer than a request's floor,
// so the pauses add at most as much again as the attempts themselves.
func (d Deadlines) Backoff() time.Duration {
	return min(20*time.Second, d.WithDefaults().Floor)
}

// String says the bounds in the words the README's failure table uses.
func (d Deadlines) String() string {
	d = d.WithDefaults()
	return fmt.Sprintf("%d attempts of %v + 1 s per %d KiB each", d.Attempts, d.Floor, d.MinRate>>10)
}
