package manifest

import (
	"cmp"
	"slices"
	"strings"
)

// Index is what earlier runs archived: for every object any line ever recorded as archived or
// present, the latest such line, by destination and kind (so a details file and a media file can never
// stand for each other). A later failed line does not remove an object: it was archived, so it must
// still be checked by verify and compared before anything is written over it.
type Index struct {
	files    map[fileKey]Entry
	complete map[recordingKey]bool
	sessions map[sessionKey][]Entry // artifact lines, see sessions.go
	lost     map[string]bool        // recordings a failed line says were lost (LostText)
}

type fileKey struct{ destination, kind string }

type recordingKey struct{ id, destination string }

// NewIndex indexes entries, in manifest order.
func NewIndex(entries []Entry) Index {
	x := Index{files: map[fileKey]Entry{}, complete: map[recordingKey]bool{}, sessions: map[sessionKey][]Entry{}, lost: map[string]bool{}}
	lastMeta := map[string]recordingKey{} // recording -> its latest done details line
	for _, e := range entries {
		if e.Destination != "" && e.Done() {
			x.files[fileKey{e.Destination, e.Kind}] = e
		}
		x.addSessionLine(e)
		switch {
		case e.Kind == KindMetadata && e.Done():
			k := recordingKey{e.RecordingID, e.Destination}
			x.complete[k] = true
			lastMeta[e.RecordingID] = k
		case e.Status == StatusFailed:
			if strings.Contains(e.Error, LostText) {
				x.lost[strings.ToLower(e.RecordingID)] = true
			}
			// A recording that failed after it was complete (a later run found a problem) is no
			// longer taken as complete on the manifest's word.
			if k, ok := lastMeta[e.RecordingID]; ok {
				delete(x.complete, k)
				delete(lastMeta, e.RecordingID)
			}
		}
	}
	return x
}

// Lookup returns the latest done entry for the object at destination of this kind.
func (x Index) Lookup(destination, kind string) (Entry, bool) {
	e, ok := x.files[fileKey{destination, kind}]
	return e, ok
}

// Complete reports whether the manifest holds the recording as completely archived with its details
// at metadataDestination: the pipeline writes the details file last, only after every other file of
// the recording was verified.
func (x Index) Complete(recordingID, metadataDestination string) bool {
	return x.complete[recordingKey{recordingID, metadataDestination}]
}

// LostText is what the failed line of a loss says: RealtimeKit deleted the recording's media before any
// run archived it. A later run that finds such a line counts the loss without failing for it again.
const LostText = "expired before any run archived it"

// Lost reports whether an earlier run wrote the failed line of a loss for the recording.
func (x Index) Lost(recordingID string) bool { return x.lost[strings.ToLower(recordingID)] }

// Objects returns every indexed object, ordered by destination and kind.
func (x Index) Objects() []Entry {
	out := make([]Entry, 0, len(x.files))
	for _, e := range x.files {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(a.Destination, b.Destination), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}
