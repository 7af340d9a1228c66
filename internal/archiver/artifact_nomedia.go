package archiver

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// artifactsWithoutMedia archives the session artifacts of an uploaded recording RealtimeKit keeps no
// media of (its own bucket disabled: only the storage_config destination has the media). RealtimeKit
// may still hold the session's transcript, summary and chat, and they go where the recording would.
// handled is true when it wrote the recording's lines and counted it; false leaves the recording to
// the caller's "nothing to archive" line, as without artifacts. Such a recording never gets a
// recording.json, so every run looks at it again; its settled artifacts cost no API call.
func (a *archiver) artifactsWithoutMedia(ctx context.Context, log *slog.Logger, rec *fetch.Recording) (handled bool, err error) {
	if len(a.cfg.Artifacts) == 0 || rec.SessionID == "" {
		return false, nil
	}
	target, err := a.cfg.Router.Route(ctx, rec)
	if err != nil {
		reason := fmt.Sprintf("no usable destination for its session artifacts: %v", err)
		a.sum.addRecording(OutcomeFailed, rec.ID, reason)
		log.Error("recording failed", "reason", reason)
		return true, a.record(manifest.Entry{RecordingID: rec.ID, Kind: manifest.KindMedia, Status: manifest.StatusFailed, Error: reason})
	}
	if a.cfg.DryRun {
		a.planArtifacts(rec, target)
		return false, nil
	}
	arts, err := a.sessionArtifacts(ctx, log, rec, target)
	if err != nil {
		return true, err
	}
	if ctx.Err() != nil {
		a.atRisk(log, rec.ID, arts.expiry, "interrupted before its session artifacts were archived")
		return true, nil
	}
	if arts.failed == "" {
		return false, nil
	}
	a.conclude(log, rec, target, OutcomeFailed, arts.failed, arts.expiry)
	return true, a.record(manifest.Entry{RecordingID: rec.ID, Kind: manifest.KindMedia, Status: manifest.StatusSkipped, Error: noMediaReason})
}
