package gcs

import (
	"context"
	"sync"
)

// budget is a weighted semaphore over bytes of chunk buffers. The SDK allocates one chunk buffer per
// upload and offers no way to share one, so the sink bounds how many exist at once instead.
type budget struct {
	mu    sync.Mutex
	free  int64
	freed chan struct{} // closed and replaced whenever bytes are released
}

func newBudget(n int64) *budget { return &budget{free: n, freed: make(chan struct{})} }

// acquire waits until n bytes are free and takes them, or returns ctx's error.
func (b *budget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			return nil
		}
		freed := b.freed
		b.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-freed:
		}
	}
}

func (b *budget) release(n int64) {
	b.mu.Lock()
	b.free += n
	close(b.freed)
	b.freed = make(chan struct{})
	b.mu.Unlock()
}
