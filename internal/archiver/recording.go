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

// Recording outcomes, as counted in the summary.
const (
	outcomeArchived = "archived"
	outcomePresent  = "present"
	outcomePending  = "pending"
	outcomeSkipped  = "skipped"
	outcomeFailed   = "failed"
)

// recording archives one recording. It returns an error only when the run must stop.
func (a *archiver) recording(ctx context.Context, j Job) error {
	log := a.log.With("recording_id", j.ID)
	// whole writes a recording-level line (no file was attempted) and counts the outcome.
	whole := func(outcome, status, reason string) error {
		a.sum.addRecording(outcome, j.ID, reason)
		switch outcome {
		case outcomeFailed:
			log.Error("recording failed", "reason", reason)
		default:
			log.Info("recording "+outcome, "reason", reason)
		}
		return a.record(manifest.Entry{RecordingID: j.ID, Kind: manifest.KindMedia, Status: status, Error: reason})
	}
	if j.Reject != "" {
		return whole(outcomeFailed, manifest.StatusFailed, j.Reject)
	}
	rec, err := a.cfg.Client.Recording(ctx, j.ID)
	if err != nil {
		if ctx.Err() != nil {
			return nil // interrupted: nothing to say about this recording
		}
		if errors.Is(err, fetch.ErrNotFound) {
			return whole(outcomeFailed, manifest.StatusFailed, fmt.Sprintf("recording not found (404): %v", err))
		}
		return whole(outcomeFailed, manifest.StatusFailed, err.Error())
	}
	switch rec.Status {
	case fetch.StatusUploaded:
	case fetch.StatusInvoked, fetch.StatusRecording, fetch.StatusUploading, fetch.StatusPaused:
		return whole(outcomePending, manifest.StatusPending, fmt.Sprintf("status %s: not uploaded yet, a later run gets it", rec.Status))
	case fetch.StatusErrored:
		return whole(outcomeSkipped, manifest.StatusSkipped, "status ERRORED: RealtimeKit has no media for this recording")
	default:
		return whole(outcomeFailed, manifest.StatusFailed, fmt.Sprintf("unknown status %q: refusing to guess whether it has media", rec.Status))
	}
	if !rec.HasMedia() {
		return whole(outcomeSkipped, manifest.StatusSkipped, "UPLOADED without any download URL: RealtimeKit keeps no copy (only the storage_config destination has it)")
	}
	target, err := a.cfg.Router.Route(ctx, rec)
	if err != nil {
		reason := fmt.Sprintf("no usable destination: %v", err)
		a.atRisk(log, rec, reason)
		return whole(outcomeFailed, manifest.StatusFailed, reason)
	}
	if a.cfg.DryRun {
		return a.printPlan(rec, target)
	}

	outcome, reason := outcomePresent, ""
	rs := &recState{rec: rec, prefix: target.Prefix}
	for _, f := range plan(rec, target.Prefix) {
		e := a.file(ctx, log, rs, target, f)
		if ctx.Err() != nil {
			// Interrupted mid-file: the next run redoes it; the manifest says nothing false.
			a.atRisk(log, rec, "interrupted before it was archived")
			return nil
		}
		if err := a.record(e); err != nil {
			return err
		}
		switch e.Status {
		case manifest.StatusArchived:
			if outcome == outcomePresent {
				outcome = outcomeArchived
			}
		case manifest.StatusFailed:
			outcome = outcomeFailed
			if reason == "" {
				reason = fmt.Sprintf("%s %s: %s", e.Kind, f.Name, e.Error)
			}
		}
	}
	if outcome != outcomeFailed {
		// The details go last: their presence beside the media means every file made it.
		e := a.metadata(ctx, rec, target, outcome == outcomeArchived)
		if ctx.Err() != nil {
			return nil
		}
		if err := a.record(e); err != nil {
			return err
		}
		if e.Status == manifest.StatusFailed {
			outcome, reason = outcomeFailed, "metadata: "+e.Error
		}
	}
	a.sum.addRecording(outcome, rec.ID, reason)
	if outcome == outcomeFailed {
		log.Error("recording failed", "destination", target.Name, "reason", reason)
		a.atRisk(log, rec, reason)
	} else {
		log.Info("recording "+outcome, "destination", target.Name)
	}
	return nil
}

func (a *archiver) printPlan(rec *fetch.Recording, t Target) error {
	a.sum.addRecording("planned", rec.ID, "")
	for _, f := range append(plan(rec, t.Prefix), metadataFile(rec, t.Prefix)) {
		size := "size unknown"
		if f.Size >= 0 {
			size = fmt.Sprintf("%d bytes", f.Size)
		}
		fmt.Fprintf(a.cfg.Plan, "would archive %s %s %s -> %s (%s)\n", termsafe.String(rec.ID), f.Kind, termsafe.String(f.Name), termsafe.String(t.Sink.URL(f.Key)), size)
	}
	return nil
}

// atRisk reports a ready recording that this run leaves unarchived when its media disappears soon.
func (a *archiver) atRisk(log *slog.Logger, rec *fetch.Recording, reason string) {
	exp := rec.DownloadURLExpiry
	if exp.IsZero() || time.Until(exp) > a.cfg.ExpiryHorizon {
		return
	}
	a.sum.addAtRisk(rec.ID, reason, exp)
	log.Warn("recording at risk: not archived and its media expires soon", "expiry", exp, "left", time.Until(exp).Round(time.Minute), "reason", reason)
}
