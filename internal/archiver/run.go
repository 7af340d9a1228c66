// Package archiver is the pipeline: it takes the selected recordings, fetches each one's details right
// before downloading, streams its files to the destination the Router picks, and writes the manifest.
package archiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// Config is what one run needs.
type Config struct {
	Client      *fetch.Client
	Router      Router
	Manifest    *manifest.Writer // nil only in a dry run
	Previous    manifest.Index   // what earlier runs archived, from the manifest being extended
	Concurrency int              // recordings in flight; default 4
	DryRun      bool             // plan and print to Plan, write nothing
	Plan        io.Writer        // where a dry run prints its plan
	Overwrite   bool             // replace a different object found at a key instead of failing
	Logger      *slog.Logger
	// FileRetries is the attempts per file for a failure that may pass (a destination's transient
	// error, a download that could not be resumed); each attempt downloads again. Default 2. A
	// permanent refusal is never tried again.
	FileRetries int
	RetryDelay  time.Duration // before the second attempt of a file, doubling after; default 1 s
	// FileTimeout (--file-timeout) bounds each attempt of a file, its download and its upload together:
	// the upload's last requests come after the download ended. Unbounded when 0 (the sink's request
	// deadlines still end every request).
	FileTimeout time.Duration
	// ExpiryHorizon: a ready recording left unarchived whose media expires within this long is reported
	// as at risk; default 48 h.
	ExpiryHorizon time.Duration
	// Stop, when closed, stops the start of new recordings; the ones in flight go on until ctx ends.
	Stop <-chan struct{}
	// Now is the clock expiries are judged by; default time.Now.
	Now func() time.Time
	// Backfill says the recordings were asked for by name (an ID file): a loss fails every run that
	// names it, not only the first that sees it.
	Backfill bool
	// Artifacts are the session artifact kinds (manifest.KindTranscript, ...) archived with each
	// uploaded recording that has a session; none when empty.
	Artifacts []string
}

// Job is one selected recording.
type Job struct {
	ID     string
	Listed *fetch.Recording // the listing's view, when selected by listing (used for ordering)
	Reject string           // set when the selection itself is bad (e.g. not a UUID): fail with this reason
}

// expiry is when the job's media expires, as far as the selection knows; zero when unknown.
func (j Job) expiry() time.Time {
	if j.Listed == nil {
		return time.Time{}
	}
	return j.Listed.DownloadURLExpiry
}

// Run archives every job and returns the summary. Per-recording problems are in the manifest and the
// summary, not in the error: the error is for what stops the run itself (the manifest cannot be written,
// or ctx ended).
func Run(ctx context.Context, cfg Config, jobs []Job) (*Summary, error) {
	in := make(chan Job, len(jobs))
	for _, j := range jobs {
		in <- j
	}
	close(in)
	return RunFeed(ctx, cfg, in, NewSummary())
}

// RunFeed is Run for jobs that arrive while the run goes on (the pages of a listing), reporting into
// sum, which a progress display may read meanwhile: a free worker takes the job whose media expires
// first among all that have arrived (see dispatch). The sender closes in when no more come, and also
// when the run is stopped: what is still in it then is reported as not reached.
func RunFeed(ctx context.Context, cfg Config, in <-chan Job, sum *Summary) (*Summary, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.FileRetries <= 0 {
		cfg.FileRetries = 2
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = time.Second
	}
	if cfg.ExpiryHorizon <= 0 {
		cfg.ExpiryHorizon = 48 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if !cfg.DryRun && cfg.Manifest == nil {
		return nil, errors.New("archiver: no manifest")
	}
	if cfg.Plan != nil {
		cfg.Plan = &lockedWriter{w: cfg.Plan}
	}
	a := &archiver{cfg: cfg, log: cfg.Logger, sum: sum}

	g, gctx := errgroup.WithContext(ctx)
	feed := make(chan Job)
	var held []Job // taken but never handed to a worker; read after Wait
	g.Go(func() error {
		held = dispatch(gctx, cfg.Stop, in, feed, func() { sum.planned.Add(1) })
		return nil
	})
	for range cfg.Concurrency {
		g.Go(func() error {
			for j := range feed {
				if err := a.recording(gctx, j); err != nil {
					return err
				}
			}
			return nil
		})
	}
	err := g.Wait()
	for j := range in { // what the sender still had when the run stopped
		sum.planned.Add(1)
		held = append(held, j)
	}
	for _, j := range held {
		if j.Reject == "" {
			a.atRisk(a.log.With("recording_id", j.ID), j.ID, j.expiry(), "not reached: the run stopped before it")
		}
	}
	sum.Finished = time.Now()
	if err == nil {
		err = ctx.Err()
	}
	return sum, err
}

// Order puts the recordings whose media disappears first at the front; unknown expiries go last, in
// their given order.
func Order(jobs []Job) []Job {
	q := &deadlineQueue{}
	for _, j := range jobs {
		q.add(j)
	}
	return q.rest()
}

// archiver holds what the workers share.
type archiver struct {
	cfg Config
	log *slog.Logger
	sum *Summary
	// sessions de-duplicates session artifacts between the recordings of one run (artifacts.go).
	sessions sessionClaims
}

func (a *archiver) now() time.Time { return a.cfg.Now() }

// record writes one manifest line and counts it. A manifest that cannot be written stops the run: going
// on would archive files no manifest can prove.
func (a *archiver) record(e manifest.Entry) error {
	if !a.cfg.DryRun {
		if err := a.cfg.Manifest.Write(e); err != nil {
			return fmt.Errorf("writing the manifest: %w", err) // not counted: the summary counts what the manifest holds
		}
	}
	var archived int64
	if e.Status == manifest.StatusArchived {
		archived = e.Size
	}
	a.sum.addFile(e.Status, archived)
	return nil
}
