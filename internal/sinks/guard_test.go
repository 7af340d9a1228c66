package sinks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
)

// memory is a driver that keeps one object, built the way drivers are: it reads the Body Guard
// hands it and reports what the body says, unless told to misreport.
type memory struct {
	data    []byte
	partial bool   // report success after reading only part of the body
	lie     string // report this SHA-256
	swallow bool   // replace any read error by one of its own
}

func (m *memory) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (Object, error) {
	body, err := BodyOf(r)
	if err != nil {
		return Object{}, err
	}
	if m.partial {
		io.CopyN(io.Discard, body, 1)
		return Object{Key: key, Size: body.N(), SHA256: body.SHA256()}, nil
	}
	data, err := io.ReadAll(body)
	if err != nil {
		if m.swallow {
			return Object{}, errors.New("upload aborted")
		}
		return Object{}, err
	}
	m.data = data
	obj, err := body.Object(key)
	if m.lie != "" {
		obj.SHA256 = m.lie
	}
	return obj, err
}

func (m *memory) Stat(context.Context, string) (Object, error)        { return Object{}, ErrNotFound }
func (m *memory) Open(context.Context, string) (io.ReadCloser, error) { return nil, ErrNotFound }
func (m *memory) URL(key string) string                               { return "mem:///" + key }
func (m *memory) Close() error                                        { return nil }

func TestGuardChecksWhatTheDriverReports(t *testing.T) {
	data := []byte("the recording")
	opts := PutOptions{Size: int64(len(data))}
	if obj, err := Guard(&memory{}).Put(t.Context(), "k", bytes.NewReader(data), opts); err != nil || obj.Size != int64(len(data)) {
		t.Fatalf("an honest driver: %+v, %v", obj, err)
	}
	if _, err := Guard(&memory{partial: true}).Put(t.Context(), "k", bytes.NewReader(data), opts); err == nil {
		t.Fatal("a driver that stopped reading early was taken at its word")
	}
	if _, err := Guard(&memory{lie: "00"}).Put(t.Context(), "k", bytes.NewReader(data), opts); !errors.Is(err, ErrChecksumMismatch) {
		t.Fatalf("a driver reporting another SHA-256: %v, want ErrChecksumMismatch", err)
	}
	if _, err := (&memory{}).Put(t.Context(), "k", bytes.NewReader(data), opts); !errors.Is(err, errNotGuarded) {
		t.Fatalf("a driver called without Guard: %v", err)
	}
}

// TestGuardStopsOnCancel: whatever the driver makes of it, a Put whose ctx ended fails with an error
// that matches ctx.Err().
func TestGuardStopsOnCancel(t *testing.T) {
	for _, m := range []*memory{{}, {swallow: true}} {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Guard(m).Put(ctx, "k", bytes.NewReader([]byte("abc")), PutOptions{Size: 3})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("swallow=%v: %v, want context.Canceled", m.swallow, err)
		}
		if m.data != nil {
			t.Fatalf("swallow=%v: the body was read after ctx ended", m.swallow)
		}
	}
}
