package manifest

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"time"
)

// Index is what earlier runs archived, as far as a run can need it: for every object a line recorded as
// archived or present, the latest such line, by destination and kind (so a details file and a media
// file can never stand for each other); which recordings are complete; which were lost; and the
// session artifacts' lines. A later failed line does not remove an object: it was archived, so it must
// still be checked by verify and compared before anything is written over it.
//
// It is built for memory that the retention window bounds, not the history: objects and recordings are
// keyed by a 128-bit hash of their names, hold a digest instead of its hex, and nothing of a line that
// no decision reads. LoadIndex keeps it beside the manifest and prunes it to the window.
type Index struct {
	objects  map[hashKey]object
	oddSHA   map[hashKey]string // an object's sha256 that is not 64 hex digits (hand-written lines, tests)
	recs     map[hashKey]recording
	extra    map[hashKey]recordingExtra // the rare rest of a recording, see index_recordings.go
	targets  []string                   // config target names, by recording.target; [0] is ""
	sessions map[sessionKey][]Entry     // artifact lines, see sessions.go
	lost     map[string]uint32          // lower-cased recording ID -> time of the failed line of its loss
	interned map[string]string          // session IDs, shared by every line that names them
	stamp    Stamp                      // what of the manifest the index holds
	partial  bool                       // filtered by recording ID: not a window's index, never saved
}

// hashKey names an object or a recording by the first 128 bits of the SHA-256 of its name: a collision
// is as unlikely as a forged checksum, and a key costs 16 bytes whatever the URL's length.
type hashKey [16]byte

func keyOf(parts ...string) hashKey {
	var buf [512]byte
	b := buf[:0]
	for i, p := range parts {
		if i > 0 {
			b = append(b, 0)
		}
		b = append(b, p...)
	}
	sum := sha256.Sum256(b)
	return hashKey(sum[:16])
}

// unixSeconds is t as the index keeps it, for pruning: Unix seconds, in 32 bits until 2106.
func unixSeconds(t time.Time) uint32 {
	return uint32(min(max(t.Unix(), 0), math.MaxUint32))
}

func objectKey(destination, kind string) hashKey { return keyOf(destination, kind) }
func recordingKeyOf(id string) hashKey           { return keyOf(id) }

// object is the latest done line of one object: what Lookup returns.
type object struct {
	sha    [32]byte
	size   int64
	time   uint32 // the line's Unix time, for pruning
	status uint8  // 0 archived, 1 present
	shaOK  bool   // sha holds the line's sha256; else it is in oddSHA, if any
}

// NewIndex indexes entries, in manifest order.
func NewIndex(entries []Entry) Index {
	var x Index
	for _, e := range entries {
		x.add(e)
	}
	x.interned = nil
	return x
}

func (x *Index) init() {
	if x.objects == nil {
		x.objects, x.oddSHA, x.recs, x.extra = map[hashKey]object{}, map[hashKey]string{}, map[hashKey]recording{}, map[hashKey]recordingExtra{}
		x.targets, x.sessions, x.lost = []string{""}, map[sessionKey][]Entry{}, map[string]uint32{}
	}
	if x.interned == nil {
		x.interned = map[string]string{}
	}
}

func (x *Index) intern(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := x.interned[s]; ok {
		return v
	}
	if len(x.interned) < 1<<16 {
		x.interned[s] = s
	}
	return s
}

// add applies one line, in manifest order.
func (x *Index) add(e Entry) {
	x.init()
	t := unixSeconds(e.Time)
	if e.Destination != "" && e.Done() {
		o := object{size: e.Size, time: t}
		if e.Status == StatusPresent {
			o.status = 1
		}
		k := objectKey(e.Destination, e.Kind)
		delete(x.oddSHA, k)
		if b, err := hex.DecodeString(e.SHA256); err == nil && len(b) == len(o.sha) {
			copy(o.sha[:], b)
			o.shaOK = true
		} else if e.SHA256 != "" {
			x.oddSHA[k] = e.SHA256
		}
		x.objects[k] = o
	}
	x.addSessionLine(e)
	x.addToRecording(e, t)
}

func containsKey(ks []hashKey, k hashKey) bool {
	for _, c := range ks {
		if c == k {
			return true
		}
	}
	return false
}

// Lookup returns the latest done entry for the object at destination of this kind: its destination,
// kind, status, size and sha256 (the rest of the line is not kept).
func (x Index) Lookup(destination, kind string) (Entry, bool) {
	k := objectKey(destination, kind)
	o, ok := x.objects[k]
	if !ok {
		return Entry{}, false
	}
	e := Entry{Destination: destination, Kind: kind, Status: StatusArchived, Size: o.size}
	if o.status == 1 {
		e.Status = StatusPresent
	}
	if o.shaOK {
		e.SHA256 = hex.EncodeToString(o.sha[:])
	} else {
		e.SHA256 = x.oddSHA[k]
	}
	return e, true
}

// Complete reports whether the manifest holds the recording as completely archived with its details
// at metadataDestination: the pipeline writes the details file last, only after every other file of
// the recording was verified.
func (x Index) Complete(recordingID, metadataDestination string) bool {
	id := recordingKeyOf(recordingID)
	r, ok := x.recs[id]
	return ok && x.completeAt(id, r, objectKey(metadataDestination, KindMetadata))
}

// Finished is what the manifest says of a recording complete at some destination.
type Finished struct {
	Target    string // the config target its latest done details line names
	SessionID string // the session its artifact lines name; "" when it has none on record
}

// Finished reports whether the manifest holds the recording as complete at some destination, without
// knowing its details: what a backfill ID that no listing returned can be judged by before any request.
func (x Index) Finished(recordingID string) (Finished, bool) {
	id := recordingKeyOf(recordingID)
	r, ok := x.recs[id]
	if !ok || !r.hasComplete {
		return Finished{}, false
	}
	return Finished{Target: x.targets[r.target], SessionID: x.extra[id].session}, true
}

// LostText is what the failed line of a loss says: RealtimeKit deleted the recording's media before any
// run archived it. A later run that finds such a line counts the loss without failing for it again.
const LostText = "expired before any run archived it"

// Lost reports whether an earlier run wrote the failed line of a loss for the recording.
func (x Index) Lost(recordingID string) bool {
	_, ok := x.lost[strings.ToLower(recordingID)]
	return ok
}
