package archiver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// Session artifacts (transcript, summary, chat export) belong to a session, not to a recording: two
// recordings of one session (stopped and started again) share them. So they are stored once per
// session, at <prefix>/sessions/<session id>/<kind><ext>, beside the recording folders. "sessions"
// cannot be a recording's folder: recording IDs are UUIDs (checked before any of them reaches a key),
// and an ID that is not a safe segment gets an "id-" digest folder instead.
const sessionsDir = "sessions"

// artifactRetention is how long RealtimeKit keeps a session's artifacts, like media: 7 days.
const artifactRetention = 7 * 24 * time.Hour

// What recording.json says of each artifact (rtk_archive.artifacts), and the first word of the reason
// of a skipped line, so a later run reads back which of the two it was.
const (
	foundArchived = "archived" // at the destination, whichever run copied it
	foundNone     = "none"     // the session has none: a 404 past the retention
	foundExpired  = "expired"  // its URL expired before any run archived it
	foundPending  = "pending"  // a 404 within the retention: maybe not produced yet
	foundFailed   = "failed"
)

// artifactDefaultExt is the extension of an artifact whose URL path has none.
var artifactDefaultExt = map[string]string{manifest.KindTranscript: ".json", manifest.KindSummary: ".json", manifest.KindChat: ".csv"}

// sessionDir is the key of a session's folder under the target's prefix.
func sessionDir(prefix, sessionID string) string {
	return joinKey(safePrefix(prefix), sessionsDir, recordingDir(sessionID))
}

// artifactFile plans one artifact: its name is its kind, with the extension of the URL's path.
func artifactFile(prefix, sessionID, kind, rawURL string) file {
	name := kind + extOf(rawURL, artifactDefaultExt[kind])
	return file{Kind: kind, Name: name, Key: joinKey(sessionDir(prefix, sessionID), name), URL: rawURL, Size: -1}
}

// prior is what the manifest holds of a listed recording at the destination it would go to now.
type prior int

const (
	priorNothing prior = iota
	priorMedia         // its files and details, but not every chosen artifact of its session
	priorAll           // everything: nothing to do
)

// artifactsSettled reports whether every chosen artifact of the recording's session is settled at t by
// earlier runs: archived there, or known to be none. A recording without a session has none to settle.
func (a *archiver) artifactsSettled(rec *fetch.Recording, t Target) bool {
	if rec.SessionID == "" {
		return true
	}
	for _, kind := range a.cfg.Artifacts {
		if _, ok := a.cfg.Previous.Settled(rec.SessionID, kind, a.atTarget(rec.SessionID, t)); !ok {
			return false
		}
	}
	return true
}

// atTarget accepts a manifest line whose destination is where the session's artifact would be at t.
func (a *archiver) atTarget(sessionID string, t Target) func(manifest.Entry) bool {
	dir := sessionDir(t.Prefix, sessionID)
	return func(e manifest.Entry) bool {
		name := safeName(e.File)
		return name != "" && t.Sink.URL(joinKey(dir, name)) == e.Destination
	}
}

// artifactResults is what became of a recording's session artifacts.
type artifactResults struct {
	found    map[string]string // kind -> found*, for recording.json; nil without a session
	archived bool              // one was copied this run
	failed   string            // the first failure, "transcript: why"
	expiry   time.Time         // the earliest expiry of a failed artifact's URL
}

// noted returns rec with what became of its artifacts, for recording.json.
func (r artifactResults) noted(rec *fetch.Recording) *fetch.Recording {
	if r.found == nil {
		return rec
	}
	out := *rec
	out.Artifacts = r.found
	return &out
}

// fold adds the artifacts to the recording's outcome, reason and at-risk expiry: a failed artifact
// fails the recording, an archived one makes it archived.
func (r artifactResults) fold(outcome Outcome, reason string, expiry time.Time) (Outcome, string, time.Time) {
	switch {
	case r.failed != "":
		if outcome != OutcomeFailed {
			reason = r.failed
		}
		if !r.expiry.IsZero() && (expiry.IsZero() || r.expiry.Before(expiry)) {
			expiry = r.expiry
		}
		return OutcomeFailed, reason, expiry
	case r.archived && outcome == OutcomePresent:
		return OutcomeArchived, reason, expiry
	}
	return outcome, reason, expiry
}

