package sinktest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// TestFaultProxyModes checks the proxy itself against a plain HTTP server, with the deadlines the
// drivers use: each mode does what it says.
func TestFaultProxyModes(t *testing.T) {
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		got.Add(1)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	p := NewFaultProxy(t, strings.TrimPrefix(srv.URL, "http://"))
	client := &http.Client{Transport: sinks.DeadlineTransport(nil, sinks.Deadlines{Floor: 300 * time.Millisecond, Attempts: 1})}
	send := func() (int, error) {
		req, _ := http.NewRequestWithContext(context.Background(), "PUT", "http://"+p.Addr+"/x", strings.NewReader("body"))
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	if code, err := send(); err != nil || code != 200 {
		t.Fatalf("pass: %d, %v", code, err)
	}
	p.Set(Hold)
	before := got.Load()
	var na *sinks.ErrNoAnswer
	if _, err := send(); !errors.As(err, &na) || !errors.Is(err, sinks.ErrTransient) {
		t.Fatalf("hold: %v, want ErrNoAnswer", err)
	}
	if got.Load() != before+1 || p.Held() != 1 {
		t.Fatalf("hold: the server saw %d requests, %d held; want the request carried out and held", got.Load()-before, p.Held())
	}
	p.Set(BlackHole)
	if _, err := send(); !errors.As(err, &na) {
		t.Fatalf("black hole: %v, want ErrNoAnswer", err)
	}
	p.Set(Fail503)
	if code, err := send(); err != nil || code != 503 {
		t.Fatalf("503: %d, %v", code, err)
	}
	p.Set(Reset)
	if _, err := send(); err == nil || errors.As(err, &na) {
		t.Fatalf("reset: %v, want a connection error", err)
	}
	p.Set(Pass)
	if code, err := send(); err != nil || code != 200 {
		t.Fatalf("pass again: %d, %v", code, err)
	}
}
