package manifest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
)

// binWriter writes the index's fields, keeping the first error.
type binWriter struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	err error
}

func (b *binWriter) bytes(p []byte) {
	if _, err := b.w.Write(p); err != nil && b.err == nil {
		b.err = err
	}
}
func (b *binWriter) uint(v uint64) { b.bytes(b.buf[:binary.PutUvarint(b.buf[:], v)]) }
func (b *binWriter) int(v int64)   { b.bytes(b.buf[:binary.PutVarint(b.buf[:], v)]) }
func (b *binWriter) str(s string) {
	b.uint(uint64(len(s)))
	if _, err := b.w.WriteString(s); err != nil && b.err == nil {
		b.err = err
	}
}

// binReader reads what binWriter wrote, keeping the first error.
type binReader struct {
	r   *bufio.Reader
	err error
}

func (b *binReader) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}
func (b *binReader) full(p []byte) {
	if _, err := io.ReadFull(b.r, p); err != nil {
		b.fail(err)
	}
}
func (b *binReader) uint() uint64 {
	v, err := binary.ReadUvarint(b.r)
	b.fail(err)
	return v
}
func (b *binReader) int() int64 {
	v, err := binary.ReadVarint(b.r)
	b.fail(err)
	return v
}
func (b *binReader) byte() byte {
	c, err := b.r.ReadByte()
	b.fail(err)
	return c
}

// count reads a section's count, bounded by what the file can hold.
func (b *binReader) count(limit int64) int {
	n := b.uint()
	if n > uint64(limit) {
		b.fail(errors.New("count larger than the file"))
		return 0
	}
	return int(n)
}

func (b *binReader) str(limit int64) string {
	n := b.count(limit)
	if b.err != nil || n == 0 {
		return ""
	}
	p := make([]byte, n)
	b.full(p)
	return string(p)
}
