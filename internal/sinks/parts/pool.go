// Package parts holds the upload mechanics the object-store drivers share: a bounded pool of part
// buffers and an uploader that sends a body part by part, several parts at once. It needs only the
// standard library and golang.org/x/sync.
package parts

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/semaphore"
)

// Pool lends byte buffers out of a fixed budget shared by every upload of one sink, so the sink's
// memory stays bounded however many files are in flight and however large they are. Buffers of the
// pool's part size are reused, and so are smaller ones (a small body of known size) by power-of-two
// size class: thousands of small files would otherwise each allocate, and clear, a buffer of their own.
// Other sizes (a part of several sizes for a huge body) are allocated for the one use and dropped when
// returned. It is safe for concurrent use.
type Pool struct {
	size   int
	budget int64
	sem    *semaphore.Weighted // bytes lent out
	free   chan []byte         // returned part-size buffers, reused
	small  [smallClasses]sync.Pool
}

// Small buffers are reused in classes of 4 KiB, 8 KiB, ... up to 4 KiB << (smallClasses-1).
const (
	smallMin     = 4 << 10
	smallClasses = 12
)

// smallClass is the class whose buffers hold n bytes, or -1 when n is too large for one.
func smallClass(n int) int {
	for c, size := 0, smallMin; c < smallClasses; c, size = c+1, size<<1 {
		if n <= size {
			return c
		}
	}
	return -1
}

// NewPool returns a pool of count buffers of size bytes: size*count bytes may be lent at once.
func NewPool(size, count int) *Pool {
	count = max(count, 1)
	budget := int64(size) * int64(count)
	return &Pool{size: size, budget: budget, sem: semaphore.NewWeighted(budget), free: make(chan []byte, count)}
}

// Size is the part size: the length of a buffer from Get(ctx, Size()) that is reused.
func (p *Pool) Size() int { return p.size }

// Get lends a buffer of n bytes, waiting until n bytes of the budget are free or ctx ends (then it
// returns context.Cause(ctx)). Give it back with Put. n larger than the whole budget is an error at
// once, since no wait could satisfy it.
func (p *Pool) Get(ctx context.Context, n int) ([]byte, error) {
	// A small buffer's whole class is reserved: Put releases what the buffer holds, its capacity.
	c := smallClass(n)
	if n >= p.size || c < 0 || smallMin<<c >= p.size {
		c = -1
	}
	reserve := n
	switch {
	case c >= 0:
		reserve = smallMin << c
	case n < p.size && n > smallMin<<(smallClasses-1):
		// Between the largest class and a part (a 10 MiB body, with 12 MiB parts): a part-size
		// buffer, reused.
		reserve = p.size
	}
	if err := p.Reserve(ctx, reserve); err != nil {
		return nil, err
	}
	switch {
	case reserve == p.size:
		select {
		case b := <-p.free:
			return b[:n], nil
		default:
		}
		return make([]byte, n, p.size), nil
	case c >= 0:
		if b, ok := p.small[c].Get().(*[]byte); ok {
			return (*b)[:n], nil
		}
		return make([]byte, n, reserve), nil
	}
	return make([]byte, n), nil
}

// Put gives back a buffer from Get (any reslice of it).
func (p *Pool) Put(b []byte) {
	b = b[:cap(b)]
	switch c := smallClass(len(b)); {
	case len(b) == p.size:
		select {
		case p.free <- b:
		default:
		}
	case c >= 0 && len(b) == smallMin<<c && len(b) < p.size:
		p.small[c].Put(&b)
	}
	p.Release(len(b))
}

// Reserve takes n bytes of the budget without a buffer, for memory someone else allocates (an SDK's
// own chunk buffer); give them back with Release. It waits as Get does.
func (p *Pool) Reserve(ctx context.Context, n int) error {
	if int64(n) > p.budget {
		return fmt.Errorf("a buffer of %d bytes is larger than the pool's %d", n, p.budget)
	}
	if err := p.sem.Acquire(ctx, int64(n)); err != nil {
		return context.Cause(ctx)
	}
	return nil
}

// Release gives back n bytes taken with Reserve.
func (p *Pool) Release(n int) { p.sem.Release(int64(n)) }
