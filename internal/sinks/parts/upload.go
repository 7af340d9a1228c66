package parts

import (
	"context"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"
)

// Uploader sends a body as numbered parts read into buffers from Pool, up to Concurrency parts at
// once. It reads the body on the calling goroutine, in order, and sends each part from a goroutine of
// its own.
type Uploader struct {
	Pool        *Pool
	Concurrency int // parts in flight at once; at least 1
	MaxParts    int // the service's limit of parts per object; 0 for none
	// Send stores part i (from 0) of the body. It must not keep part after it returns: the buffer goes
	// back to the pool. Calls run concurrently; ctx ends when another part or the body fails.
	Send func(ctx context.Context, i int, part []byte) error
}

// Upload sends first, a full part from Pool, and then the rest of the body from rest, in parts of
// len(first) bytes (the last one shorter; an empty last part is not sent). It returns the number of
// parts sent once every Send returned, or the first error: a Send's, the body's (as rest returned
// it), a part over MaxParts, or context.Cause(ctx) when ctx ended. After the first error it reads no
// more of the body and starts no more parts, and the parts in flight see their ctx end. Every buffer,
// first included, is back in the pool when Upload returns.
func (u *Uploader) Upload(ctx context.Context, first []byte, rest io.Reader) (int, error) {
	g, gctx := errgroup.WithContext(ctx)
	inFlight := make(chan struct{}, max(u.Concurrency, 1))
	size := len(first)
	buf, n, ended := first, len(first), false
	parts := 0
	var err error
	for {
		// A slot first, then a buffer: a part waiting for its turn does not pin memory other uploads
		// could use.
		if buf == nil {
			select {
			case inFlight <- struct{}{}:
			case <-gctx.Done():
				err = context.Cause(gctx)
			}
			if err != nil {
				break
			}
			if buf, err = u.Pool.Get(gctx, size); err != nil {
				<-inFlight
				break
			}
			if n, err = Fill(rest, buf); err == io.EOF {
				ended, err = true, nil
			}
			if err != nil {
				u.Pool.Put(buf)
				<-inFlight
				break
			}
		} else {
			inFlight <- struct{}{} // the first part: nothing is in flight yet
		}
		if n == 0 {
			u.Pool.Put(buf)
			<-inFlight
			break
		}
		if u.MaxParts > 0 && parts == u.MaxParts {
			u.Pool.Put(buf)
			<-inFlight
			err = fmt.Errorf("the body is larger than %d parts of %d bytes", u.MaxParts, size)
			break
		}
		i, part := parts, buf[:n]
		parts++
		g.Go(func() error {
			defer func() { u.Pool.Put(part); <-inFlight }()
			return u.Send(gctx, i, part)
		})
		if ended {
			break
		}
		buf = nil
	}
	if err != nil {
		// Through the group, so the parts in flight are cancelled and the first error wins.
		g.Go(func() error { return err })
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return parts, nil
}
