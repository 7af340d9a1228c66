package manifest

import (
	"cmp"
	"slices"
)

// Objects returns every object the entries record as archived or present, each with its latest such
// line, ordered by destination and kind: what verify proves.
func Objects(entries []Entry) []Entry {
	type key struct{ destination, kind string }
	latest := map[key]Entry{}
	for _, e := range entries {
		if e.Destination != "" && e.Done() {
			latest[key{e.Destination, e.Kind}] = e
		}
	}
	out := make([]Entry, 0, len(latest))
	for _, e := range latest {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Destination, b.Destination), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}
