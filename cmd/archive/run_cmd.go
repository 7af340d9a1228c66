package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/termsafe"
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
	client, err := fetch.New(fetch.Config{BaseURL: opts.APIURL, AccountID: opts.AccountID, AppID: opts.AppID, Token: opts.Token, RequestsPerSecond: rate, StallTimeout: opts.StallTimeout, Logger: log})
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
	router := newRouter(cfg, getenv)
	var mcopy *manifestCopy
	if cfg.ManifestDestination != nil && !opts.DryRun {
		if mcopy, err = newManifestCopy(ctx, router, cfg.ManifestDestination, opts.Shard, log); err != nil {
			return err
		}
		if err := mcopy.seed(ctx, opts.Manifest); err != nil {
			return err
		}
	}
	previous, err := manifest.Read(opts.Manifest)
	if err != nil {
		return usagef("--manifest: %v", err)
	}

	if opts.IDsFile == "" {
		if jobs, err = listJobs(ctx, client, opts, log); err != nil {
			return err
		}
	} else if !opts.DryRun {
		orderBackfill(ctx, client, jobs, log)
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
	if mcopy != nil {
		go mcopy.every(work, opts.ManifestEvery, runCfg.Manifest)
	}
	sum := archiver.NewSummary()
	stopProgress := func() {}
	if !opts.DryRun {
		stopProgress = startProgress(opts.Progress, opts.ProgressEvery, stderr, log, sum)
	}
	sum, runErr := archiver.RunWith(work, runCfg, jobs, sum)
	stopProgress()
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

// listJobs selects the recordings of the listing window.
func listJobs(ctx context.Context, client *fetch.Client, opts *runOptions, log *slog.Logger) ([]archiver.Job, error) {
	recs, err := client.List(ctx, fetch.ListOptions{Since: opts.Since, Until: opts.Until, MeetingID: opts.MeetingID})
	if err != nil {
		return nil, fmt.Errorf("listing recordings: %w", err)
	}
	jobs := make([]archiver.Job, len(recs))
	for i := range recs {
		jobs[i] = archiver.Job{ID: recs[i].ID, Listed: &recs[i]}
	}
	log.Info("selected recordings", "count", len(jobs), "since", opts.Since, "until", opts.Until)
	return jobs, nil
}

// mediaLifetime is how long RealtimeKit keeps a recording's media: only recordings this young can be
// saved at all, and they are the ones whose order matters.
const mediaLifetime = 7 * 24 * time.Hour

// orderBackfill gives a backfill's jobs the expiry the listing knows for them, so the archiver can
// take the recordings that disappear first first. One listing of the last 8 days costs a page of API
// calls per 100 recordings, instead of a detail call per ID up front. Jobs the listing does not know
// (older media, or a listing that fails) keep their order in the file, after the others.
func orderBackfill(ctx context.Context, client *fetch.Client, jobs []archiver.Job, log *slog.Logger) {
	recs, err := client.List(ctx, fetch.ListOptions{Since: time.Now().Add(-mediaLifetime - 24*time.Hour)})
	if err != nil {
		log.Warn("could not list recent recordings to order the backfill by expiry; keeping the file's order", "error", err)
		return
	}
	byID := make(map[string]*fetch.Recording, len(recs))
	for i := range recs {
		byID[strings.ToLower(recs[i].ID)] = &recs[i]
	}
	for i := range jobs {
		if rec, ok := byID[jobs[i].ID]; ok && jobs[i].Reject == "" {
			jobs[i].Listed = rec
		}
	}
}

func printSummary(w io.Writer, s *archiver.Summary, opts *runOptions) {
	elapsed := s.Finished.Sub(s.Started)
	abs, _ := filepath.Abs(opts.Manifest)
	if opts.JSON {
		type failure struct {
			RecordingID string    `json:"recording_id"`
			Reason      string    `json:"reason"`
			Expiry      time.Time `json:"expiry,omitzero"`
		}
		conv := func(fs []archiver.Failure) []failure {
			out := []failure{}
			for _, f := range fs {
				out = append(out, failure{f.RecordingID, f.Reason, f.Expiry})
			}
			return out
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(map[string]any{
			"dry_run":    opts.DryRun,
			"recordings": s.Recordings,
			"files":      s.Files,
			"bytes":      s.Bytes,
			"seconds":    elapsed.Seconds(),
			"failures":   conv(s.Failures),
			"at_risk":    conv(s.AtRisk),
			"manifest":   abs,
			"shard":      opts.Shard.String(),
		})
		return
	}
	if opts.DryRun {
		fmt.Fprintf(w, "dry run: %d recordings planned, %d pending, %d skipped, %d failed; nothing was written\n",
			s.Recordings["planned"], s.Recordings["pending"], s.Recordings["skipped"], s.Recordings["failed"])
		return
	}
	rate := 0.0
	if secs := elapsed.Seconds(); secs > 0 {
		rate = float64(s.Bytes) / 1e6 / secs
	}
	fmt.Fprintf(w, "recordings: %d archived, %d present, %d pending, %d skipped, %d failed (of %d)\n",
		s.Recordings["archived"], s.Recordings["present"], s.Recordings["pending"], s.Recordings["skipped"], s.Recordings["failed"], s.Total())
	fmt.Fprintf(w, "files: %d archived, %d present, %d failed; %.1f MB in %s (%.1f MB/s)\n",
		s.Files[manifest.StatusArchived], s.Files[manifest.StatusPresent], s.Files[manifest.StatusFailed], float64(s.Bytes)/1e6, elapsed.Round(time.Millisecond), rate)
	for _, f := range s.Failures {
		fmt.Fprintf(w, "failed: %s: %s\n", termsafe.String(f.RecordingID), termsafe.String(f.Reason))
	}
	if len(s.AtRisk) > 0 {
		fmt.Fprintf(w, "AT RISK: %d ready recordings are not archived and their media expires within %s:\n", len(s.AtRisk), opts.ExpiryWindow)
		for _, f := range s.AtRisk {
			fmt.Fprintf(w, "  %s expires %s (%s left): %s\n", termsafe.String(f.RecordingID), f.Expiry.UTC().Format(time.RFC3339), time.Until(f.Expiry).Round(time.Minute), termsafe.String(f.Reason))
		}
	}
	fmt.Fprintf(w, "manifest: %s (check it with: sha256sum -c %s.sha256)\n", abs, filepath.Base(opts.Manifest))
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
