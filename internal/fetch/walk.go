package fetch

// walk collects a listing across pages: de-duplicated by id, the latest view of a recording kept (pages
// shift while recordings start and finish), refused items reported once.
type walk struct {
	order   []string // ids in the order first seen
	good    map[string]Recording
	bad     map[string]string // id -> reason
	unnamed map[string]string // raw item -> reason, for items without a usable id
}

func newWalk() *walk {
	return &walk{good: map[string]Recording{}, bad: map[string]string{}, unnamed: map[string]string{}}
}

// add takes a page's items and returns what it adds: recordings seen for the first time (or seen
// before only as refused items) and refused items seen for the first time.
func (w *walk) add(items []item) (fresh []Recording, refused []Invalid, progressed bool) {
	for _, it := range items {
		if it.id == "" {
			if _, ok := w.unnamed[it.raw]; !ok {
				w.unnamed[it.raw] = it.reason
				refused = append(refused, Invalid{Reason: it.reason})
				progressed = true
			}
			continue
		}
		_, seenGood := w.good[it.id]
		_, seenBad := w.bad[it.id]
		if !seenGood && !seenBad {
			w.order = append(w.order, it.id)
			progressed = true
		}
		switch {
		case it.rec != nil:
			if !seenGood {
				fresh = append(fresh, *it.rec)
			}
			w.good[it.id] = *it.rec
			delete(w.bad, it.id)
		case !seenGood && !seenBad:
			w.bad[it.id] = it.reason
			refused = append(refused, Invalid{ID: it.id, Reason: it.reason})
		}
	}
	return fresh, refused, progressed
}

// distinct is the number of recordings seen, counting items without an id once each.
func (w *walk) distinct() int { return len(w.order) + len(w.unnamed) }

// complete reports whether the server says the walk has seen everything.
func (w *walk) complete(p page) bool {
	if p.total < 0 {
		return false
	}
	return w.distinct() >= p.total || (p.endOffset >= 0 && p.endOffset >= p.total)
}

func (w *walk) listing() *Listing {
	l := &Listing{}
	for _, id := range w.order {
		if rec, ok := w.good[id]; ok {
			l.Recordings = append(l.Recordings, rec)
		} else {
			l.Invalid = append(l.Invalid, Invalid{ID: id, Reason: w.bad[id]})
		}
	}
	for _, reason := range w.unnamed {
		l.Invalid = append(l.Invalid, Invalid{Reason: reason})
	}
	return l
}
