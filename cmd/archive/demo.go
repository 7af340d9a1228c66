package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// demoCommand is `archive demo`: the real run path against the built-in simulated API, into a local
// folder, so a newcomer sees the whole job work without an account.
func demoCommand(ctx context.Context, stop <-chan struct{}, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("archive demo", flag.ContinueOnError)
	dir := fs.String("dir", "archive-demo", "folder for the demo's archive and manifest")
	concurrency := fs.Int("concurrency", 4, "recordings in flight at once")
	logFormat := fs.String("log-format", "", "text or json; default text on a terminal, json otherwise")
	logLevel := fs.String("log-level", getenv("ARCHIVE_LOG_LEVEL"), "debug, info, warn or error (env ARCHIVE_LOG_LEVEL); default warn for text on a terminal, info otherwise")
	if err := parseFlags(fs, args, demoHelp, stdout); err != nil {
		return err
	}
	now := time.Now()
	api, err := fetchtest.New(fetchtest.DemoRecordings(now)...)
	if err != nil {
		return fmt.Errorf("starting the simulated API: %w", err)
	}
	defer api.Close()
	for _, sess := range fetchtest.DemoSessions(now) {
		api.AddSession(sess)
	}

	archiveDir := filepath.Join(*dir, "archive")
	demoEnv := map[string]string{
		"CLOUDFLARE_ACCOUNT_ID": api.AccountID,
		"REALTIMEKIT_APP_ID":    api.AppID,
		"CLOUDFLARE_API_TOKEN":  api.Token,
		"CLOUDFLARE_API_URL":    api.URL,
	}
	// The simulated API serves its downloads from this machine over http: allowed for the demo only.
	runArgs := []string{"--api-rate", "0", "--allow-private-downloads", "--artifacts", "all", "--manifest", filepath.Join(*dir, "manifest.jsonl"), "--concurrency", fmt.Sprint(*concurrency)}
	if *logFormat != "" {
		runArgs = append(runArgs, "--log-format", *logFormat)
	}
	if *logLevel != "" {
		runArgs = append(runArgs, "--log-level", *logLevel)
	}
	opts, err := parseRunFlags("demo", runArgs, func(k string) string { return demoEnv[k] }, stderr, now)
	if err != nil {
		return err
	}
	cfg := defaultConfig()
	cfg.Destinations["local"] = localDestination{Dir: archiveDir}
	fmt.Fprintf(stdout, "demo: simulated RealtimeKit API at %s with %d recordings; archiving into %s\n", api.URL, len(fetchtest.DemoRecordings(now)), archiveDir)
	err = archiveRunWith(ctx, stop, opts, cfg, getenv, nil, stdout, stderr)
	if errors.Is(err, errSomeFailed) {
		return err
	}
	if err == nil {
		fmt.Fprintf(stdout, "demo: done. Look at %s, or run the demo again: the manifest then holds everything as archived earlier, and nothing is downloaded again (the artifacts a session does not have yet are asked for again).\n", archiveDir)
	}
	return err
}
