package parts

import (
	"context"
	"testing"
	"time"
)

func TestPoolBoundsBuffers(t *testing.T) {
	p := NewPool(1<<10, 2)
	a, _ := p.Get(t.Context(), 1<<10)
	b, _ := p.Get(t.Context(), 1<<10)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := p.Get(ctx, 1<<10); err == nil {
		t.Fatal("a third buffer was lent out of two")
	}
	if _, err := p.Get(ctx, 1); err == nil {
		t.Fatal("a small buffer was lent beyond the budget")
	}
	p.Put(a)
	c, err := p.Get(t.Context(), 1<<10)
	if err != nil || &c[0] != &a[0] {
		t.Fatalf("a returned buffer was not reused: %v", err)
	}
	p.Put(b)
	p.Put(c)
	big, err := p.Get(t.Context(), 2<<10)
	if err != nil || len(big) != 2<<10 {
		t.Fatalf("Get(2 parts) = %d bytes, %v", len(big), err)
	}
	p.Put(big)
	if _, err := p.Get(t.Context(), 3<<10); err == nil {
		t.Fatal("a buffer larger than the whole pool was promised")
	}
}

// TestSmallBuffersShareTheBudget: buffers of other sizes count their own bytes, so many small bodies
// fit where one part would.
func TestSmallBuffersShareTheBudget(t *testing.T) {
	p := NewPool(1<<10, 1)
	var small [][]byte
	for range 4 {
		b, err := p.Get(t.Context(), 256)
		if err != nil {
			t.Fatal(err)
		}
		small = append(small, b)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := p.Reserve(ctx, 1); err == nil {
		t.Fatal("a byte was reserved beyond the budget")
	}
	for _, b := range small {
		p.Put(b[:10])
	}
	if err := p.Reserve(t.Context(), 1<<10); err != nil {
		t.Fatal(err)
	}
	p.Release(1 << 10)
}

// empty fails the test unless every byte of p's budget is free.
func empty(t *testing.T, p *Pool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if err := p.Reserve(ctx, int(p.budget)); err != nil {
		t.Fatalf("buffers were not given back: %v", err)
	}
	p.Release(int(p.budget))
}

// TestSmallAndMidSizeBuffersAreReused: small bodies reuse buffers of their size class, bodies between
// the largest class and a part reuse part buffers, and every byte of the budget comes back, whatever
// reslice is returned.
func TestSmallAndMidSizeBuffersAreReused(t *testing.T) {
	p := NewPool(12<<20, 3)
	a, err := p.Get(t.Context(), 64<<10)
	if err != nil || len(a) != 64<<10 {
		t.Fatalf("Get(64 KiB) = %d bytes, %v", len(a), err)
	}
	p.Put(a[:100])
	b, _ := p.Get(t.Context(), 60<<10)
	if len(b) != 60<<10 || &b[0] != &a[0] {
		t.Log("the small buffer was not reused (sync.Pool may drop it at a GC; not an error)")
	}
	p.Put(b)
	mid, err := p.Get(t.Context(), 10<<20)
	if err != nil || len(mid) != 10<<20 || cap(mid) != 12<<20 {
		t.Fatalf("Get(10 MiB) = len %d cap %d, %v; want a part buffer", len(mid), cap(mid), err)
	}
	p.Put(mid)
	again, _ := p.Get(t.Context(), 12<<20)
	if &again[0] != &mid[0] {
		t.Fatal("the part buffer lent for a 10 MiB body was not reused")
	}
	p.Put(again)
	empty(t, p)
}
