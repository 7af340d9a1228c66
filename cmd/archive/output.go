package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"
	"time"
)

// droppingWriter is stdout or stderr for a command that must not end because nobody reads them: a
// log shipper restarting, `archive run 2>&1 | head`, a closed terminal. After the first failed write
// every write is dropped and reported as done, so the run finishes its work, writes the manifest and
// its sidecar, and exits with its own status. Dropped says what was lost.
type droppingWriter struct {
	writing sync.Mutex // one write at a time; held while a write blocks
	w       io.Writer

	mu      sync.Mutex // what was lost, readable while a write blocks
	err     error      // the first write error; set, nothing more is written
	dropped int        // writes not (or not wholly) made
}

func (d *droppingWriter) Write(p []byte) (int, error) {
	d.writing.Lock()
	defer d.writing.Unlock()
	d.mu.Lock()
	failed := d.err != nil
	if failed {
		d.dropped++
	}
	d.mu.Unlock()
	if failed {
		return len(p), nil
	}
	if _, err := d.w.Write(p); err != nil {
		d.mu.Lock()
		d.err = err
		d.dropped++
		d.mu.Unlock()
	}
	return len(p), nil
}

// Dropped is how many writes were dropped and why ("" when none were).
func (d *droppingWriter) Dropped() (int, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.dropped == 0 {
		return 0, ""
	}
	return d.dropped, fmt.Sprintf("after it failed: %v", d.err)
}

// IsTerminal lets the logger and the progress line see what is behind the writer.
func (d *droppingWriter) IsTerminal() bool { return isTerminal(d.w) }

// queuedWriter is stderr for the logs: writes go to a bounded queue that one goroutine empties into a
// droppingWriter, so a reader that stays connected but stops reading (a stalled log shipper, a full
// pipe) costs log lines, never a run that waits on it. stdout is not queued: it carries the plan and
// the summary, which are written whole however slowly they are read.
type queuedWriter struct {
	out     *droppingWriter
	mu      sync.Mutex
	lines   chan []byte
	closed  bool
	full    int // writes dropped because the queue was full
	drained chan struct{}
}

func newQueuedWriter(w io.Writer, capacity int) *queuedWriter {
	q := &queuedWriter{out: &droppingWriter{w: w}, lines: make(chan []byte, capacity), drained: make(chan struct{})}
	go func() {
		defer close(q.drained)
		for b := range q.lines {
			q.out.Write(b)
		}
	}()
	return q
}

func (q *queuedWriter) Write(p []byte) (int, error) {
	b := bytes.Clone(p) // the caller may reuse p once Write returns
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return len(p), nil
	}
	select {
	case q.lines <- b:
	default:
		q.full++
	}
	return len(p), nil
}

// Close writes out what is queued, waiting at most d for a slow reader, and drops later writes.
func (q *queuedWriter) Close(d time.Duration) {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.lines)
	}
	q.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-q.drained:
	case <-t.C:
	}
}

// Dropped is how many writes were dropped and why ("" when none were).
func (q *queuedWriter) Dropped() (int, string) {
	q.mu.Lock()
	full := q.full
	q.mu.Unlock()
	if full > 0 {
		return full, "while nothing read it"
	}
	return q.out.Dropped()
}

// IsTerminal lets the logger and the progress line see what is behind the writer.
func (q *queuedWriter) IsTerminal() bool { return q.out.IsTerminal() }

// noteDroppedLogs says once, after the text summary, that stderr did not take all the logs: the one
// place left that may still be read.
func noteDroppedLogs(stdout, stderr io.Writer, opts *runOptions) {
	d, ok := stderr.(interface{ Dropped() (int, string) })
	if !ok || opts.JSON {
		return
	}
	if n, why := d.Dropped(); n > 0 {
		fmt.Fprintf(stdout, "logs: %d writes to stderr were dropped %s\n", n, why)
	}
}
