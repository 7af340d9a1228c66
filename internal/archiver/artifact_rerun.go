package archiver

import (
	"context"
	"log/slog"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// artifactsOnly handles a listed recording whose files and details an earlier run archived, but not
// every chosen artifact of its session (one was pending, failed, or not chosen then): only the
// artifacts are settled, and recording.json is written again with what was found. It runs even once
// the media has expired, since the 404 that settles an artifact as none comes only after that. The
// details are the listing's, as in the run that archives a recording from its listed URLs.
func (a *archiver) artifactsOnly(ctx context.Context, log *slog.Logger, rec *fetch.Recording) error {
	target, err := a.cfg.Router.Route(ctx, rec)
	if err != nil { // it routed a moment ago; the full path reports a problem that has come up since
		return nil
	}
	if a.cfg.DryRun {
		a.sum.addRecording(OutcomePlanned, rec.ID, "")
		a.planArtifacts(rec, target)
		return nil
	}
	return a.settle(ctx, log, rec, target, OutcomePresent, "", false, "interrupted before its session artifacts were archived", "only", "session artifacts")
}
