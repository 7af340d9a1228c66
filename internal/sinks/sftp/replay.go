package sftp

import "io"

// replay reads a one-pass source and keeps the last len(ring) bytes it read, so an upload cut by a lost
// connection can resume from the last offset the server acknowledged without reading the source again.
// pkg/sftp reads at most (requestsPerFile+2)*maxPacket bytes ahead of the acknowledged offset.
type replay struct {
	src  io.Reader
	ring []byte
	n    int64 // bytes taken from src
	pos  int64 // offset of the next byte handed out, n when not replaying
	err  error // what src returned last, io.EOF included; it is never read again after
}

func (r *replay) Read(p []byte) (int, error) {
	if r.pos < r.n {
		size := int64(len(r.ring))
		off := r.pos % size
		k := min(int64(len(p)), r.n-r.pos, size-off)
		copy(p, r.ring[off:off+k])
		r.pos += k
		return int(k), nil
	}
	if r.err != nil {
		return 0, r.err
	}
	k, err := r.src.Read(p)
	for kept := 0; kept < k; {
		c := copy(r.ring[r.n%int64(len(r.ring)):], p[kept:k])
		kept += c
		r.n += int64(c)
	}
	r.pos = r.n
	if err != nil {
		r.err = err
	}
	return k, err
}

// rewind makes the next Read start at off again; false when those bytes are no longer kept.
func (r *replay) rewind(off int64) bool {
	if off > r.n || off < r.n-int64(len(r.ring)) {
		return false
	}
	r.pos = off
	return true
}

// failed is the source's own error (a broken download, a size or checksum mismatch, a cancelled ctx),
// which no retry can cure; nil while the source is fine or ended cleanly.
func (r *replay) failed() error {
	if r.err == io.EOF {
		return nil
	}
	return r.err
}
