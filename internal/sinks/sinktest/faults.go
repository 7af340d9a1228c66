package sinktest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Faults is what a driver that reaches its server over the network gives the fault cases.
type Faults struct {
	// Upstream is the real server's host:port, which the FaultProxy forwards to.
	Upstream func(t *testing.T) string
	// New returns a sink on a fresh bucket or folder of the server, reached through the proxy at addr,
	// with small deadlines so that each case costs seconds.
	New func(t *testing.T, addr string) sinks.Sink
	// Bound is the driver's documented bound for those deadlines: every case must end within it.
	Bound time.Duration
	// HTTP adds the case of a store answering 503 to everything.
	HTTP bool
}

// testFaults puts a FaultProxy between the driver and its real server and, once a first write went
// through, breaks the link in each way the proxy can: the next Put must end within the driver's bound,
// fail as transient (worth a later try), and leave at its key either nothing or exactly its bytes.
func testFaults(t *testing.T, h Harness) {
	modes := []Mode{Hold, Reset, BlackHole}
	if h.Faults.HTTP {
		modes = append(modes, Fail503)
	}
	t.Run("black-hole-mid-upload", func(t *testing.T) { testLinkDiesMidUpload(t, h) })
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel() // each case mostly waits out its deadlines
			p := NewFaultProxy(t, h.Faults.Upstream(t))
			s := sinks.Guard(h.Faults.New(t, p.Addr))
			put(t, s, "warm/up.mp4", randomBytes(t, 1000)) // the bucket or folder is made, connections are open
			p.Set(mode)
			data := randomBytes(t, 300_000)
			start := time.Now()
			_, err := s.Put(context.Background(), "fault/a.mp4", bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data)), SHA256: sum(data)})
			took := time.Since(start)
			t.Logf("fault %s: the Put ended after %v: %v", mode, took.Round(10*time.Millisecond), err)
			switch {
			case err == nil:
				t.Fatalf("fault %s: the Put succeeded", mode)
			case !errors.Is(err, sinks.ErrTransient):
				t.Fatalf("fault %s: %v, want an error matching ErrTransient", mode, err)
			case took > h.Faults.Bound:
				t.Fatalf("fault %s: the Put took %v, beyond the bound of %v", mode, took, h.Faults.Bound)
			}
			p.Set(Pass)
			// Nothing partial at the final key: nothing, or (a request carried out whose answer was
			// lost) exactly the bytes.
			mustBeWholeOrAbsent(t, s, "fault/a.mp4", data)
			// And the destination works again once the link does.
			put(t, s, "fault/after.mp4", data)
		})
	}
}

// FaultDeadlines are the small deadlines drivers use in the fault cases: a request gets a second (its
// bytes hardly count at 64 MiB/s), and two attempts.
var FaultDeadlines = sinks.Deadlines{Floor: time.Second, MinRate: 64 << 20, Attempts: 2}

// testLinkDiesMidUpload black-holes the link half-way through a body larger than the driver's part,
// block or chunk, as a network that fails during a long upload does.
func testLinkDiesMidUpload(t *testing.T, h Harness) {
	t.Parallel()
	p := NewFaultProxy(t, h.Faults.Upstream(t))
	s := sinks.Guard(h.Faults.New(t, p.Addr))
	put(t, s, "warm/up.mp4", randomBytes(t, 1000))
	data := randomBytes(t, h.BigSize)
	src := &hookReader{r: bytes.NewReader(data), at: h.BigSize / 2, hook: func() { p.Set(BlackHole) }}
	start := time.Now()
	_, err := s.Put(context.Background(), "fault/big.mp4", src, sinks.PutOptions{Size: int64(len(data)), SHA256: sum(data)})
	took := time.Since(start)
	t.Logf("fault black-hole mid-upload of %d MiB: the Put ended after %v: %v", h.BigSize>>20, took.Round(10*time.Millisecond), err)
	switch {
	case err == nil:
		t.Fatal("the Put succeeded through a dead link")
	case !errors.Is(err, sinks.ErrTransient):
		t.Fatalf("%v, want an error matching ErrTransient", err)
	case took > 2*h.Faults.Bound:
		t.Fatalf("the Put took %v, beyond twice the bound of %v (parts in flight, then the abort)", took, h.Faults.Bound)
	}
	p.Set(Pass)
	mustBeWholeOrAbsent(t, s, "fault/big.mp4", data)
}

// mustBeWholeOrAbsent checks that key holds nothing or exactly data, by the destination's own checksum
// when it keeps one (a proxy in between can hide an emulator's read path), else by reading it back.
func mustBeWholeOrAbsent(t *testing.T, s sinks.Sink, key string, data []byte) {
	t.Helper()
	st, err := s.Stat(context.Background(), key)
	switch {
	case errors.Is(err, sinks.ErrNotFound):
		return
	case err != nil:
		t.Fatalf("Stat(%q) once the link is back: %v", key, err)
	case st.Size != int64(len(data)):
		t.Fatalf("a partial object at %q: %d bytes of %d", key, st.Size, len(data))
	case st.SHA256 != "":
		if st.SHA256 != sum(data) {
			t.Fatalf("other bytes at %q: SHA-256 %s, want %s", key, st.SHA256, sum(data))
		}
	default:
		mustHold(t, s, key, data)
	}
}

// hookReader calls hook once, when the reader has passed byte at, and goes on reading.
type hookReader struct {
	r     io.Reader
	n, at int64
	hook  func()
}

func (h *hookReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	if h.hook != nil && h.n >= h.at {
		h.hook()
		h.hook = nil
	}
	return n, err
}
