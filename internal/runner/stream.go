package runner

import (
	"context"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// listingStream is a listing walked in the background, its recordings handed on page by page: at the
// API's pace a long listing takes a while, and the pipeline need not wait for its last page. The
// listing is sorted by invoked time, so pages come roughly in the order their media expires; each page
// is put in expiry order before it is handed on. Nothing of a page is kept once it is handed on: the
// walk remembers the IDs it saw, the pipeline's queue holds what it has not started yet.
type listingStream struct {
	jobs  chan archiver.Job // closed when the walk ends
	first chan error        // the walk's first answer: nil once a page (or the end) came
	done  chan struct{}
	err   error         // how the walk ended; read after done
	took  time.Duration // how long it took; read after done

	answered bool // the first answer was given; only the walking goroutine touches it
}

func newListingStream() *listingStream {
	return &listingStream{jobs: make(chan archiver.Job, 4096), first: make(chan error, 1), done: make(chan struct{})}
}

// answer gives the walk's first answer, once; later calls do nothing. Called by the walking goroutine.
func (s *listingStream) answer(err error) {
	if !s.answered {
		s.answered = true
		s.first <- err
	}
}

func (r *run) streamListing(ctx context.Context) *listingStream {
	s := newListingStream()
	sel := r.cfg.Selection
	go func() {
		defer close(s.done)
		defer close(s.jobs)
		start := time.Now()
		answer := s.answer
		listed, refused, kept := 0, 0, 0
		err := r.walkSlices(ctx, fetch.ListOptions{Since: sel.Since, Until: sel.Until, MeetingID: sel.MeetingID},
			func(fresh []fetch.Recording, bad []fetch.Invalid, part slice) error {
				answer(nil)
				page := make([]archiver.Job, 0, len(fresh)+len(bad))
				for i := range fresh {
					if part.owns(fresh[i].InvokedTime) {
						// A copy of its own: a job waiting in the queue must not keep its whole page alive.
						rec := fresh[i]
						page = append(page, archiver.Job{ID: rec.ID, Listed: &rec})
					}
				}
				for _, b := range bad {
					page = append(page, archiver.Job{ID: b.ID, Reject: b.Reason})
				}
				listed, refused, kept = listed+len(fresh), refused+len(bad), kept+len(page)
				for _, j := range archiver.Order(page) {
					select {
					case s.jobs <- j:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			})
		s.took = time.Since(start)
		if err != nil {
			err = selectionError("listing recordings", err)
		}
		s.err = err
		answer(err)
		r.log.Info("selected recordings", "count", kept, "refused", refused, "since", sel.Since, "until", sel.Until)
		if sel.Shard.N > 1 {
			r.log.Info("sharded", "shard", sel.Shard.String(), "recordings", kept, "listed", listed+refused)
		}
	}()
	return s
}

// walkSlices walks this shard's slices of the window (the whole window when unsharded), handing each
// page's new recordings and refusals to onPage with the slice they were listed for.
func (r *run) walkSlices(ctx context.Context, base fetch.ListOptions, onPage func([]fetch.Recording, []fetch.Invalid, slice) error) error {
	sel := r.cfg.Selection
	parts, err := shardSlices(ctx, r.cfg.Client, sel.Shard, base, r.cfg.Now())
	if err != nil {
		return err
	}
	if sel.Shard.N > 1 {
		names := make([]string, len(parts))
		for i, p := range parts {
			names[i] = p.String()
		}
		r.log.Info("shard's part of the listing", "shard", sel.Shard.String(), "slices", names)
	}
	for _, part := range parts {
		opt := part.query(base)
		opt.OnPage = func(fresh []fetch.Recording, bad []fetch.Invalid) error { return onPage(fresh, bad, part) }
		if _, err := r.cfg.Client.List(ctx, opt); err != nil {
			return err
		}
	}
	return nil
}

// firstPage waits for the walk's first answer.
func (s *listingStream) firstPage() error { return <-s.first }

// drain takes what is left and waits for the walk to end.
func (s *listingStream) drain() {
	for range s.jobs {
	}
	<-s.done
}
