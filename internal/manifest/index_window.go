package manifest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Window is what of the manifest a run can need: the lines written since Since (the recordings that
// can still be listed were archived after they were made), and for a backfill every line of the
// recordings it names, however old.
type Window struct {
	Since time.Time // zero: the whole history
	IDs   []string  // a backfill's recording IDs; nil for a listing run
}

// IndexInfo says how LoadIndex got the index.
type IndexInfo struct {
	Rebuilt  bool   // read the manifest from its start
	Why      string // why it was rebuilt, when it had an index file to start from
	Read     int64  // bytes of the manifest read
	Problems []Problem
}

// LoadIndex returns the index of the manifest at path that the window needs. For a listing run it
// starts from the index file beside the manifest (IndexPath) and reads only the lines appended since;
// an index file that is missing, damaged, stale (the manifest is not the one it was made from) or
// holds less history than the window reaches is rebuilt by one pass over the manifest. Either way the
// result is pruned to the window, so memory follows the window, not the history. For a backfill it
// adds every line of the named recordings, from one pass over the manifest that decodes only theirs:
// memory follows the window and the list. LoadIndex writes nothing: Save does.
func LoadIndex(path string, w Window) (Index, IndexInfo, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		// No manifest yet; an index seeded from another pod's state (SeedIndex) holds what came before.
		f, err = os.Open(os.DevNull)
	}
	if err != nil {
		return Index{}, IndexInfo{}, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	if w.IDs != nil {
		return loadForIDs(f, path, w)
	}
	filter := newScanFilter(w.Since, nil)
	x, why := usableIndex(f, IndexPath(path), w.Since)
	if why != "" {
		x = Index{stamp: Stamp{Since: w.Since}}
	}
	info, err := x.readFrom(f, filter)
	if err != nil {
		return Index{}, info, fmt.Errorf("manifest %s: %w", path, err)
	}
	info.Rebuilt, info.Why = why != "", why
	if why == "missing" {
		info.Why = ""
	}
	x.prune(w.Since)
	return x, info, nil
}

// loadForIDs is LoadIndex for a backfill: the window's index (the index file, or a state seeded from
// another pod, which holds what runs wrote lately, a resumed backfill's finished IDs among it), the
// named recordings' lines the manifest holds from before it, and every line appended since.
func loadForIDs(f *os.File, path string, w Window) (Index, IndexInfo, error) {
	ids := map[string]bool{}
	for _, id := range w.IDs {
		ids[strings.ToLower(id)] = true
	}
	filter := newScanFilter(w.Since, ids)
	x, why := usableIndex(f, IndexPath(path), w.Since)
	if why != "" {
		x = Index{stamp: Stamp{Since: w.Since}}
		info, err := x.readFrom(f, filter)
		x.partial, info.Rebuilt = true, true
		return x, info, err
	}
	// The index's lines of these recordings are read again with the older ones, in order: a line
	// applied twice in its place changes nothing.
	x.init()
	older, _, problems, err := x.scan(io.NewSectionReader(f, 0, x.stamp.Offset), 0, 1, scanFilter{ids: ids, idsOnly: true})
	if err != nil {
		return Index{}, IndexInfo{}, fmt.Errorf("manifest %s: %w", path, err)
	}
	info, err := x.readFrom(f, filter)
	x.partial = true
	info.Read += older
	info.Problems = append(problems, info.Problems...)
	return x, info, err
}

// usableIndex reads the index file and says why it can't be used, if it can't: "missing", or what is
// wrong with it.
func usableIndex(manifest *os.File, indexPath string, since time.Time) (Index, string) {
	x, err := readIndex(indexPath)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Index{}, "missing"
	case err != nil:
		return Index{}, err.Error()
	case since.Before(x.stamp.Since):
		return Index{}, fmt.Sprintf("the run reaches back to %s, the index only to %s", since.UTC().Format(time.RFC3339), x.stamp.Since.UTC().Format(time.RFC3339))
	}
	if why := x.stamp.check(manifest); why != "" {
		return Index{}, why
	}
	return x, ""
}

