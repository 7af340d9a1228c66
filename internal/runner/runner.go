// Package runner is one run's lifecycle: the manifest's lock, the selection of recordings, the skip
// list, the pipeline under a graceful stop, the manifest's copies and its close. Package main only
// parses flags, builds the parts and prints the outcome.
package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// Config is one run.
type Config struct {
	Client    *fetch.Client
	Router    archiver.Router
	Selection Selection
	Manifest  string        // the local manifest's path; an existing one is extended
	Copy      *ManifestCopy // the manifest_destination; nil for none
	CopyEvery time.Duration // how often Copy is refreshed during the run
	// Pipeline holds the pipeline's own settings (Concurrency, DryRun, Plan, Overwrite,
	// ExpiryHorizon, ...); Run fills in the rest.
	Pipeline archiver.Config
	// Stop, when closed, asks the run to stop: the selection ends at once, no new recording starts,
	// files in flight get Grace to finish. Cancelling ctx aborts them at once.
	Stop  <-chan struct{}
	Grace time.Duration
	// Progress, when set, is started with the run's summary once the pipeline starts and stopped
	// when it ends.
	Progress func(*archiver.Summary) (stop func())
	Now      func() time.Time // the clock expiries are judged by; default time.Now
	Logger   *slog.Logger
}

// Result is what a run did. Summary is nil when the run ended before the pipeline started.
type Result struct {
	Summary *archiver.Summary
	Select  time.Duration // time spent selecting recordings
}

// ErrInterrupted means the run was stopped (by Stop or ctx) before it had handled everything; the
// manifest holds what finished.
var ErrInterrupted = errors.New("stopped by signal")

// ConfigError is a problem of the run's setup that no retry fixes (the manifest is held by another
// run, unreadable or a symlink): nothing was archived.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// run is one Run in progress.
type run struct {
	cfg Config
	log *slog.Logger
}

// Run does the run. Per-recording problems are in the manifest and the summary; the error is for what
// stopped the run itself: ErrInterrupted, ErrTokenRefused, a *ConfigError, or a failure to write the
// manifest or to walk the listing.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &run{cfg: cfg, log: cfg.Logger}
	dry := cfg.Pipeline.DryRun
	if !dry { // a dry run writes nothing, so it needs no lock: it may run beside a real one
		lock, err := manifest.Acquire(cfg.Manifest)
		if err != nil {
			return Result{}, &ConfigError{err}
		}
		defer lock.Release()
	}
	// Nothing is written before the selection has an answer: a refused token or a stop leaves
	// everything as it was. A listing streams: its first page is the answer, and the pipeline starts
	// on it while later pages come.
	started := time.Now()
	sctx, cancelSelect := untilStop(ctx, cfg.Stop)
	defer cancelSelect()
	stream := r.streamBackfill
	if !cfg.Selection.Backfill {
		stream = r.streamListing
	}
	selection := stream(sctx)
	err := selection.firstPage()
	res := Result{Select: time.Since(started)}
	if err != nil {
		selection.drain()
		return res, err
	}
	previous, err := r.skipList(ctx)
	if err == nil && !dry {
		cfg.Pipeline.Manifest, err = manifest.Create(cfg.Manifest)
	}
	if err != nil {
		cancelSelect()
		selection.drain()
		return res, err
	}
	p := cfg.Pipeline
	p.Client, p.Router, p.Previous, p.Logger, p.Stop, p.Now = cfg.Client, cfg.Router, previous, r.log, cfg.Stop, cfg.Now
	p.Backfill = cfg.Selection.Backfill
	res.Summary, err = r.pipeline(ctx, p, func(ctx context.Context, p archiver.Config, sum *archiver.Summary) (*archiver.Summary, error) {
		return archiver.RunFeed(ctx, p, selection.jobs, sum)
	})
	selection.drain()
	res.Select = selection.took
	if lerr := selection.err; lerr != nil && !errors.Is(err, ErrInterrupted) {
		err = cmpErr(err, lerr) // the listing broke off after its first page: loud, exit 1
	}
	return res, err
}

// skipList reads what earlier runs archived, as far as this run can need it (see window): the local
// manifest's index, seeded from the manifest_destination's state on a fresh pod. Damaged lines are
// skipped and said.
func (r *run) skipList(ctx context.Context) (manifest.Index, error) {
	dry := r.cfg.Pipeline.DryRun
	if r.cfg.Copy != nil && !dry {
		if err := r.cfg.Copy.seed(ctx, r.cfg.Manifest, r.cfg.Now()); err != nil {
			return manifest.Index{}, err
		}
	}
	started := time.Now()
	previous, info, err := manifest.LoadIndex(r.cfg.Manifest, r.window())
	if err != nil {
		return manifest.Index{}, &ConfigError{fmt.Errorf("--manifest: %w", err)}
	}
	for _, d := range info.Problems {
		r.log.Warn("skipping a damaged manifest line", "manifest", r.cfg.Manifest, "line", d.Line, "problem", d.Reason)
	}
	if info.Why != "" {
		r.log.Info("rebuilt the manifest's index", "index", manifest.IndexPath(r.cfg.Manifest), "why", info.Why)
	}
	r.log.Info("read the manifest's index", "bytes_read", info.Read, "rebuilt", info.Rebuilt, "took_seconds", time.Since(started).Seconds())
	if !dry && !r.cfg.Selection.Backfill && (info.Read > 0 || info.Rebuilt) {
		// Saved before anything is archived: a run killed later starts the next one from here.
		if err := previous.Save(r.cfg.Manifest); err != nil {
			r.log.Warn("the manifest's index was not saved; the next run reads the manifest again", "error", err)
		}
	}
	return previous, nil
}

