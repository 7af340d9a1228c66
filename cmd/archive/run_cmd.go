package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// runCommand is `archive run`.
func runCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	opts, err := parseRunFlags("run", args, getenv, stderr, time.Now())
	if err != nil {
		return err
	}
	return archiveRun(ctx, opts, getenv, stdin, stdout, stderr)
}

// archiveRun does the job: everything is checked before anything is written.
func archiveRun(ctx context.Context, opts *runOptions, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	if opts.ConfigFile != "" {
		var err error
		if cfg, err = loadConfig(opts.ConfigFile); err != nil {
			return &usageError{err}
		}
	}
	return archiveRunWith(ctx, opts, cfg, getenv, stdin, stdout, stderr)
}

func archiveRunWith(ctx context.Context, opts *runOptions, cfg *fileConfig, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	stderr = &syncWriter{w: stderr} // the logger and the progress line share it
	log := newLogger(opts.LogFormat, stderr)
	rate := opts.APIRate
	if rate == 0 {
		rate = -1 // the client's "unpaced"
	}
	client, err := newClient(opts, rate, log)
	if err != nil {
		return usagef("%v", err)
	}
	var jobs []archiver.Job
	if opts.IDsFile != "" { // read before anything is written: a bad ID file is bad usage
		if jobs, err = readIDs(opts.IDsFile, stdin); err != nil {
			return err
		}
	}
	if !opts.DryRun { // a dry run writes nothing, so it needs no lock: it may run beside a real one
		lock, err := manifest.Acquire(opts.Manifest)
		if err != nil {
			return &usageError{err}
		}
		defer lock.Release()
	}
	// Select before anything is written: a refused token or a signal leaves everything as it was.
	sctx, cancelSelect := untilSignal(ctx)
	if opts.IDsFile == "" {
		jobs, err = listJobs(sctx, client, opts, log)
	} else {
		err = orderBackfill(sctx, client, jobs, opts, log)
	}
	cancelSelect()
	if err != nil {
		return err
	}
	router := newRouter(cfg, getenv)
	defer router.Close()
	var mcopy *manifestCopy
	if cfg.ManifestDestination != nil && !opts.DryRun {
		if mcopy, err = newManifestCopy(ctx, router, cfg.ManifestDestination, opts.Shard, log); err != nil {
			return err
		}
		if err := mcopy.seed(ctx, opts.Manifest); err != nil {
			return err
		}
	}
	previous, damaged, err := manifest.ReadChecked(opts.Manifest)
	if err != nil {
		return usagef("--manifest: %v", err)
	}
	for _, d := range damaged {
		log.Warn("skipping a damaged manifest line", "manifest", opts.Manifest, "line", d.Line, "problem", d.Reason)
	}
	if opts.Shard.N > 1 {
		all := len(jobs)
		jobs = opts.Shard.filter(jobs)
		log.Info("sharded", "shard", opts.Shard.String(), "recordings", len(jobs), "of", all)
	}
	runCfg := archiver.Config{
		Client:      client,
		Router:      router,
		Previous:    manifest.NewIndex(previous),
		Concurrency: opts.Concurrency,
		DryRun:      opts.DryRun,
		Plan:        stdout,
		Overwrite:   opts.Overwrite,
		Logger:      log,
		Artifacts:   opts.Artifacts,
	}
	if !opts.DryRun {
		w, err := manifest.Create(opts.Manifest)
		if err != nil {
			return err
		}
		runCfg.Manifest = w
	}
	work, stopped, cancel := graceful(ctx, opts.Grace, log)
	defer cancel()
	runCfg.Stop = stopChannel(ctx)
	runCfg.ExpiryHorizon = opts.ExpiryWindow
	runCfg.Now = opts.now
	stopCopies := func() {}
	if mcopy != nil {
		stopCopies = mcopy.startEvery(work, opts.ManifestEvery, runCfg.Manifest)
	}
	sum := archiver.NewSummary()
	stopProgress := func() {}
	if !opts.DryRun {
		stopProgress = startProgress(opts.Progress, opts.ProgressEvery, stderr, log, sum)
	}
	sum, runErr := archiver.RunWith(work, runCfg, jobs, sum)
	stopProgress()
	stopCopies() // joined first: a periodic copy still in flight must not land after the final one
	if mcopy != nil {
		// Even after a signal: the copy is what survives the pod.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		if err := mcopy.upload(uctx, runCfg.Manifest); err != nil {
			log.Error("the manifest was not copied to manifest_destination", "error", err)
			if runErr == nil {
				runErr = err
			}
		}
		cancel()
	}
	if runCfg.Manifest != nil {
		if err := runCfg.Manifest.Close(); err != nil && runErr == nil {
			runErr = err
		}
	}
	if sum != nil {
		printSummary(stdout, sum, opts)
		if opts.Pushgateway != "" && !opts.DryRun {
			// A run that archived fine but could not report is still a good run: log, don't fail.
			if err := pushMetrics(context.WithoutCancel(ctx), opts.Pushgateway, sum, opts.Shard); err != nil {
				log.Error("metrics not pushed", "error", err)
			}
		}
	}
	switch {
	case stopped() || ctx.Err() != nil:
		return fmt.Errorf("%w: the manifest holds what finished; run again to archive the rest", errInterrupted)
	case runErr != nil:
		return runErr
	case sum.Failed() > 0:
		return fmt.Errorf("%w: %d of %d recordings (see the manifest %s)", errSomeFailed, sum.Failed(), sum.Total(), opts.Manifest)
	}
	return nil
}

// newLogger builds the one logger of the run: text on a terminal, JSON otherwise, unless told.
func newLogger(format string, stderr io.Writer) *slog.Logger {
	if format == "" {
		format = "json"
		if isTerminal(stderr) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(stderr, nil))
	}
	return slog.New(slog.NewJSONHandler(stderr, nil))
}

// syncWriter serializes writes from the logger and the progress display.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
