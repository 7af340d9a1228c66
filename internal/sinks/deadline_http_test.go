package sinks

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestDeadlinesCutWhatStops: a request without an answer and an answer that stops are cut with
// ErrNoAnswer (transient, a timeout); a slow answer that keeps coming is not; a cancelled caller gets
// its own error.
func TestDeadlinesCutWhatStops(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/silent":
			<-release
		case "/stops":
			w.Write([]byte("part"))
			w.(http.Flusher).Flush()
			<-release
		case "/slow":
			for range 5 {
				w.Write([]byte("x"))
				w.(http.Flusher).Flush()
				time.Sleep(100 * time.Millisecond)
			}
		}
	}))
	defer srv.Close()
	defer close(release) // before Close, which waits for the handlers
	client := &http.Client{Transport: DeadlineTransport(nil, Deadlines{Floor: 300 * time.Millisecond})}
	get := func(ctx context.Context, path string) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	}
	var na *ErrNoAnswer
	for _, path := range []string{"/silent", "/stops"} {
		start := time.Now()
		err := get(t.Context(), path)
		if !errors.As(err, &na) || !errors.Is(err, ErrTransient) || na.Reading != (path == "/stops") {
			t.Fatalf("%s: %v, want ErrNoAnswer", path, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Fatalf("%s: cut after %v", path, took)
		}
	}
	if err := get(t.Context(), "/slow"); err != nil {
		t.Fatalf("a slow answer that keeps coming (500 ms in all, never 300 ms without a byte): %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := get(ctx, "/silent"); errors.As(err, &na) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the caller's own deadline: %v, want it as itself", err)
	}
}

func TestDeadlinesSizeToBytes(t *testing.T) {
	d := Deadlines{Floor: time.Second, MinRate: 1 << 20}
	if got := d.For(5 << 20); got != 6*time.Second {
		t.Fatalf("For(5 MiB) at 1 MiB/s over a 1 s floor = %v, want 6 s", got)
	}
	if got := (Deadlines{}).For(-1); got != DefaultFloor {
		t.Fatalf("unknown size: %v, want the floor", got)
	}
	if !strings.Contains((Deadlines{}).String(), "5 attempts") {
		t.Fatalf("String: %s", Deadlines{})
	}
}