// check says what, if anything, shows that the manifest is not the one the stamp was made from.
func (s Stamp) check(manifest *os.File) string {
	fi, err := manifest.Stat()
	if err != nil {
		return err.Error()
	}
	if fi.Size() < s.Offset {
		return fmt.Sprintf("the manifest has %d bytes, the index was made from %d (a manifest replaced or restored)", fi.Size(), s.Offset)
	}
	if s.Offset == 0 {
		return ""
	}
	tail, err := tailHash(manifest, s.Offset)
	if err != nil {
		return err.Error()
	}
	if string(tail) != string(s.Tail) {
		return "the manifest's lines before the indexed offset are not the ones indexed (a manifest replaced or restored)"
	}
	return ""
}

// readFrom applies the manifest's lines from the stamp's offset to its last whole line, and moves the
// stamp there.
func (x *Index) readFrom(f *os.File, filter scanFilter) (IndexInfo, error) {
	x.init()
	defer func() { x.interned = nil }()
	from := x.stamp.Offset
	r := io.NewSectionReader(f, from, 1<<62)
	end, lines, problems, err := x.scan(r, from, x.stamp.Lines+1, filter)
	if err != nil {
		return IndexInfo{}, err
	}
	info := IndexInfo{Read: end - from, Problems: problems}
	x.stamp.Digest = digestOn(f, x.stamp.Digest, from, end)
	if end != from {
		tail, err := tailHash(f, end)
		if err != nil {
			return info, err
		}
		x.stamp.Offset, x.stamp.Tail = end, tail
	}
	x.stamp.Lines += lines
	return info, nil
}

// prune drops what only lines written before since said: no recording in the window needs it.
func (x *Index) prune(since time.Time) {
	if !since.After(x.stamp.Since) {
		return // nothing older was taken
	}
	t := unixSeconds(since)
	for k, o := range x.objects {
		if o.time < t {
			delete(x.objects, k)
			delete(x.oddSHA, k)
		}
	}
	for k, r := range x.recs {
		if r.time < t {
			delete(x.recs, k)
			delete(x.extra, k)
		}
	}
	for id, lt := range x.lost {
		if lt < t {
			delete(x.lost, id)
		}
	}
	for k, lines := range x.sessions {
		kept := lines[:0]
		for _, e := range lines {
			if unixSeconds(e.Time) >= t {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(x.sessions, k)
		} else {
			x.sessions[k] = kept
		}
	}
	x.stamp.Since = since
}

// Save writes the index beside the manifest at path (IndexPath), atomically: a crash leaves the old
// index or the new one. An index filtered by recording ID (a backfill's) is not a window's and is never
// saved.
func (x *Index) Save(path string) error {
	if x.partial {
		return errors.New("a backfill's index holds only its recordings and is not saved")
	}
	if err := writeIndex(IndexPath(path), x); err != nil {
		return fmt.Errorf("manifest index %s: %w", IndexPath(path), err)
	}
	return nil
}

// CatchUp adds the lines appended to the manifest at path since the index was made (a run's own lines,
// at its end), or rebuilds it if the manifest is not the one it was made from.
func (x *Index) CatchUp(path string) (IndexInfo, error) {
	if x.partial {
		return IndexInfo{}, errors.New("a backfill's index holds only its recordings and can't be caught up")
	}
	f, err := os.Open(path)
	if err != nil {
		return IndexInfo{}, fmt.Errorf("manifest: %w", err)
	}
	defer f.Close()
	filter := newScanFilter(x.stamp.Since, nil)
	if why := x.stamp.check(f); why != "" {
		*x = Index{stamp: Stamp{Since: x.stamp.Since}, partial: x.partial}
		info, err := x.readFrom(f, filter)
		info.Rebuilt, info.Why = true, why
		return info, err
	}
	return x.readFrom(f, filter)
}

// Offset is how many bytes of the manifest the index holds: where the lines it has not seen begin.
func (x Index) Offset() int64 { return x.stamp.Offset }

// SeedIndex makes the state r holds (an index file another pod saved) the index of the manifest at
// path, which does not exist yet: a fresh pod starts from the window's state, not from the history.
// It returns the bytes read.
func SeedIndex(path string, r io.Reader) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-seed-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	n, err := io.Copy(tmp, r)
	if err != nil {
		return n, err
	}
	x, err := decodeIndex(tmp, n)
	if err != nil {
		return n, err
	}
	// Its lines are in the other pod's manifest, which this one continues: this pod's manifest starts
	// empty, after them.
	x.stamp = Stamp{Since: x.stamp.Since, Digest: digestOn(nil, nil, 0, 0)}
	return n, x.Save(path)
}
