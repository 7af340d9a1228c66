package archiver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

// recording archives one recording. It returns an error only when the run must stop.
func (a *archiver) recording(ctx context.Context, j Job) error {
	log := a.log.With("recording_id", j.ID)
	// whole writes a recording-level line (no file was attempted) and counts the outcome.
	whole := func(outcome Outcome, status manifest.Status, reason string) error {
		// Counted only once its line is written: the summary counts what the manifest holds.
		if err := a.record(manifest.Entry{RecordingID: j.ID, Kind: manifest.KindMedia, Status: status, Error: reason}); err != nil {
			a.atRisk(log, j.ID, j.expiry(), unrecorded)
			return err
		}
		a.sum.addRecording(outcome, j.ID, reason)
		switch outcome {
		case OutcomeFailed:
			log.Error("recording failed", "reason", reason)
		default:
			log.Info("recording "+string(outcome), "reason", reason)
		}
		return nil
	}
	prior := priorNothing
	switch {
	case j.Reject != "":
	case j.Listed != nil:
		prior = a.earlier(ctx, j.Listed)
	case a.finishedBefore(j.ID):
		prior = priorAll
	}
	switch {
	case j.Reject != "" && j.ID == "":
		// An item without a usable ID can't have a manifest line; the summary and the exit status say it.
		a.sum.addRecording(OutcomeFailed, "(no id)", j.Reject)
		log.Error("recording failed", "reason", j.Reject)
		return nil
	case j.Reject != "":
		return whole(OutcomeFailed, manifest.StatusFailed, j.Reject)
	case prior == priorAll:
		a.sum.addRecording(OutcomeEarlier, j.ID, "")
		log.Debug("archived by an earlier run")
		return nil
	case prior == priorMedia:
		return a.artifactsOnly(ctx, log, j.Listed)
	case j.Listed != nil && expired(j.Listed, a.now()):
		return a.lost(log, j.ID, j.Listed.DownloadURLExpiry)
	}
	rec, err := a.details(ctx, j)
	if err != nil {
		if ctx.Err() != nil {
			a.atRisk(log, j.ID, j.expiry(), "interrupted before it was archived")
			return nil
		}
		if errors.Is(err, fetch.ErrNotFound) {
			return whole(OutcomeFailed, manifest.StatusFailed, fmt.Sprintf("recording not found (404): %v", err))
		}
		a.atRisk(log, j.ID, j.expiry(), err.Error())
		return whole(OutcomeFailed, manifest.StatusFailed, err.Error())
	}
	switch rec.Status {
	case fetch.StatusUploaded:
		if expired(rec, a.now()) { // a backfill's recording, which the listing no longer returns
			return a.lost(log, rec.ID, rec.DownloadURLExpiry)
		}
	case fetch.StatusInvoked, fetch.StatusRecording, fetch.StatusUploading, fetch.StatusPaused:
		a.atRisk(log, rec.ID, time.Time{}, fmt.Sprintf("status %s: not uploaded yet", rec.Status))
		return whole(OutcomePending, manifest.StatusPending, fmt.Sprintf("status %s: not uploaded yet, a later run gets it", rec.Status))
	case fetch.StatusErrored:
		return whole(OutcomeSkipped, manifest.StatusSkipped, "status ERRORED: RealtimeKit has no media for this recording")
	default:
		return whole(OutcomeFailed, manifest.StatusFailed, fmt.Sprintf("unknown status %q: refusing to guess whether it has media", rec.Status))
	}
	if !rec.HasMedia() {
		if handled, err := a.artifactsWithoutMedia(ctx, log, rec); handled || err != nil {
			return err
		}
		return whole(OutcomeSkipped, manifest.StatusSkipped, noMediaReason)
	}
	target, err := a.cfg.Router.Route(ctx, rec)
	if err != nil {
		reason := fmt.Sprintf("no usable destination: %v", err)
		a.atRisk(log, rec.ID, rec.DownloadURLExpiry, reason)
		return whole(OutcomeFailed, manifest.StatusFailed, reason)
	}
	if a.cfg.DryRun {
		return a.printPlan(rec, target)
	}

	outcome, reason := OutcomePresent, ""
	rs := &recState{rec: rec, prefix: target.Prefix}
	for _, f := range plan(rec, target.Prefix) {
		e := a.file(ctx, log, rs, target, f)
		if ctx.Err() != nil {
			// Interrupted mid-file: the next run redoes it; the manifest says nothing false.
			a.atRisk(log, rec.ID, rec.DownloadURLExpiry, "interrupted before it was archived")
			return nil
		}
		if err := a.record(e); err != nil {
			a.atRisk(log, rec.ID, rec.DownloadURLExpiry, unrecorded)
			return err
		}
		switch e.Status {
		case manifest.StatusArchived:
			if outcome == OutcomePresent {
				outcome = OutcomeArchived
			}
		case manifest.StatusFailed:
			outcome = OutcomeFailed
			if reason == "" {
				reason = fmt.Sprintf("%s %s: %s", e.Kind, f.Name, e.Error)
			}
		}
		if rs.refused {
			break // the destination said no for good: downloading the other files would change nothing
		}
	}
	if outcome == OutcomeFailed {
		return a.conclude(log, rec, target, outcome, reason, rec.DownloadURLExpiry)
	}
	return a.settle(ctx, log, rec, target, outcome, reason, outcome == OutcomeArchived, "interrupted before it was archived")
}

