package archiver

import (
	"io"
	"sync"
)

// lockedWriter lets the workers of a dry run print plan lines at once: each line is one Write, whole,
// whatever the writer underneath (a bytes.Buffer in tests is not safe for concurrent use).
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
