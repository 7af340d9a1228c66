package manifest

import "strings"

// recording is what the manifest says of one recording as a whole, in a form without pointers (the
// collector need not scan a window's worth of them): the details destinations it is complete at (the
// first here, any more in extra), its latest done details line until a failed line cancels it, and the
// config target that line names.
type recording struct {
	complete    hashKey // objectKey(details destination, KindMetadata)
	last        hashKey
	time        uint32 // its latest line's Unix time, for pruning
	target      uint16 // index in Index.targets
	hasComplete bool
	hasLast     bool
}

// recordingExtra is what few recordings have: more than one details destination (the config changed
// between runs), or a session (artifact lines).
type recordingExtra struct {
	more    []hashKey
	session string
}

// maxTargets bounds the target names kept: a config has a handful. Past it a recording's target is
// unknown (""), which only costs a backfill a request (see Finished).
const maxTargets = 256

func (x *Index) targetIndex(name string) uint16 {
	for i, t := range x.targets {
		if t == name {
			return uint16(i)
		}
	}
	if len(x.targets) >= maxTargets {
		return 0
	}
	x.targets = append(x.targets, name)
	return uint16(len(x.targets) - 1)
}

// addToRecording applies a line to its recording's state.
func (x *Index) addToRecording(e Entry, t uint32) {
	id := recordingKeyOf(e.RecordingID)
	r := x.recs[id]
	switch {
	case e.Kind == KindMetadata && e.Done():
		k := objectKey(e.Destination, KindMetadata)
		x.addComplete(id, &r, k)
		r.last, r.hasLast, r.target = k, true, x.targetIndex(e.Target)
	case e.Status == StatusFailed:
		if strings.Contains(e.Error, LostText) {
			x.lost[strings.ToLower(e.RecordingID)] = t
		}
		// A recording that failed after it was complete (a later run found a problem) is no longer
		// taken as complete on the manifest's word.
		if r.hasLast {
			x.removeComplete(id, &r, r.last)
			r.hasLast = false
		}
	}
	if e.SessionID != "" && IsArtifact(e.Kind) {
		ex := x.extra[id]
		ex.session = x.intern(e.SessionID)
		x.extra[id] = ex
	}
	r.time = max(r.time, t)
	if !r.hasComplete && !r.hasLast && x.extra[id].session == "" {
		delete(x.recs, id)
		delete(x.extra, id)
		return
	}
	x.recs[id] = r
}

func (x Index) completeAt(id hashKey, r recording, k hashKey) bool {
	if !r.hasComplete {
		return false
	}
	if r.complete == k {
		return true
	}
	for _, m := range x.extra[id].more {
		if m == k {
			return true
		}
	}
	return false
}

func (x *Index) addComplete(id hashKey, r *recording, k hashKey) {
	switch {
	case x.completeAt(id, *r, k):
	case !r.hasComplete:
		r.complete, r.hasComplete = k, true
	default:
		ex := x.extra[id]
		ex.more = append(ex.more, k)
		x.extra[id] = ex
	}
}

func (x *Index) removeComplete(id hashKey, r *recording, k hashKey) {
	ex, ok := x.extra[id]
	var more []hashKey
	for _, m := range ex.more {
		if m != k {
			more = append(more, m)
		}
	}
	if r.hasComplete && r.complete == k {
		r.hasComplete = false
		if len(more) > 0 {
			r.complete, r.hasComplete, more = more[0], true, more[1:]
		}
	}
	if !ok {
		return
	}
	ex.more = more
	if len(more) == 0 {
		ex.more = nil
	}
	x.extra[id] = ex
}

// completeSet lists the details destinations the recording is complete at.
func (x Index) completeSet(id hashKey, r recording) []hashKey {
	if !r.hasComplete {
		return nil
	}
	return append([]hashKey{r.complete}, x.extra[id].more...)
}
