package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// MediaLifetime is how long RealtimeKit keeps a recording's media after its upload.
const MediaLifetime = 7 * 24 * time.Hour

// CatchUpWindow is how far back the default listing reaches: the media lifetime, plus a day for a
// recording that ran up to 24 h before its upload started the 7 days, plus a day's margin for the
// undocumented timestamp the listing filters on. Every run so looks at everything RealtimeKit may still
// hold, and missed nights, pending recordings and late uploads are caught up by the next run.
const CatchUpWindow = MediaLifetime + 2*24*time.Hour

// Selection is which recordings a run considers.
type Selection struct {
	Backfill     bool // archive IDs (from an ID file) instead of listing the window
	IDs          []archiver.Job
	Since, Until time.Time // the listing window
	MeetingID    string
	Shard        Shard
}

// ErrTokenRefused means the API refused the token (401/403) before any recording was handled: a
// configuration error, not a failed night.
var ErrTokenRefused = errors.New("the API refused the token")

// selectJobs returns a backfill's jobs, with what one listing knows of them, and this shard's part.
// (A listing is streamed instead: see stream.go.)
func (r *run) selectJobs(ctx context.Context) ([]archiver.Job, error) {
	sel := r.cfg.Selection
	jobs, err := r.orderBackfill(ctx, sel.IDs)
	if err != nil {
		return nil, err
	}
	if sel.Shard.N > 1 {
		all := len(jobs)
		jobs = sel.Shard.filter(jobs)
		r.log.Info("sharded", "shard", sel.Shard.String(), "recordings", len(jobs), "of", all)
	}
	return jobs, nil
}

// orderBackfill gives a backfill's jobs what the listing knows of them (their expiry, for the order,
// and whether an earlier run archived them), from one listing of everything RealtimeKit may still hold:
// a page of API calls per page of recordings, instead of a detail call per ID up front. Jobs the listing
// does not know (older media) keep their order in the file, after the others. A listing that fails for
// another reason than the token or a stop only costs the ordering.
func (r *run) orderBackfill(ctx context.Context, ids []archiver.Job) ([]archiver.Job, error) {
	jobs := append([]archiver.Job(nil), ids...)
	listing, err := r.cfg.Client.List(ctx, fetch.ListOptions{Since: r.cfg.Now().Add(-CatchUpWindow)})
	if err != nil {
		if serr := selectionError("listing recent recordings", err); !errors.Is(serr, errSelection) {
			return nil, serr
		}
		r.log.Warn("could not list recent recordings to order the backfill by expiry; keeping the file's order", "error", err)
		return jobs, nil
	}
	byID := make(map[string]*fetch.Recording, len(listing.Recordings))
	for i := range listing.Recordings {
		byID[strings.ToLower(listing.Recordings[i].ID)] = &listing.Recordings[i]
	}
	for i := range jobs {
		if rec, ok := byID[jobs[i].ID]; ok && jobs[i].Reject == "" {
			jobs[i].Listed = rec
		}
	}
	return jobs, nil
}

// errSelection marks a selection failure that is neither a stop nor a refused token.
var errSelection = errors.New("selecting recordings failed")

// selectionError sorts out why selecting recordings failed: a stop (ErrInterrupted), a token the API
// refuses (ErrTokenRefused), or anything else.
func selectionError(what string, err error) error {
	var apiErr *fetch.APIError
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w while %s", ErrInterrupted, what)
	case errors.As(err, &apiErr) && (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden):
		return fmt.Errorf("%w (%v)", ErrTokenRefused, apiErr)
	}
	return fmt.Errorf("%w: %s: %w", errSelection, what, err)
}
