package fetchtest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
)

// blockSize is the unit of generated content: any byte range can be produced without the ones before.
const blockSize = 64 << 10

// content is a file's bytes, generated on the fly from its name: media of any size costs no memory and
// any range of it can be served, as a real object store does.
type content struct {
	seed [32]byte
	size int64
	off  int64
	buf  []byte
	blk  int64 // block held in buf, -1 when none
}

func newContent(id, file string, size int64) *content {
	return &content{seed: sha256.Sum256([]byte(id + "/" + file)), size: size, blk: -1}
}

func (c *content) block(k int64) []byte {
	if c.blk != k {
		seed := c.seed
		binary.LittleEndian.PutUint64(seed[:8], binary.LittleEndian.Uint64(seed[:8])^uint64(k))
		if c.buf == nil {
			c.buf = make([]byte, blockSize)
		}
		rand.NewChaCha8(seed).Read(c.buf)
		c.blk = k
	}
	return c.buf
}

func (c *content) Read(p []byte) (int, error) {
	if c.off >= c.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && c.off < c.size {
		b := c.block(c.off / blockSize)[c.off%blockSize:]
		if rest := c.size - c.off; int64(len(b)) > rest {
			b = b[:rest]
		}
		m := copy(p[n:], b)
		n += m
		c.off += int64(m)
	}
	return n, nil
}

func (c *content) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += c.off
	case io.SeekEnd:
		offset += c.size
	}
	if offset < 0 {
		return 0, errors.New("negative seek")
	}
	c.off = offset
	return offset, nil
}

// Content returns the bytes the fake serves for a recording's file.
func Content(id, file string, size int64) io.ReadSeeker { return newContent(id, file, size) }

// ContentSHA256 is the SHA-256 of Content(id, file, size).
func ContentSHA256(id, file string, size int64) string {
	h := sha256.New()
	io.Copy(h, newContent(id, file, size))
	return hex.EncodeToString(h.Sum(nil))
}
