package azure

import "context"

// bufPool hands out at most max block buffers, shared by every Put of a sink, so the sink's memory is
// bounded whatever the number and size of files in flight. Buffers are made on first need and reused.
type bufPool struct {
	size  int
	free  chan []byte
	slots chan struct{} // one token per buffer made
}

func newBufPool(size, max int) *bufPool {
	return &bufPool{size: size, free: make(chan []byte, max), slots: make(chan struct{}, max)}
}

// get waits for a buffer until ctx ends.
func (p *bufPool) get(ctx context.Context) ([]byte, error) {
	select {
	case b := <-p.free:
		return b, nil
	default:
	}
	select {
	case b := <-p.free:
		return b, nil
	case p.slots <- struct{}{}:
		return make([]byte, p.size), nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// put returns a buffer got from get.
func (p *bufPool) put(b []byte) { p.free <- b[:cap(b)] }
