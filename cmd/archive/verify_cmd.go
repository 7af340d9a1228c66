package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

// verifyCommand is `archive verify`: re-read what a manifest lists as archived or present and check
// size and SHA-256 at each destination, by reading the bytes back (a stored checksum proves nothing
// about bytes that rotted after upload).
func verifyCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
	configFile := fs.String("config", getenv("ARCHIVE_CONFIG"), "destinations config file (env ARCHIVE_CONFIG)")
	manifestPath := fs.String("manifest", envDefault(getenv, "ARCHIVE_MANIFEST", "manifest.jsonl"), "manifest to verify (env ARCHIVE_MANIFEST)")
	sample := fs.Float64("sample", 100, "verify a random PERCENT of the objects (a cheap nightly audit)")
	concurrency := fs.Int("concurrency", 4, "objects read at once")
	logFormat := fs.String("log-format", "", "text or json; default text on a terminal, json otherwise")
	logLevel := fs.String("log-level", getenv("ARCHIVE_LOG_LEVEL"), "debug, info, warn or error (env ARCHIVE_LOG_LEVEL); default warn for text on a terminal, info otherwise")
	if err := parseFlags(fs, args, verifyHelp, stdout); err != nil {
		return err
	}
	if *sample <= 0 || *sample > 100 {
		return usagef("--sample %v: must be a percentage above 0 and at most 100", *sample)
	}
	if err := parseLogLevel(*logLevel); err != nil {
		return err
	}
	if *concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	cfg := defaultConfig()
	if *configFile != "" {
		var err error
		if cfg, err = loadConfig(*configFile); err != nil {
			return &usageError{err}
		}
	}
	entries, damaged, err := manifest.ReadChecked(*manifestPath)
	if err != nil {
		return usagef("--manifest: %v", err)
	}
	if entries == nil {
		return usagef("--manifest %s: no such manifest", *manifestPath)
	}
	log := newLogger(*logFormat, *logLevel, stderr, "run_id", newRunID(), "version", version)
	objects := manifest.NewIndex(entries).Objects()
	var todo []manifest.Entry
	for _, e := range objects {
		if *sample >= 100 || rand.Float64()*100 < *sample {
			todo = append(todo, e)
		}
	}
	if len(todo) == 0 && len(objects) > 0 {
		todo = append(todo, objects[rand.IntN(len(objects))])
	}

	r := newRouter(cfg, getenv)
	defer r.Close()
	var mu sync.Mutex
	var problems []string
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(*concurrency)
	for _, e := range todo {
		g.Go(func() error {
			if problem := verifyOne(gctx, r, e); problem != "" {
				log.Error("verify failed", "destination", e.Destination, "problem", problem)
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s: %s", e.Destination, problem))
				mu.Unlock()
			}
			return nil
		})
	}
	g.Wait()
	if ctx.Err() != nil {
		return errInterrupted
	}
	slices.Sort(problems)
	for _, d := range damaged {
		// The audit covers the manifest itself: a line that can't be read may be an object unchecked.
		problems = append(problems, fmt.Sprintf("%s %s: damaged, skipped", *manifestPath, d))
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "FAILED", termsafe.String(p))
	}
	fmt.Fprintf(stdout, "verified %d of %d archived objects: %d ok, %d failed\n", len(todo), len(objects), len(todo)-len(problems), len(problems))
	if len(problems) > 0 {
		return fmt.Errorf("%w: %d objects are missing or differ from the manifest", errSomeFailed, len(problems))
	}
	return nil
}

// verifyOne reads one object back and says what is wrong with it, or "".
func verifyOne(ctx context.Context, r *router, e manifest.Entry) string {
	s, key, err := r.locate(ctx, e)
	if err != nil {
		return err.Error()
	}
	got, err := sinks.ReadBack(ctx, s, key)
	switch {
	case errors.Is(err, sinks.ErrNotFound):
		return "missing"
	case err != nil:
		return err.Error()
	case got.Size != e.Size:
		return fmt.Sprintf("size %d, the manifest says %d", got.Size, e.Size)
	case got.SHA256 != e.SHA256:
		return fmt.Sprintf("SHA-256 %s, the manifest says %s", got.SHA256, e.SHA256)
	}
	return ""
}

func envDefault(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
