package sinks

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"testing"
)

// lostAnswer is a driver whose write is carried out but whose answer never comes: it stores what it
// read (or, with other, other bytes of the same size) and fails as a timed-out request does.
type lostAnswer struct {
	stored   []byte
	other    bool
	mismatch bool // the store answers, saying it holds other bytes
	stats    int
}

func (l *lostAnswer) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (Object, error) {
	body, err := BodyOf(r)
	if err != nil {
		return Object{}, err
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return Object{}, err
	}
	l.stored = data
	if l.other {
		l.stored = bytes.ToUpper(data)
	}
	if l.mismatch {
		return Object{}, Transient(fmt.Errorf("the store reports another checksum: %w", ErrChecksumMismatch))
	}
	return Object{}, &ErrNoAnswer{Method: "PUT", Host: "store", After: 1}
}

func (l *lostAnswer) Stat(context.Context, string) (Object, error) {
	l.stats++
	if l.stored == nil {
		return Object{}, ErrNotFound
	}
	s := sha256.Sum256(l.stored)
	return Object{Size: int64(len(l.stored)), SHA256: hex.EncodeToString(s[:])}, nil
}
func (l *lostAnswer) Open(context.Context, string) (io.ReadCloser, error) { return nil, ErrNotFound }
func (l *lostAnswer) URL(key string) string                               { return "mem:///" + key }
func (l *lostAnswer) Close() error                                        { return nil }

// TestGuardLooksAfterALostAnswer: a write that timed out after its whole body was sent is checked at
// the key, not assumed lost: the very bytes there are a success, anything else keeps the failure.
func TestGuardLooksAfterALostAnswer(t *testing.T) {
	data := []byte("the recording")
	opts := PutOptions{Size: int64(len(data))}
	obj, err := Guard(&lostAnswer{}).Put(t.Context(), "k", bytes.NewReader(data), opts)
	if want := sha256.Sum256(data); err != nil || obj.SHA256 != hex.EncodeToString(want[:]) || obj.Size != int64(len(data)) {
		t.Fatalf("the bytes are at the key: %+v, %v; want a success", obj, err)
	}
	_, err = Guard(&lostAnswer{other: true}).Put(t.Context(), "k", bytes.NewReader(data), opts)
	if na := (*ErrNoAnswer)(nil); !errors.As(err, &na) || !errors.Is(err, ErrTransient) {
		t.Fatalf("other bytes at the key: %v, want the timeout, transient", err)
	}
	// An answer that says other bytes are there is taken at its word.
	if _, err = Guard(&lostAnswer{mismatch: true}).Put(t.Context(), "k", bytes.NewReader(data), opts); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("a store that answered with a mismatch: %v, want the mismatch", err)
	}
	// A body that failed never reached the end: nothing to look for.
	l := &lostAnswer{}
	_, err = Guard(l).Put(t.Context(), "k", io.MultiReader(bytes.NewReader(data), &failingBody{}), PutOptions{Size: -1})
	if err == nil || l.stats != 0 {
		t.Fatalf("a failed body: %v after %d looks, want its error and no look", err, l.stats)
	}
}

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("source broke") }
