package manifest

import "slices"

// ArtifactKinds are the kinds of a session's artifacts, in the order a run handles them.
var ArtifactKinds = []string{KindTranscript, KindSummary, KindChat}

// IsArtifact reports whether kind is a session artifact's.
func IsArtifact(kind string) bool { return slices.Contains(ArtifactKinds, kind) }

type sessionKey struct{ session, kind string }

// addSessionLine keeps the artifact lines that say something lasting about the artifact: done (it is
// at that destination), skipped (the session has none, or it expired unarchived) and failed (what was
// there may be gone). Pending lines say only "ask again", so they are not kept.
func (x *Index) addSessionLine(e Entry) {
	if e.SessionID == "" || !IsArtifact(e.Kind) || e.Status == StatusPending {
		return
	}
	k := sessionKey{e.SessionID, e.Kind}
	x.sessions[k] = append(x.sessions[k], e)
}

// Settled reports whether earlier runs settled the session's artifact of kind for a destination, and
// returns the line that decides it. The latest line decides, among those that apply: a skipped line
// applies everywhere (the session has no such artifact, or it expired before any run archived it:
// nothing can change that), a done or failed line only where at accepts its destination (at knows which
// destination URLs belong to the recording's target). Done settles it; failed does not.
func (x Index) Settled(sessionID, kind string, at func(Entry) bool) (Entry, bool) {
	lines := x.sessions[sessionKey{sessionID, kind}]
	for i := len(lines) - 1; i >= 0; i-- {
		e := lines[i]
		switch {
		case e.Status == StatusSkipped:
			return e, true
		case e.Destination == "" || !at(e):
			continue
		case e.Done():
			return e, true
		default:
			return e, false
		}
	}
	return Entry{}, false
}
