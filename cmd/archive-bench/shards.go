package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// shardsCase is case (c) of the scale bench: 2,000 recordings over the window, pages of 25, a token
// the API holds to 4 calls a second (a burst of 60, the 1,200 in 5 minutes Cloudflare allows); one run,
// then 4 shards at once (`--shard K/4`, each its own process, manifest and token share) into the same
// destination, each on an API of its own holding the same recordings.
func shardsCase(ctx context.Context, bin, work string) ([]scaleRow, error) {
	const n, shards = 2000, 4
	recs := scaleFixture(n, 7*24*time.Hour-2*time.Hour)
	one, err := shardsRun(ctx, bin, work, recs, 1)
	if err != nil {
		return nil, err
	}
	many, err := shardsRun(ctx, bin, work, recs, shards)
	if err != nil {
		return nil, err
	}
	return []scaleRow{one, many}, nil
}

// shardsRun runs n shards at once (1: one unsharded run) against a fresh API and destination.
func shardsRun(ctx context.Context, bin, work string, recs []fetchtest.Recording, n int) (scaleRow, error) {
	api, err := fetchtest.New(recs...)
	if err != nil {
		return scaleRow{}, err
	}
	defer api.Close()
	api.SetRateLimit(fetchtest.RateLimit{PerSecond: 4, Burst: 60})
	dir, err := os.MkdirTemp(work, "shards")
	if err != nil {
		return scaleRow{}, err
	}
	defer os.RemoveAll(dir)
	row := scaleRow{Case: fmt.Sprintf("(c) %d recordings, 25 a page, 4 calls/s", len(recs)), Run: "one run", Exit: "0"}
	if n > 1 {
		row.Run = fmt.Sprintf("%d shards at once", n)
	}
	fmt.Fprintf(os.Stderr, "%s: %s...\n", row.Case, row.Run)
	cmds := make([]*exec.Cmd, n)
	logs := make([]string, n)
	for k := range n {
		var args []string
		if n > 1 {
			args = []string{"--shard", fmt.Sprintf("%d/%d", k, n)}
		}
		if cmds[k], logs[k], err = archiveCmd(ctx, bin, api, dir, filepath.Join(dir, fmt.Sprintf("manifest-%d.jsonl", k)), args...); err != nil {
			return scaleRow{}, err
		}
	}
	start := time.Now()
	samples := make([]sample, n)
	exits := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			samples[k], exits[k], errs[k] = timedExit(cmds[k], logs[k])
		}()
	}
	wg.Wait()
	row.Wall = time.Since(start)
	for k := range n {
		if errs[k] != nil {
			return scaleRow{}, fmt.Errorf("shard %d: %w", k, errs[k])
		}
		row.CPU += samples[k].CPU
		row.MaxRSS = max(row.MaxRSS, samples[k].MaxRSS)
		if exits[k] != "0" {
			row.Exit = exits[k]
		}
	}
	c := countRoutes(api, recs)
	row.List, row.Detail, row.Throttled, row.Downloads = c.list, c.detail, c.throttled, c.downloads
	return row, nil
}
