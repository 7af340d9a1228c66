package archiver

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// lost handles a recording whose media RealtimeKit deleted before any run archived it. Nothing can bring
// it back, so the rule is to say it loudly once: the first run that sees it writes a failed line saying
// so (and fails), a later run that finds that line counts the loss without failing again, and a backfill
// that names the recording fails every time, since someone asked for it by name.
func (a *archiver) lost(log *slog.Logger, id string, expiry time.Time) error {
	reason := fmt.Sprintf("RealtimeKit's copy expired at %s: %s", expiryTime(expiry), manifest.LostText)
	if a.cfg.Previous.Lost(id) && !a.cfg.Backfill {
		a.sum.addLost(id, reason, expiry, false)
		log.Info("recording lost: an earlier run already reported it", "expiry", expiry)
		return nil
	}
	if err := a.record(manifest.Entry{RecordingID: id, Kind: manifest.KindMedia, Status: manifest.StatusFailed, Error: reason, Expiry: expiry}); err != nil {
		return err
	}
	a.sum.addLost(id, reason, expiry, true)
	log.Error("recording lost: its media expired before any run archived it", "expiry", expiry)
	return nil
}

func expiryTime(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format(time.RFC3339)
}