// sessionArtifacts archives the chosen artifacts of rec's session to t and writes a line for each. The
// error is only for what stops the run (the manifest); an interruption is for the caller to see in ctx.
func (a *archiver) sessionArtifacts(ctx context.Context, log *slog.Logger, rec *fetch.Recording, t Target) (artifactResults, error) {
	var res artifactResults
	if len(a.cfg.Artifacts) == 0 || rec.SessionID == "" {
		return res, nil
	}
	res.found = map[string]string{}
	log = log.With("session_id", rec.SessionID)
	for _, kind := range a.cfg.Artifacts {
		out, ok := a.artifact(ctx, log, rec, t, kind)
		if !ok {
			return res, nil
		}
		if err := a.record(out.entry); err != nil {
			return res, err
		}
		res.found[kind] = out.found
		switch out.entry.Status {
		case manifest.StatusArchived:
			res.archived = true
		case manifest.StatusFailed:
			if res.failed == "" {
				res.failed = kind + ": " + out.entry.Error
			}
			if !out.expiry.IsZero() && (res.expiry.IsZero() || out.expiry.Before(res.expiry)) {
				res.expiry = out.expiry
			}
		}
	}
	return res, nil
}

// artifact settles one artifact of rec's session at t, once per run and destination: a second recording
// of the session reuses the first one's result, as a line of its own pointing to the same object.
// ok is false when ctx ended before there was a result.
func (a *archiver) artifact(ctx context.Context, log *slog.Logger, rec *fetch.Recording, t Target, kind string) (artifactOutcome, bool) {
	base := manifest.Entry{RecordingID: rec.ID, Kind: kind, SessionID: rec.SessionID, Target: t.Name}
	if !fetch.ValidID(rec.SessionID) {
		base.Status, base.Error = manifest.StatusFailed, fmt.Sprintf("session_id %q is not a UUID: refusing to put it in a request path or a key", rec.SessionID)
		return artifactOutcome{entry: base, found: foundFailed}, true
	}
	key := claimKey{t.Sink.URL(sessionDir(t.Prefix, rec.SessionID)), kind}
	out, from, ok := a.sessions.do(ctx, key, rec.ID, func() (artifactOutcome, bool) {
		out := a.settleArtifact(ctx, log, rec, t, base)
		return out, ctx.Err() == nil
	})
	if !ok || from == "" {
		return out, ok
	}
	// Another recording of the session did the work in this run: the same object, the same finding.
	e := out.entry
	e.RecordingID, e.Time = rec.ID, time.Time{}
	if e.Status == manifest.StatusArchived {
		e.Status = manifest.StatusPresent
	}
	out.entry = e
	log.Debug("session artifact reused", "kind", kind, "from_recording", from, "status", e.Status)
	return out, true
}

