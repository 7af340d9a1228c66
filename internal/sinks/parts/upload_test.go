package parts

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
)

// store is a Send that keeps what it is given.
type store struct {
	mu       sync.Mutex
	parts    map[int][]byte
	inFlight atomic.Int32
	peak     atomic.Int32
}

func (s *store) send(ctx context.Context, i int, part []byte) error {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.parts == nil {
		s.parts = map[int][]byte{}
	}
	s.parts[i] = bytes.Clone(part)
	return nil
}

func (s *store) joined() []byte {
	var b []byte
	for i := range len(s.parts) {
		b = append(b, s.parts[i]...)
	}
	return b
}

// upload sends data in parts of size through a pool of count buffers.
func upload(t *testing.T, p *Pool, u *Uploader, data []byte) (int, error) {
	t.Helper()
	first, err := p.Get(t.Context(), p.Size())
	if err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(data)
	if _, err := io.ReadFull(r, first); err != nil {
		t.Fatal(err)
	}
	return u.Upload(t.Context(), first, r)
}

func TestUploadSendsEveryPartOnce(t *testing.T) {
	for _, size := range []int{40, 41, 100, 1000} { // several parts, a short last one, exact multiples
		p := NewPool(10, 3)
		s := &store{}
		u := &Uploader{Pool: p, Concurrency: 2, Send: s.send}
		data := make([]byte, size)
		rand.Read(data)
		n, err := upload(t, p, u, data)
		if err != nil {
			t.Fatal(err)
		}
		if want := (size + 9) / 10; n != want || len(s.parts) != want {
			t.Fatalf("%d bytes: %d parts reported, %d sent; want %d", size, n, len(s.parts), want)
		}
		if !bytes.Equal(s.joined(), data) {
			t.Fatalf("%d bytes: the parts do not join up to the body", size)
		}
		if s.peak.Load() > 2 {
			t.Fatalf("%d parts in flight, limit 2", s.peak.Load())
		}
		empty(t, p)
	}
}

func TestUploadStopsAtTheFirstError(t *testing.T) {
	boom := errors.New("part refused")
	p := NewPool(10, 3)
	var sent atomic.Int32
	u := &Uploader{Pool: p, Concurrency: 2, Send: func(ctx context.Context, i int, part []byte) error {
		sent.Add(1)
		if i == 1 {
			return boom
		}
		<-ctx.Done() // the other parts only end when the failure cancels them
		return ctx.Err()
	}}
	_, err := upload(t, p, u, make([]byte, 1000))
	if !errors.Is(err, boom) {
		t.Fatalf("Upload = %v, want the part's error", err)
	}
	if n := sent.Load(); n > 4 {
		t.Fatalf("%d parts sent after the failure of part 1", n)
	}
	empty(t, p)
}

func TestUploadReturnsTheBodysError(t *testing.T) {
	broken := errors.New("download dropped")
	p := NewPool(10, 3)
	s := &store{}
	u := &Uploader{Pool: p, Concurrency: 3, Send: s.send}
	first, _ := p.Get(t.Context(), 10)
	rest := io.MultiReader(bytes.NewReader(make([]byte, 25)), iotest.ErrReader(broken))
	if _, err := u.Upload(t.Context(), first, rest); !errors.Is(err, broken) {
		t.Fatalf("Upload = %v, want the body's error", err)
	}
	empty(t, p)
}

func TestUploadHonoursCancel(t *testing.T) {
	p := NewPool(10, 3)
	ctx, cancel := context.WithCancel(t.Context())
	u := &Uploader{Pool: p, Concurrency: 1, Send: func(ctx context.Context, i int, part []byte) error {
		if i == 2 {
			cancel()
		}
		return nil
	}}
	first, _ := p.Get(ctx, 10)
	_, err := u.Upload(ctx, first, bytes.NewReader(make([]byte, 1000)))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Upload = %v, want context.Canceled", err)
	}
	empty(t, p)
}

func TestUploadRefusesTooManyParts(t *testing.T) {
	p := NewPool(10, 2)
	s := &store{}
	u := &Uploader{Pool: p, Concurrency: 1, MaxParts: 3, Send: s.send}
	if _, err := upload(t, p, u, make([]byte, 30)); err != nil {
		t.Fatalf("3 parts of a 3-part limit: %v", err)
	}
	if _, err := upload(t, p, u, make([]byte, 31)); err == nil {
		t.Fatal("a fourth part was accepted")
	}
	empty(t, p)
}

// TestUploadsShareScarceBuffers runs more uploads than the pool has buffers: they wait, not deadlock.
func TestUploadsShareScarceBuffers(t *testing.T) {
	p := NewPool(10, 2)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			s := &store{}
			u := &Uploader{Pool: p, Concurrency: 3, Send: s.send}
			first, err := p.Get(context.Background(), 10)
			if err != nil {
				t.Error(err)
				return
			}
			data := make([]byte, 95)
			rand.Read(data)
			r := bytes.NewReader(data)
			io.ReadFull(r, first)
			if _, err := u.Upload(context.Background(), first, r); err != nil {
				t.Error(err)
			}
			if !bytes.Equal(s.joined(), data) {
				t.Error("the parts do not join up to the body")
			}
		})
	}
	wg.Wait()
	empty(t, p)
}
