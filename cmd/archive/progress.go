package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
)

// startProgress shows how the run goes: a live line on a terminal, or a log line every interval when
// the output goes to a file or a log collector. The returned func stops it.
func startProgress(mode string, every time.Duration, stderr io.Writer, log *slog.Logger, sum *archiver.Summary) func() {
	if mode == "never" {
		return func() {}
	}
	live := mode == "always" || isTerminal(stderr)
	if live {
		every = 500 * time.Millisecond
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				if live {
					fmt.Fprintf(stderr, "\r\033[K%s\n", progressLine(sum))
				}
				return
			case <-t.C:
				if live {
					fmt.Fprintf(stderr, "\r\033[K%s", progressLine(sum))
				} else {
					n, total, bytes := sum.Progress()
					log.Info("progress", "recordings_done", n, "recordings", total, "bytes", bytes, "rate_mb_s", rate(bytes, sum.Started), "eta", eta(n, total, sum.Started))
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

func progressLine(sum *archiver.Summary) string {
	n, total, bytes := sum.Progress()
	return fmt.Sprintf("%d/%d recordings · %.1f MB · %.1f MB/s · ETA %s", n, total, float64(bytes)/1e6, rate(bytes, sum.Started), eta(n, total, sum.Started))
}

func rate(bytes int64, since time.Time) float64 {
	secs := time.Since(since).Seconds()
	if secs <= 0 {
		return 0
	}
	return float64(bytes) / 1e6 / secs
}

func eta(done, total int, since time.Time) string {
	if done == 0 || done >= total {
		return "-"
	}
	per := time.Since(since) / time.Duration(done)
	return (per * time.Duration(total-done)).Round(time.Second).String()
}

// isTerminal reports whether w is a terminal. A writer may also say so itself (IsTerminal), as the
// tests' stand-in for one does.
func isTerminal(w io.Writer) bool {
	if s, ok := w.(*syncWriter); ok {
		w = s.w
	}
	if t, ok := w.(interface{ IsTerminal() bool }); ok {
		return t.IsTerminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
