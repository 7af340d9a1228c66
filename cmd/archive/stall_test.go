package main

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// A log reader that stays connected but stops reading (a stalled log shipper) fills the pipe; the
// run must not wait on it: the logs are dropped, the run completes and exits with its own status.
func TestStalledStderrReaderDoesNotHoldTheRun(t *testing.T) {
	var recs []fetchtest.Recording
	for i := range 250 { // about 150 kB of logs at debug, past a pipe's 64 KiB
		r := uploaded(i+1, 100)
		r.Invoked = time.Now().Add(-time.Duration(i+1) * time.Minute)
		recs = append(recs, r)
	}
	c := newCLI(t, recs...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close() // open, never read: writes block once the pipe's buffer is full

	var out bytes.Buffer
	cmd := pipedRun(t, c, &out, w)
	w.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if code := exitStatus(err); code != 0 {
			t.Fatalf("exit %d, want 0\n%s", code, out.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the run waited on a log reader that does not read")
	}
	assertCompleted(t, c, recs)
}
