package sinktest

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// guard runs every driver through sinks.Guard, as the pipeline does: the suite tests what ships. The
// harness's own hooks still get the driver itself.
func guard(h *Harness) {
	newRaw, leftovers, folder, missing := h.New, h.Leftovers, h.Folder, h.Missing
	h.New = func(t *testing.T) sinks.Sink { return sinks.Guard(newRaw(t)) }
	if leftovers != nil {
		h.Leftovers = func(t *testing.T, s sinks.Sink) []string { return leftovers(t, unguard(s)) }
	}
	if folder != nil {
		h.Folder = func(t *testing.T, s sinks.Sink) string { return folder(t, unguard(s)) }
	}
	if missing != nil {
		h.Missing = func(t *testing.T) sinks.Sink { return sinks.Guard(missing(t)) }
	}
}

func unguard(s sinks.Sink) sinks.Sink {
	if u, ok := s.(interface{ Unwrap() sinks.Sink }); ok {
		return u.Unwrap()
	}
	return s
}

// testErrorKinds: the source's failure comes back as itself, not as the destination's; a key the
// destination can't take is permanent; a missing object is ErrNotFound.
func testErrorKinds(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := t.Context()
	boom := errors.New("the source broke")
	body := io.MultiReader(bytes.NewReader(make([]byte, 1000)), &failing{boom})
	_, err := s.Put(ctx, "kinds/source-fails", body, sinks.PutOptions{Size: 5000})
	if !errors.Is(err, boom) {
		t.Fatalf("a Put whose body failed: %v, want the body's own error", err)
	}
	if errors.Is(err, sinks.ErrPermanent) || errors.Is(err, sinks.ErrTransient) {
		t.Fatalf("the body's failure was taken for the destination's: %v", err)
	}
	_, err = s.Put(ctx, "", bytes.NewReader([]byte("x")), sinks.PutOptions{Size: 1})
	if !errors.Is(err, sinks.ErrPermanent) {
		t.Fatalf("a Put to an empty key: %v, want ErrPermanent", err)
	}
	if _, err := s.Stat(ctx, "kinds/none"); !errors.Is(err, sinks.ErrNotFound) || errors.Is(err, sinks.ErrPermanent) {
		t.Fatalf("Stat of a missing object: %v, want ErrNotFound alone", err)
	}
}

type failing struct{ err error }

func (f *failing) Read([]byte) (int, error) { return 0, f.err }

func testCheckPasses(t *testing.T, h Harness) {
	s := h.New(t)
	if err := s.(sinks.Checker).Check(t.Context()); err != nil {
		t.Fatalf("Check on a usable destination: %v", err)
	}
}

// testMissing: a destination that does not exist fails its check and its writes as permanent.
func testMissing(t *testing.T, h Harness) {
	s := h.Missing(t)
	defer s.Close()
	if err := s.(sinks.Checker).Check(t.Context()); !errors.Is(err, sinks.ErrPermanent) {
		t.Fatalf("Check on a missing destination: %v, want ErrPermanent", err)
	}
	_, err := s.Put(t.Context(), "missing/x", bytes.NewReader([]byte("hello")), sinks.PutOptions{Size: 5})
	if !errors.Is(err, sinks.ErrPermanent) {
		t.Fatalf("Put to a missing destination: %v, want ErrPermanent (retrying can't make it exist)", err)
	}
}