// settle archives the recording's session artifacts, then its details, which say what became of
// them, and concludes. outcome and reason are what its files came to; filesArchived says this run
// archived one of them. interrupted is the at-risk reason when the run stops during the artifacts.
func (a *archiver) settle(ctx context.Context, log *slog.Logger, rec *fetch.Recording, target Target, outcome Outcome, reason string, filesArchived bool, interrupted string, note ...any) error {
	arts, err := a.sessionArtifacts(ctx, log, rec, target)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		a.atRisk(log, rec.ID, rec.DownloadURLExpiry, interrupted)
		return nil
	}
	// The details go last: their presence beside the media means every file made it.
	e := a.metadata(ctx, arts.noted(rec), target, filesArchived || arts.archived)
	if ctx.Err() != nil {
		a.atRisk(log, rec.ID, rec.DownloadURLExpiry, "interrupted before it was archived")
		return nil
	}
	if err := a.record(e); err != nil {
		a.atRisk(log, rec.ID, rec.DownloadURLExpiry, unrecorded)
		return err
	}
	if e.Status == manifest.StatusFailed {
		outcome, reason = OutcomeFailed, "metadata: "+e.Error
	}
	outcome, reason, expiry := arts.fold(outcome, reason, rec.DownloadURLExpiry)
	return a.conclude(log, rec, target, outcome, reason, expiry, note...)
}

// conclude counts the recording's outcome and says it: a failure as an error, and at risk.
func (a *archiver) conclude(log *slog.Logger, rec *fetch.Recording, target Target, outcome Outcome, reason string, expiry time.Time, note ...any) error {
	a.sum.addRecording(outcome, rec.ID, reason)
	if outcome == OutcomeFailed {
		log.Error("recording failed", "destination", target.Name, "reason", reason)
		a.atRisk(log, rec.ID, expiry, reason)
		return nil
	}
	log.Info("recording "+string(outcome), append([]any{"destination", target.Name}, note...)...)
	return nil
}

func (a *archiver) printPlan(rec *fetch.Recording, t Target) error {
	a.sum.addRecording(OutcomePlanned, rec.ID, "")
	files := append(plan(rec, t.Prefix), metadataFile(rec, t.Prefix))
	a.sum.addPlan(t.Name, files)
	for _, f := range files {
		size := "size unknown"
		if f.Size >= 0 {
			size = fmt.Sprintf("%d bytes", f.Size)
		}
		fmt.Fprintf(a.cfg.Plan, "would archive %s %s %s -> %s (%s)\n", termsafe.String(rec.ID), f.Kind, termsafe.String(f.Name), termsafe.String(t.Sink.URL(f.Key)), size)
	}
	a.planArtifacts(rec, t)
	return nil
}

// atRisk reports a recording that this run leaves unarchived while RealtimeKit may still hold it:
// every such recording is in the summary, with its expiry when known; the ones whose media disappears
// within the horizon are also logged as warnings, since this may be the last run that can save them.
func (a *archiver) atRisk(log *slog.Logger, id string, exp time.Time, reason string) {
	urgent := !exp.IsZero() && exp.Sub(a.now()) <= a.cfg.ExpiryHorizon
	a.sum.addAtRisk(id, reason, exp, urgent)
	if urgent {
		log.Warn("recording at risk: not archived and its media expires soon", "expiry", exp, "left", exp.Sub(a.now()).Round(time.Minute), "reason", reason)
	}
}

// unrecorded is the at-risk reason of a recording whose manifest line could not be written: the run
// stops there, and whatever reached the destination is not proven by any manifest.
const unrecorded = "its manifest line could not be written"

const noMediaReason = "UPLOADED without any download URL: RealtimeKit keeps no copy (only the storage_config destination has it)"

// earlier reports what the manifest holds of the listed recording at the destination it would go to
// now: all of it (its files and details, and every chosen artifact of its session settled), its files
// and details only, or nothing complete.
func (a *archiver) earlier(ctx context.Context, listed *fetch.Recording) prior {
	target, err := a.cfg.Router.Route(ctx, listed)
	if err != nil {
		return priorNothing // the full path reports the routing problem
	}
	meta := metadataFile(listed, target.Prefix)
	switch {
	case !a.cfg.Previous.Complete(listed.ID, target.Sink.URL(meta.Key)):
		return priorNothing
	case !a.artifactsSettled(listed, target):
		return priorMedia
	}
	return priorAll
}

// expired reports whether the listed recording's media is past its stated expiry: RealtimeKit has
// deleted it, and no request can bring it back.
func expired(listed *fetch.Recording, now time.Time) bool {
	return !listed.DownloadURLExpiry.IsZero() && !now.Before(listed.DownloadURLExpiry)
}

// details returns what the run acts on for the job. The listing's view is used as it is when it is
// good enough (a status with nothing to download, or download URLs that have not expired): no detail
// call, which at the API's rate limit is what a run would otherwise spend its time on, and an urgent
// recording never waits behind other recordings' API calls for it. A fresh URL could not outlive the
// listed one anyway: RealtimeKit deletes the media when the URL it signed at upload expires. A URL the
// download host refuses is refreshed from the details later, once per recording.
func (a *archiver) details(ctx context.Context, j Job) (*fetch.Recording, error) {
	if l := j.Listed; l != nil {
		if l.Status != fetch.StatusUploaded || (!l.DownloadURLExpiry.IsZero() && a.now().Before(l.DownloadURLExpiry)) {
			return l, nil
		}
	}
	rec, err := a.cfg.Client.Recording(ctx, j.ID)
	if err != nil {
		return nil, err
	}
	return rec.WithMeeting(j.Listed), nil
}
