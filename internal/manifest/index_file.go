package manifest

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// The index file is a gob stream, the header and then chunks of records, followed by the SHA-256 of all
// of it: a torn or damaged file is found out before anything of it is believed.
const indexVersion = 1

type indexHeader struct {
	Version int
	Stamp   Stamp
}

type objectRecord struct {
	Key    hashKey
	SHA    [32]byte
	Size   int64
	Time   int64
	Status uint8
	SHAOK  bool
	OddSHA string
}

type recordingRecord struct {
	Key      hashKey
	Complete []hashKey
	Last     hashKey
	HasLast  bool
	Time     int64
	Target   string
	Session  string
}

type lostRecord struct {
	ID   string
	Time int64
}

type indexChunk struct {
	Objects    []objectRecord
	Recordings []recordingRecord
	Lost       []lostRecord
	Sessions   []Entry
	End        bool
}

const chunkSize = 4096

// writeIndex writes x to path atomically: a temporary file in the same folder, synced, renamed.
func writeIndex(path string, x *Index) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-index-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := encodeIndex(tmp, x); err != nil {
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func encodeIndex(w io.Writer, x *Index) error {
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(w, h), 64<<10)
	enc := gob.NewEncoder(bw)
	if err := enc.Encode(indexHeader{Version: indexVersion, Stamp: x.stamp}); err != nil {
		return err
	}
	var c indexChunk
	flush := func(force bool) error {
		if !force && len(c.Objects)+len(c.Recordings)+len(c.Lost)+len(c.Sessions) < chunkSize {
			return nil
		}
		err := enc.Encode(c)
		c = indexChunk{}
		return err
	}
	for k, o := range x.objects {
		c.Objects = append(c.Objects, objectRecord{k, o.sha, o.size, o.time, o.status, o.shaOK, x.oddSHA[k]})
		if err := flush(false); err != nil {
			return err
		}
	}
	for k, r := range x.recs {
		c.Recordings = append(c.Recordings, recordingRecord{k, r.complete, r.last, r.hasLast, r.time, r.target, r.session})
		if err := flush(false); err != nil {
			return err
		}
	}
	for id, t := range x.lost {
		c.Lost = append(c.Lost, lostRecord{id, t})
		if err := flush(false); err != nil {
			return err
		}
	}
	for _, lines := range x.sessions {
		c.Sessions = append(c.Sessions, lines...)
		if err := flush(false); err != nil {
			return err
		}
	}
	if err := flush(true); err != nil {
		return err
	}
	c.End = true
	if err := enc.Encode(c); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(h.Sum(nil))
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
	dec := gob.NewDecoder(bufio.NewReaderSize(io.NewSectionReader(r, 0, body), 64<<10))
	var hd indexHeader
	if err := dec.Decode(&hd); err != nil {
		return Index{}, fmt.Errorf("%w: %v", errIndexDamaged, err)
	}
	if hd.Version != indexVersion {
		return Index{}, fmt.Errorf("index version %d, want %d", hd.Version, indexVersion)
	}
	var x Index
	x.init()
	x.stamp = hd.Stamp
	for {
		var c indexChunk
		if err := dec.Decode(&c); err != nil {
			return Index{}, fmt.Errorf("%w: %v", errIndexDamaged, err)
		}
		for _, o := range c.Objects {
			x.objects[o.Key] = object{sha: o.SHA, size: o.Size, time: o.Time, status: o.Status, shaOK: o.SHAOK}
			if o.OddSHA != "" {
				x.oddSHA[o.Key] = o.OddSHA
			}
		}
		for _, r := range c.Recordings {
			x.recs[r.Key] = recording{complete: r.Complete, last: r.Last, hasLast: r.HasLast, time: r.Time, target: x.intern(r.Target), session: x.intern(r.Session)}
		}
		for _, l := range c.Lost {
			x.lost[l.ID] = l.Time
		}
		for _, e := range c.Sessions {
			x.addSessionLine(e)
		}
		if c.End {
			return x, nil
		}
	}
}
