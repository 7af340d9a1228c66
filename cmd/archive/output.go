package main

import (
	"fmt"
	"io"
	"sync"
)

// droppingWriter is stdout or stderr for a command that must not end because nobody reads them: a
// log shipper restarting, `archive run 2>&1 | head`, a closed terminal. After the first failed write
// every write is dropped and reported as done, so the run finishes its work, writes the manifest and
// its sidecar, and exits with its own status. Dropped says what was lost.
type droppingWriter struct {
	mu      sync.Mutex
	w       io.Writer
	err     error // the first write error; set, nothing more is written
	dropped int   // writes not (or not wholly) made
}

func (d *droppingWriter) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		d.dropped++
		return len(p), nil
	}
	if _, err := d.w.Write(p); err != nil {
		d.err = err
		d.dropped++
	}
	return len(p), nil
}

// Dropped is how many writes were dropped and the error that started it (nil when none were).
func (d *droppingWriter) Dropped() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.dropped, d.err
}

// IsTerminal lets the logger and the progress line see what is behind the writer.
func (d *droppingWriter) IsTerminal() bool { return isTerminal(d.w) }

// noteDroppedLogs says once, after the text summary, that stderr stopped taking the logs: the one place
// left that may still be read.
func noteDroppedLogs(stdout, stderr io.Writer, opts *runOptions) {
	d, ok := stderr.(*droppingWriter)
	if !ok || opts.JSON {
		return
	}
	if n, err := d.Dropped(); n > 0 {
		fmt.Fprintf(stdout, "logs: %d writes to stderr were dropped after it failed: %v\n", n, err)
	}
}
