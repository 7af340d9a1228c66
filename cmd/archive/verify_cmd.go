package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

// verifyCommand is `archive verify`: re-read what a manifest lists as archived or present and check
// size and SHA-256 at each destination. --read says when bytes are read back (a stored checksum
// proves nothing about bytes that rotted after upload) and when the store's own checksums must do
// (a cold tier, which can't be read without a restore); see verify_read.go.
func verifyCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive verify", flag.ContinueOnError)
	configFile := fs.String("config", getenv("ARCHIVE_CONFIG"), "destinations config file (env ARCHIVE_CONFIG)")
	manifestPath := fs.String("manifest", envDefault(getenv, "ARCHIVE_MANIFEST", "manifest.jsonl"), "manifest to verify (env ARCHIVE_MANIFEST)")
	sample := fs.Float64("sample", 100, "verify a random PERCENT of the objects, and one more at random (a cheap nightly audit)")
	concurrency := fs.Int("concurrency", 4, "objects read at once")
	readFlag := fs.String("read", "auto", "how each object is proven: auto reads every object readable as it is and proves cold ones (S3 GLACIER/DEEP_ARCHIVE, Azure Archive) by stored checksums; never reads nothing (stored checksums only); always reads everything, a cold object fails with \"restore required\"")
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
	readMode, err := parseReadMode(*readFlag)
	if err != nil {
		return err
	}
	cfg := defaultConfig()
	if *configFile != "" {
		var err error
		if cfg, err = loadConfig(*configFile); err != nil {
			return &usageError{err}
		}
	}
	if _, err := os.Stat(*manifestPath); err != nil {
		return usagef("--manifest %s: no such manifest", *manifestPath)
	}
	log := newLogger(*logFormat, *logLevel, stderr, "run_id", newRunID(), "version", version)
	r := newRouter(cfg, getenv)
	defer r.Close()
	var mu sync.Mutex
	var problems, proven []string
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(*concurrency)
	// The manifest streams: objects are verified as they are read, the sampled ones and one more at
	// random, so a small sample still proves something.
	objects, seen, checked, extra := 0, 0, 0, -1
	damaged, err := manifest.EachObject(*manifestPath, func(n int) {
		if objects = n; n > 0 {
			extra = rand.IntN(n)
		}
	}, func(e manifest.Entry, written time.Time) error {
		forced := seen == extra
		seen++
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !forced && *sample < 100 && rand.Float64()*100 >= *sample {
			return nil
		}
		checked++
		g.Go(func() error {
			how, problem := proveOne(gctx, r, e, readMode, written)
			mu.Lock()
			defer mu.Unlock()
			if problem != "" {
				log.Error("verify failed", "destination", e.Destination, "problem", problem)
				problems = append(problems, fmt.Sprintf("%s: %s", e.Destination, problem))
				return nil
			}
			proven = append(proven, fmt.Sprintf("%s: %s", e.Destination, how))
			return nil
		})
		return nil
	})
	g.Wait()
	if ctx.Err() != nil {
		return errInterrupted
	}
	if err != nil {
		return usagef("--manifest: %v", err)
	}
	slices.Sort(problems)
	slices.Sort(proven)
	for _, p := range proven {
		fmt.Fprintln(stdout, "ok", termsafe.String(p))
	}
	for _, d := range damaged {
		// The audit covers the manifest itself: a line that can't be read may be an object unchecked.
		problems = append(problems, fmt.Sprintf("%s %s: damaged, skipped", *manifestPath, d))
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, "FAILED", termsafe.String(p))
	}
	fmt.Fprintf(stdout, "verified %d of %d archived objects: %d ok, %d failed\n", checked, objects, checked-len(problems), len(problems))
	if len(problems) > 0 {
		return fmt.Errorf("%w: %d objects are missing or differ from the manifest", errSomeFailed, len(problems))
	}
	return nil
}

func envDefault(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}
