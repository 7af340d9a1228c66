package s3

import (
	"context"
	"testing"
	"time"
)

func TestPoolBoundsBuffers(t *testing.T) {
	p := newPool(1<<10, 2)
	a, _ := p.get(t.Context(), 1)
	b, _ := p.get(t.Context(), 1)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.get(ctx, 1); err == nil {
		t.Fatal("a third buffer was lent out of two")
	}
	p.put(a)
	c, err := p.get(t.Context(), 1)
	if err != nil || &c[0] != &a[0] {
		t.Fatalf("a returned buffer was not reused: %v", err)
	}
	p.put(b)
	p.put(c)
	big, err := p.get(t.Context(), 2)
	if err != nil || len(big) != 2<<10 {
		t.Fatalf("get(2) = %d bytes, %v", len(big), err)
	}
	p.put(big)
}

func TestPartsGrowForHugeSizes(t *testing.T) {
	s := &Sink{cfg: Config{PartSize: 16 << 20, Buffers: 4}}
	for _, tc := range []struct {
		size  int64
		slots int
	}{{-1, 1}, {10 << 30, 1}, {16 << 20 * maxParts, 1}, {16<<20*maxParts + 1, 2}, {600 << 30, 4}} {
		if got, err := s.slotsPerPart(tc.size); err != nil || got != tc.slots {
			t.Errorf("slotsPerPart(%d) = %d, %v; want %d", tc.size, got, err, tc.slots)
		}
	}
	if _, err := s.slotsPerPart(1 << 40); err == nil {
		t.Error("a 1 TiB body was accepted with parts larger than the pool")
	}
}
