package manifest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// IndexPath is where the derived index of the manifest at path is kept.
func IndexPath(manifestPath string) string { return manifestPath + ".index" }

// Stamp says what of the manifest an index holds, so that a stale index is found out: the first Offset
// bytes (whole lines), whose last bytes hash to Tail, and of those only the lines written at or after
// Since (zero: all).
type Stamp struct {
	Offset int64
	Lines  int64 // lines in those bytes: later problems are reported with their line numbers
	Tail   []byte
	Since  time.Time
	// Digest is the SHA-256 state of those bytes, all of them: the sidecar of the manifest is its sum,
	// and it is carried on with the lines read after, so a run never reads the history to write it.
	Digest []byte
}

// tailBytes is how much of the manifest before the index's offset its stamp hashes: enough to tell a
// replaced or restored manifest, little enough to read on every start.
const tailBytes = 4096

// tailHash hashes the bytes of f before offset that a stamp covers.
func tailHash(f io.ReaderAt, offset int64) ([]byte, error) {
	n := min(offset, tailBytes)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, offset-n); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf)
	return sum[:], nil
}

// The index file is binary: a magic line, the stamp as JSON, then the objects, recordings, losses and
// session lines, each section a count and fixed-form records, then the SHA-256 of all of it: a torn or
// damaged file is found out before anything of it is believed.
const indexMagic = "rtk-archive manifest index 1\n"

// writeIndex writes x to path atomically.
func writeIndex(path string, x *Index) error {
	return writeAtomic(path, func(w io.Writer) error { return encodeIndex(w, x) })
}

func encodeIndex(w io.Writer, x *Index) error {
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 64<<10)
	e := &binWriter{w: bw}
	e.bytes([]byte(indexMagic))
	stamp, err := json.Marshal(x.stamp)
	if err != nil {
		return err
	}
	e.str(string(stamp))
	e.uint(uint64(len(x.objects)))
	for k, o := range x.objects {
		odd := x.oddSHA[k]
		flags := o.status
		if o.shaOK {
			flags |= 2
		}
		e.bytes(k[:])
		e.bytes(o.sha[:])
		e.int(o.size)
		e.uint(uint64(o.time))
		e.w.WriteByte(flags)
		e.str(odd)
	}
	e.uint(uint64(len(x.recs)))
	for k, r := range x.recs {
		e.bytes(k[:])
		set := x.completeSet(k, r)
		e.uint(uint64(len(set)))
		for _, c := range set {
			e.bytes(c[:])
		}
		if r.hasLast {
			e.w.WriteByte(1)
			e.bytes(r.last[:])
		} else {
			e.w.WriteByte(0)
		}
		e.uint(uint64(r.time))
		e.str(x.targets[r.target])
		e.str(x.extra[k].session)
	}
	e.uint(uint64(len(x.lost)))
	for id, t := range x.lost {
		e.str(id)
		e.uint(uint64(t))
	}
	var lines []Entry
	for _, ls := range x.sessions {
		lines = append(lines, ls...)
	}
	e.uint(uint64(len(lines)))
	for _, l := range lines {
		b, err := json.Marshal(l)
		if err != nil {
			return err
		}
		e.str(string(b))
	}
	if e.err != nil {
		return e.err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err = w.Write(h.Sum(nil))
	return err
}

// errIndexDamaged means an index file is torn or altered: it is rebuilt, never believed.
var errIndexDamaged = errors.New("the index file is damaged")

// readIndex reads the index file at path.
func readIndex(path string) (Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return Index{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Index{}, err
	}
	return decodeIndex(f, fi.Size())
}

// decodeIndex reads an index of size bytes from r, which it reads twice: once to check the trailing
// digest, once to decode.
func decodeIndex(r io.ReaderAt, size int64) (Index, error) {
	if size < sha256.Size {
		return Index{}, errIndexDamaged
	}
	body := size - sha256.Size
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, body)); err != nil {
		return Index{}, err
	}
	want := make([]byte, sha256.Size)
	if _, err := r.ReadAt(want, body); err != nil {
		return Index{}, err
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return Index{}, errIndexDamaged
	}
	b := &binReader{r: bufio.NewReaderSize(io.NewSectionReader(r, 0, body), 64<<10)}
	magic := make([]byte, len(indexMagic))
	b.full(magic)
	if b.err != nil || string(magic) != indexMagic {
		return Index{}, fmt.Errorf("%w: not an index file of this version", errIndexDamaged)
	}
	var x Index
	x.init()
	if err := json.Unmarshal([]byte(b.str(body)), &x.stamp); err != nil {
		return Index{}, fmt.Errorf("%w: stamp: %v", errIndexDamaged, err)
	}
	n := b.count(body / 58) // the smallest object record
	x.objects = make(map[hashKey]object, n)
	for range n {
		var k hashKey
		var o object
		b.full(k[:])
		b.full(o.sha[:])
		o.size, o.time = b.int(), uint32(b.uint())
		flags := b.byte()
		o.status, o.shaOK = flags&1, flags&2 != 0
		if odd := b.str(body); odd != "" {
			x.oddSHA[k] = odd
		}
		x.objects[k] = o
	}
	n = b.count(body / 21) // the smallest recording record
	x.recs = make(map[hashKey]recording, n)
	for range n {
		var k hashKey
		var rec recording
		b.full(k[:])
		for range b.count(body / 16) {
			var c hashKey
			b.full(c[:])
			x.addComplete(k, &rec, c)
		}
		if b.byte() == 1 {
			rec.hasLast = true
			b.full(rec.last[:])
		}
		rec.time = uint32(b.uint())
		rec.target = x.targetIndex(b.str(body))
		if session := b.str(body); session != "" {
			ex := x.extra[k]
			ex.session = x.intern(session)
			x.extra[k] = ex
		}
		x.recs[k] = rec
	}
	for range b.count(body) {
		id := b.str(body)
		x.lost[id] = uint32(b.uint())
	}
	for range b.count(body) {
		var e Entry
		if err := json.Unmarshal([]byte(b.str(body)), &e); err != nil {
			b.fail(err)
			break
		}
		x.addSessionLine(e)
	}
	if b.err != nil {
		return Index{}, fmt.Errorf("%w: %v", errIndexDamaged, b.err)
	}
	x.interned = nil
	return x, nil
}
