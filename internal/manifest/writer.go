package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Writer appends entries to a manifest file. It is safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	f    *os.File
	path string
	now  func() time.Time
}

// Create opens path for appending, creating it if needed. An existing manifest is extended; a torn last
// line left by a crash is cut off first, so every line stays valid JSON. A path that is a symbolic link is
// refused (ErrSymlink): the repair would truncate the link's target, wherever it points.
func Create(path string) (*Writer, error) {
	if err := refuseSymlink(path); err != nil {
		return nil, err
	}
	if err := repairTail(path); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("manifest %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|noFollow, 0o644)
	if err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return &Writer{f: f, path: path, now: time.Now}, nil
}

// Path is the manifest's file name.
func (w *Writer) Path() string { return w.path }

// Write appends one entry as a single write(2), so a crash loses at most the line in progress.
func (w *Writer) Write(e Entry) error {
	if e.Time.IsZero() {
		e.Time = w.now().UTC()
	}
	e.Error = truncate(e.Error, MaxErrorBytes)
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.f.Write(line); err != nil {
		return fmt.Errorf("manifest %s: %w", w.path, err)
	}
	return nil
}

// Flushed syncs the manifest and returns its size: the first that many bytes are whole lines, a
// consistent snapshot to copy elsewhere while the run goes on.
func (w *Writer) Flushed() (int64, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.f.Sync(); err != nil {
		return 0, err
	}
	fi, err := w.f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Close syncs and closes the manifest, then writes the `<manifest>.sha256` sidecar in sha256sum format.
func (w *Writer) Close() error {
	if err := w.CloseLines(); err != nil {
		return err
	}
	return WriteSidecar(w.path)
}

// CloseLines syncs and closes the manifest without writing its sidecar: for a caller that writes it
// from an index that has read every line (Index.WriteSidecar), instead of hashing the whole history.
func (w *Writer) CloseLines() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		return fmt.Errorf("manifest %s: %w", w.path, err)
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("manifest %s: %w", w.path, err)
	}
	return nil
}

// WriteSidecar writes path+".sha256" so that `sha256sum -c` run in the manifest's folder checks it.
func WriteSidecar(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("manifest %s: %w", path, err)
	}
	line := fmt.Sprintf("%s  %s\n", hex.EncodeToString(h.Sum(nil)), filepath.Base(path))
	return writeFileAtomic(path+".sha256", []byte(line))
}

// repairTail cuts a trailing partial line (no final newline), which only a crash mid-write leaves.
func repairTail(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|noFollow, 0)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	// Read backwards in blocks until the last newline.
	const block = 64 << 10
	end := fi.Size()
	for off := end; off > 0; {
		n := int64(block)
		if off < n {
			n = off
		}
		off -= n
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, off); err != nil {
			return err
		}
		if off+n == end && buf[len(buf)-1] == '\n' {
			return nil
		}
		if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
			return f.Truncate(off + int64(i) + 1)
		}
	}
	return f.Truncate(0)
}

func writeFileAtomic(path string, data []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic writes path by write, atomically: a temporary file in the same folder, synced, renamed,
// and the folder synced, so a crash leaves the old file or the new one.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
