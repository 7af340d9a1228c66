package s3

import "context"

// pool lends part buffers. At most `slots` buffer-sized units exist at once, shared by every upload of
// a sink, so memory stays bounded however many files are in flight and however large they are.
type pool struct {
	size  int
	slots chan struct{} // a send takes a slot, a receive gives it back
	free  chan []byte   // returned single-slot buffers, reused
	multi chan struct{} // held while taking several slots, so two takers never each hold half
}

func newPool(size, slots int) *pool {
	return &pool{size: size, slots: make(chan struct{}, slots), free: make(chan []byte, slots), multi: make(chan struct{}, 1)}
}

// get returns a buffer of n*size bytes, waiting until n slots are free. Parts larger than one slot
// (huge known sizes, to stay under S3's part count) are allocated fresh and dropped on return.
func (p *pool) get(ctx context.Context, n int) ([]byte, error) {
	if n > 1 {
		select {
		case p.multi <- struct{}{}:
			defer func() { <-p.multi }()
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	for i := range n {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			p.release(i)
			return nil, context.Cause(ctx)
		}
	}
	if n == 1 {
		select {
		case b := <-p.free:
			return b, nil
		default:
		}
	}
	return make([]byte, n*p.size), nil
}

// getSmall lends a buffer of exactly n bytes, n well below the part size, for a body known to be that
// small. It counts as one slot like any other, but a tiny file does not pin (or make the pool allocate)
// a whole part buffer.
func (p *pool) getSmall(ctx context.Context, n int) ([]byte, error) {
	select {
	case p.slots <- struct{}{}:
		return make([]byte, n), nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// putSmall returns the slot of a buffer from getSmall.
func (p *pool) putSmall() { p.release(1) }

// put returns a buffer from get.
func (p *pool) put(b []byte) {
	n := cap(b) / p.size
	if n == 1 {
		p.free <- b[:cap(b)]
	}
	p.release(n)
}

func (p *pool) release(n int) {
	for range n {
		<-p.slots
	}
}
