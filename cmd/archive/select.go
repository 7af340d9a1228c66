package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// mediaLifetime is how long RealtimeKit keeps a recording's media after its upload.
const mediaLifetime = 7 * 24 * time.Hour

// catchUpWindow is how far back the default listing reaches: the media lifetime, plus a day for a
// recording that ran up to 24 h before its upload started the 7 days, plus a day's margin for the
// undocumented timestamp the listing filters on. Every run so looks at everything RealtimeKit may still
// hold, and missed nights, pending recordings and late uploads are caught up by the next run.
const catchUpWindow = mediaLifetime + 2*24*time.Hour

// untilSignal returns a context that also ends at the first SIGINT/SIGTERM: selecting recordings has
// nothing in flight worth a grace period, so a signal stops it at once.
func untilSignal(ctx context.Context) (context.Context, context.CancelFunc) {
	sctx, cancel := context.WithCancel(ctx)
	stop := stopChannel(ctx)
	go func() {
		select {
		case <-stop:
			cancel()
		case <-sctx.Done():
		}
	}()
	return sctx, cancel
}

// listJobs selects the recordings of the listing window. Items the listing could not use become jobs
// that fail with the reason, so the rest is archived and the run still says what it could not do.
func listJobs(ctx context.Context, client *fetch.Client, opts *runOptions, log *slog.Logger) ([]archiver.Job, error) {
	listing, err := client.List(ctx, fetch.ListOptions{Since: opts.Since, Until: opts.Until, MeetingID: opts.MeetingID})
	if err != nil {
		return nil, selectionError("listing recordings", err, opts)
	}
	jobs := make([]archiver.Job, 0, len(listing.Recordings)+len(listing.Invalid))
	for i := range listing.Recordings {
		jobs = append(jobs, archiver.Job{ID: listing.Recordings[i].ID, Listed: &listing.Recordings[i]})
	}
	for _, bad := range listing.Invalid {
		jobs = append(jobs, archiver.Job{ID: bad.ID, Reject: bad.Reason})
	}
	log.Info("selected recordings", "count", len(listing.Recordings), "refused", len(listing.Invalid), "since", opts.Since, "until", opts.Until)
	return jobs, nil
}

// orderBackfill gives a backfill's jobs what the listing knows of them (their expiry, for the order,
// and whether an earlier run archived them), from one listing of everything RealtimeKit may still hold:
// a page of API calls per page of recordings, instead of a detail call per ID up front. Jobs the listing
// does not know (older media) keep their order in the file, after the others. A listing that fails for
// another reason than the token only costs the ordering.
func orderBackfill(ctx context.Context, client *fetch.Client, jobs []archiver.Job, opts *runOptions, log *slog.Logger) error {
	listing, err := client.List(ctx, fetch.ListOptions{Since: opts.now().Add(-catchUpWindow)})
	if err != nil {
		if serr := selectionError("listing recent recordings", err, opts); !errors.Is(serr, errSelection) {
			return serr
		}
		log.Warn("could not list recent recordings to order the backfill by expiry; keeping the file's order", "error", err)
		return nil
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
	return nil
}

// errSelection marks a selection failure that is neither a signal nor a refused token.
var errSelection = errors.New("selecting recordings failed")

// selectionError sorts out why selecting recordings failed: a signal (exit 130), a token the API
// refuses (bad configuration, exit 2, nothing written), or anything else (exit 1).
func selectionError(what string, err error, opts *runOptions) error {
	var apiErr *fetch.APIError
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w while %s", errInterrupted, what)
	case errors.As(err, &apiErr) && (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden):
		return usagef("the API refused the token (%v): CLOUDFLARE_API_TOKEN or --api-token-file must hold an API token with the Realtime or Realtime Admin permission for account %s, app %s", apiErr, opts.AccountID, opts.AppID)
	}
	return fmt.Errorf("%w: %s: %w", errSelection, what, err)
}
