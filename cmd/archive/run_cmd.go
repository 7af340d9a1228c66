package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/runner"
)

// runCommand is `archive run`. stop is closed by a first SIGINT/SIGTERM/SIGHUP; ctx ends with a second one.
func runCommand(ctx context.Context, stop <-chan struct{}, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	opts, err := parseRunFlags("run", args, getenv, stdout, time.Now())
	if err != nil {
		return err
	}
	err = configAndRun(ctx, stop, opts, getenv, stdin, stdout, stderr)
	var usage *usageError
	if errors.As(err, &usage) && opts.Pushgateway != "" && !opts.DryRun {
		// Exit 2 repeats every night until someone fixes it: say so where the alerts look.
		if perr := pushConfigError(context.WithoutCancel(ctx), opts.Pushgateway, opts.Shard, opts.now()); perr != nil {
			fmt.Fprintln(stderr, "archive: metrics not pushed:", perr)
		}
	}
	return err
}

func configAndRun(ctx context.Context, stop <-chan struct{}, opts *runOptions, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	if opts.ConfigFile != "" {
		var err error
		if cfg, err = loadConfig(opts.ConfigFile); err != nil {
			return &usageError{err}
		}
	}
	return archiveRunWith(ctx, stop, opts, cfg, getenv, stdin, stdout, stderr)
}

// archiveRunWith builds the run's parts from the options and the config, runs it, and reports: the
// summary, the metrics, and the error that decides the exit status.
func archiveRunWith(ctx context.Context, stop <-chan struct{}, opts *runOptions, cfg *fileConfig, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	logs := stderr
	stderr = &syncWriter{w: stderr} // the logger and the progress line share it
	if opts.Overwrite {
		if err := refuseOverwrite(cfg); err != nil {
			return err
		}
	}
	log := newLogger(opts.LogFormat, opts.LogLevel, stderr, "run_id", newRunID(), "version", version, "shard", shardLabel(opts.Shard))
	rate, burst := opts.Shard.Budget(opts.APIRate, opts.APIBurst)
	if rate == 0 {
		rate = -1 // the client's "unpaced"
	}
	client, err := newClient(opts, rate, burst, log)
	if err != nil {
		return usagef("%v", err)
	}
	sel := runner.Selection{Since: opts.Since, Until: opts.Until, MeetingID: opts.MeetingID, Shard: opts.Shard}
	if opts.IDsFile != "" { // read before anything is written: a bad ID file is bad usage
		if sel.IDs, err = readIDs(opts.IDsFile, stdin); err != nil {
			return err
		}
		sel.Backfill = true
	}
	router := newRouter(cfg, getenv)
	defer router.Close()
	var mcopy *runner.ManifestCopy
	if m := cfg.ManifestDestination; m != nil && !opts.DryRun {
		s, err := router.sink(ctx, m.Type, m.destination)
		if err != nil {
			return fmt.Errorf("manifest_destination: %w", err)
		}
		mcopy = runner.NewManifestCopy(s, m.keyPrefix(), opts.Shard, log)
	}
	res, runErr := runner.Run(ctx, runner.Config{
		Client:    client,
		Router:    router,
		Selection: sel,
		Manifest:  opts.Manifest,
		Copy:      mcopy,
		CopyEvery: opts.ManifestEvery,
		Pipeline: archiver.Config{
			Concurrency:   opts.Concurrency,
			DryRun:        opts.DryRun,
			Plan:          stdout,
			Overwrite:     opts.Overwrite,
			ExpiryHorizon: opts.ExpiryWindow,
			Artifacts:     opts.Artifacts,
			FileTimeout:   opts.FileTimeout,
		},
		Stop:  stop,
		Grace: opts.Grace,
		Progress: func(sum *archiver.Summary) func() {
			return startProgress(opts.Progress, opts.ProgressEvery, stderr, log, sum)
		},
		Now:    opts.now,
		Logger: log,
	})
	var cfgErr *runner.ConfigError
	switch {
	case errors.Is(runErr, runner.ErrTokenRefused):
		return usagef("%v: CLOUDFLARE_API_TOKEN or --api-token-file must hold an API token with the Realtime or Realtime Admin permission for account %s, app %s", runErr, opts.AccountID, opts.AppID)
	case errors.As(runErr, &cfgErr):
		return &usageError{runErr}
	}
	sum := res.Summary
	if sum == nil {
		return runErr
	}
	printSummary(stdout, sum, opts, runErr)
	noteDroppedLogs(stdout, logs, opts)
	if opts.Pushgateway != "" && !opts.DryRun {
		// A run that archived fine but could not report is still a good run: log, don't fail.
		times := runTimes{Started: sum.Started.Add(-res.Select), Select: res.Select}
		if err := pushMetrics(context.WithoutCancel(ctx), opts.Pushgateway, sum, opts.Shard, times, opts.now()); err != nil {
			log.Error("metrics not pushed", "error", err)
		}
	}
	switch {
	case runErr != nil:
		return runErr
	case sum.Failed() > 0:
		return fmt.Errorf("%w: %d of %d recordings (see the manifest %s)", errSomeFailed, sum.Failed(), sum.Total(), opts.Manifest)
	}
	return nil
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