// settleArtifact does the work for one artifact: reuse what an earlier run settled at t, else ask the
// API (one call) and copy the file like media.
func (a *archiver) settleArtifact(ctx context.Context, log *slog.Logger, rec *fetch.Recording, t Target, e manifest.Entry) artifactOutcome {
	sid, kind := rec.SessionID, e.Kind
	if prev, ok := a.cfg.Previous.Settled(sid, kind, a.atTarget(sid, t)); ok {
		if prev.Status == manifest.StatusSkipped {
			e.Status, e.Error = manifest.StatusSkipped, prev.Error
			return artifactOutcome{entry: e, found: skippedFound(prev.Error)}
		}
		// An earlier run archived it here: check it is still there, as for media, without the API.
		f := file{Kind: kind, Name: prev.File, Key: joinKey(sessionDir(t.Prefix, sid), safeName(prev.File)), Size: prev.Size}
		obj, err := a.existing(ctx, rec, t, f)
		if err == nil && obj != nil {
			e.Status, e.File, e.Destination, e.Size, e.SHA256 = manifest.StatusPresent, prev.File, prev.Destination, obj.Size, obj.SHA256
			return artifactOutcome{entry: e, found: foundArchived}
		}
		log.Warn("a session artifact an earlier run archived is no longer there as it was: asking the API again", "kind", kind, "destination", prev.Destination, "error", err)
	}
	art, err := a.lookUpArtifact(ctx, sid, kind)
	switch {
	case errors.Is(err, fetch.ErrNotFound):
		return a.notFound(log, rec, e)
	case err != nil:
		e.Status, e.Error = manifest.StatusFailed, err.Error()
		log.Warn("session artifact failed", "kind", kind, "error", err)
		return artifactOutcome{entry: e, found: foundFailed}
	case !art.Expiry.IsZero() && !a.now().Before(art.Expiry):
		e.Status, e.Error = manifest.StatusSkipped, fmt.Sprintf("%s: RealtimeKit's copy expired at %s, before any run archived it here", foundExpired, art.Expiry.UTC().Format(time.RFC3339))
		log.Warn("session artifact expired before it was archived", "kind", kind, "expiry", art.Expiry)
		return artifactOutcome{entry: e, found: foundExpired, expiry: art.Expiry}
	}
	f := artifactFile(t.Prefix, sid, kind, art.DownloadURL)
	f.Refresh = func(ctx context.Context) (string, error) {
		fresh, err := a.lookUpArtifact(ctx, sid, kind)
		if err != nil {
			return "", err
		}
		return fresh.DownloadURL, nil
	}
	// The artifact's own expiry, not the media's, goes into its line and its error texts.
	r := *rec
	r.DownloadURLExpiry = art.Expiry
	fe := a.file(ctx, log, &recState{rec: &r, prefix: t.Prefix}, t, f)
	fe.SessionID = sid
	found := foundArchived
	if fe.Status == manifest.StatusFailed {
		found = foundFailed
	}
	return artifactOutcome{entry: fe, found: found, expiry: art.Expiry}
}

// lookUpArtifact is one API call, counted.
func (a *archiver) lookUpArtifact(ctx context.Context, sessionID, kind string) (*fetch.Artifact, error) {
	a.countArtifactCall()
	return a.cfg.Client.SessionArtifact(ctx, sessionID, kind)
}

func (a *archiver) countArtifactCall() {
	a.sum.mu.Lock()
	defer a.sum.mu.Unlock()
	a.sum.ArtifactCalls++
}

// notFound decides what a 404 means. Transcripts and summaries are made after the meeting ends, so a
// 404 may only mean "not yet": within the retention it is pending, and every run (whose window is
// longer than the retention) asks again. Once the recording stopped longer ago than the retention,
// RealtimeKit would no longer hold the artifact even if it had made one: the 404 means none, and the
// artifact is settled. A recording whose stop is unknown never makes a 404 final.
func (a *archiver) notFound(log *slog.Logger, rec *fetch.Recording, e manifest.Entry) artifactOutcome {
	stopped := sessionStopped(rec)
	if !stopped.IsZero() && a.now().Sub(stopped) >= artifactRetention {
		e.Status, e.Error = manifest.StatusSkipped, fmt.Sprintf("%s: the session has no %s (404 more than 7 days after the recording stopped)", foundNone, e.Kind)
		log.Info("session has no artifact", "kind", e.Kind)
		return artifactOutcome{entry: e, found: foundNone}
	}
	e.Status, e.Error = manifest.StatusPending, fmt.Sprintf("no %s for the session yet (404): a later run asks again, until 7 days after the recording stopped", e.Kind)
	log.Info("session artifact not there yet", "kind", e.Kind)
	return artifactOutcome{entry: e, found: foundPending}
}

// sessionStopped is when the recording stopped, as far as the API tells: stopped_time, else the upload
// as the media's expiry implies it.
func sessionStopped(rec *fetch.Recording) time.Time {
	switch {
	case !rec.StoppedTime.IsZero():
		return rec.StoppedTime
	case !rec.DownloadURLExpiry.IsZero():
		return rec.DownloadURLExpiry.Add(-artifactRetention)
	}
	return time.Time{}
}

// skippedFound reads back from a skipped line's reason whether the session had none or it expired.
func skippedFound(reason string) string {
	if strings.HasPrefix(reason, foundExpired+":") {
		return foundExpired
	}
	return foundNone
}