// IndexMargin widens the lines a run reads beyond its listing window: a line is written after its
// recording was made, by a clock that may differ from RealtimeKit's.
const IndexMargin = 24 * time.Hour

// window is what of the manifest the run can need: the lines written since its listing window opened
// (never less than the default catch-up window, so that the saved index serves the next nightly run),
// and for a backfill also every line of the recordings it names.
func (r *run) window() manifest.Window {
	sel := r.cfg.Selection
	since := r.cfg.Now().Add(-CatchUpWindow)
	if !sel.Backfill && !sel.Since.IsZero() && sel.Since.Before(since) {
		since = sel.Since
	}
	w := manifest.Window{Since: since.Add(-IndexMargin)}
	if sel.Backfill {
		w.IDs = make([]string, 0, len(sel.IDs))
		for _, j := range sel.IDs {
			w.IDs = append(w.IDs, j.ID)
		}
	}
	return w
}

// closeManifest closes the manifest, brings the index file up to it, this run's lines included (the
// next run, and a fresh pod through the state, start from it), and writes the sidecar from the digest
// the index carries. A backfill's index holds only its recordings: the window's is loaded for it.
func (r *run) closeManifest(w *manifest.Writer, previous manifest.Index) error {
	if err := w.CloseLines(); err != nil {
		return err
	}
	x := previous
	var err error
	if r.cfg.Selection.Backfill {
		x, _, err = manifest.LoadIndex(r.cfg.Manifest, manifest.Window{Since: r.cfg.Now().Add(-CatchUpWindow - IndexMargin)})
	} else {
		_, err = x.CatchUp(r.cfg.Manifest)
	}
	if err == nil {
		err = x.Save(r.cfg.Manifest)
	}
	if err != nil {
		r.log.Warn("the manifest's index was not saved; the next run reads the manifest again", "error", err)
		return manifest.WriteSidecar(r.cfg.Manifest)
	}
	return x.WriteSidecar(r.cfg.Manifest)
}

// pipeline runs the archiver under the graceful stop, keeps the manifest's copy fresh, closes the
// manifest with its index and sidecar, and sends the last segment and the state to the copy: the
// periodic copy is joined before the final one.
func (r *run) pipeline(ctx context.Context, p archiver.Config, run func(context.Context, archiver.Config, *archiver.Summary) (*archiver.Summary, error)) (*archiver.Summary, error) {
	work, stopped, cancel := graceful(ctx, r.cfg.Stop, r.cfg.Grace, r.log)
	defer cancel()
	stopCopies := func() {}
	if r.cfg.Copy != nil && p.Manifest != nil {
		r.cfg.Copy.start(p.Manifest)
		stopCopies = r.cfg.Copy.startEvery(work, r.cfg.CopyEvery, p.Manifest)
	}
	sum := archiver.NewSummary()
	stopProgress := func() {}
	if r.cfg.Progress != nil && !p.DryRun {
		stopProgress = r.cfg.Progress(sum)
	}
	sum, runErr := run(work, p, sum)
	stopProgress()
	stopCopies()
	if p.Manifest == nil {
		return ended(ctx, stopped, sum, runErr)
	}
	runErr = cmpErr(runErr, r.closeManifest(p.Manifest, p.Previous))
	if r.cfg.Copy != nil {
		// The last segment and the state go out even after a stop: they are what survives the pod.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		if err := r.cfg.Copy.finish(uctx, r.cfg.Manifest, r.cfg.Now()); err != nil {
			r.log.Error("the manifest was not copied to manifest_destination", "error", err)
			runErr = cmpErr(runErr, err)
		}
		cancel()
	}
	return ended(ctx, stopped, sum, runErr)
}

// ended says how the pipeline ended: interrupted, or with runErr.
func ended(ctx context.Context, stopped func() bool, sum *archiver.Summary, runErr error) (*archiver.Summary, error) {
	if stopped() || ctx.Err() != nil {
		return sum, fmt.Errorf("%w: the manifest holds what finished; run again to archive the rest", ErrInterrupted)
	}
	return sum, runErr
}

// cmpErr keeps the first error.
func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}
