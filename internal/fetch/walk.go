package fetch

import "encoding/hex"

// walk follows a listing across pages and remembers only what it needs to tell a new item from one
// seen before (pages shift while recordings start and finish): the IDs it saw, 16 bytes each, and the
// few refused items. The recordings themselves are handed on page by page and not kept, so a walk over
// the whole retention window costs a page of recordings plus an ID set, not the window's recordings.
type walk struct {
	seen    map[uuid]bool     // every id seen; true when it came as a good recording
	unnamed map[string]string // raw item -> reason, for items without a usable id
	packer  packer            // a recording handed on keeps its JSON packed: it may wait long in the run's queue
}

// uuid is a recording ID in 16 bytes instead of a 36-character string.
type uuid [16]byte

// parseUUID reads an ID ValidID accepts; ok is false for anything else.
func parseUUID(id string) (u uuid, ok bool) {
	if !ValidID(id) {
		return u, false
	}
	var b [32]byte
	n := 0
	for i := 0; i < len(id); i++ {
		if id[i] != '-' {
			b[n] = id[i]
			n++
		}
	}
	_, err := hex.Decode(u[:], b[:])
	return u, err == nil
}

func newWalk() *walk {
	return &walk{seen: map[uuid]bool{}, unnamed: map[string]string{}}
}

// add takes a page's items and returns what it adds: recordings seen for the first time (or seen
// before only as refused items) and refused items seen for the first time. The first good view of a
// recording is the one handed on; a later view of it is dropped.
func (w *walk) add(items []item) (fresh []Recording, refused []Invalid, progressed bool) {
	for _, it := range items {
		key, named := parseUUID(it.id)
		if !named {
			if _, ok := w.unnamed[it.raw]; !ok {
				w.unnamed[it.raw] = it.reason
				refused = append(refused, Invalid{Reason: it.reason})
				progressed = true
			}
			continue
		}
		good, seen := w.seen[key]
		if !seen {
			progressed = true
		}
		switch {
		case it.rec != nil && !good:
			w.packer.pack(it.rec)
			fresh = append(fresh, *it.rec)
			w.seen[key] = true
		case it.rec == nil && !seen:
			w.seen[key] = false
			refused = append(refused, Invalid{ID: it.id, Reason: it.reason})
		}
	}
	return fresh, refused, progressed
}

// distinct is the number of recordings seen, counting items without an id once each.
func (w *walk) distinct() int { return len(w.seen) + len(w.unnamed) }

// complete reports whether the server says the walk has seen everything.
func (w *walk) complete(p page) bool {
	if p.total < 0 {
		return false
	}
	return w.distinct() >= p.total || (p.endOffset >= 0 && p.endOffset >= p.total)
}
