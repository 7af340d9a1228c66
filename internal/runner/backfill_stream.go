package runner

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// streamBackfill is a backfill's selection as a stream, like a listing's: this shard's IDs (an ID file
// has no time order, so they go to shards by a stable hash), found in one walk of everything RealtimeKit
// may still hold, which tells their expiry and whether an earlier run archived them. A page's IDs are
// handed on as the page comes, so the pipeline's deadline queue starts on the most urgent at once
// instead of waiting for the whole walk; the IDs the walk did not find (older media, or another shard's
// slice of the window, which are fetched one by one when their turn comes) follow when it ends, in the
// file's order. A walk that fails for another reason than the token or a stop only costs the ordering.
func (r *run) streamBackfill(ctx context.Context) *listingStream {
	s := newListingStream()
	sel := r.cfg.Selection
	jobs := sel.IDs
	if sel.Shard.N > 1 {
		jobs = sel.Shard.filter(jobs)
		r.log.Info("sharded", "shard", sel.Shard.String(), "recordings", len(jobs), "of", len(sel.IDs))
	}
	go func() {
		defer close(s.done)
		defer close(s.jobs)
		start := time.Now()
		answer := s.answer
		send := func(j archiver.Job) error {
			select {
			case s.jobs <- j:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		wanted := make(map[string]int, len(jobs))
		for i, j := range jobs {
			if j.Reject == "" {
				wanted[j.ID] = i
			}
		}
		sent := make([]bool, len(jobs))
		err := r.walkSlices(ctx, fetch.ListOptions{Since: r.cfg.Now().Add(-CatchUpWindow)},
			func(fresh []fetch.Recording, _ []fetch.Invalid, _ slice) error {
				answer(nil)
				var page []archiver.Job
				for k := range fresh {
					if i, ok := wanted[strings.ToLower(fresh[k].ID)]; ok && !sent[i] {
						rec := fresh[k] // a copy of its own: a queued job must not keep its page alive
						j := jobs[i]
						j.Listed = &rec
						sent[i] = true
						page = append(page, j)
					}
				}
				for _, j := range archiver.Order(page) {
					if err := send(j); err != nil {
						return err
					}
				}
				return nil
			})
		s.took = time.Since(start)
		if err != nil {
			serr := selectionError("listing recent recordings", err)
			switch {
			case errors.Is(serr, ErrTokenRefused):
				s.err = serr
				answer(serr)
				return
			case errors.Is(serr, ErrInterrupted) && !s.answered:
				answer(serr) // stopped before anything was selected: nothing is written
				return
			case errors.Is(serr, errSelection):
				r.log.Warn("could not list recent recordings to order the backfill by expiry; the rest keeps the file's order", "error", err)
			}
		}
		answer(nil)
		// The rest goes on even after a stop: the pipeline reports what it never reached, by ID and at
		// risk, and whoever reads the stream drains it to its end.
		for i, j := range jobs {
			if !sent[i] {
				s.jobs <- j
			}
		}
	}()
	return s
}
