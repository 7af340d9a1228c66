package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// windowCase is case (b) of the scale bench: a busy retention window. 50,000 recordings in the window
// (about 7,000 a day), a first run and a re-run that finds everything archived; and 90,000 (10,000 a
// day) on a first run, with 1 KiB files. The listing pages of 100, as the client asks, and the API is
// paced at the defaults, as a nightly run is. The last row lists unpaced (--api-rate 0): the listing
// runs far ahead of the workers, and the queue holds most of the window at once, the worst case for
// memory.
func windowCase(ctx context.Context, bin, work string) ([]scaleRow, error) {
	var rows []scaleRow
	for _, sc := range []struct {
		n       int
		rerun   bool
		unpaced bool
	}{{50_000, true, false}, {90_000, false, false}, {90_000, false, true}} {
		r, err := windowRuns(ctx, bin, work, sc.n, sc.rerun, sc.unpaced)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

func windowRuns(ctx context.Context, bin, work string, n int, rerun, unpaced bool) ([]scaleRow, error) {
	recs := scaleFixture(n, 7*24*time.Hour-2*time.Hour)
	api, err := fetchtest.New(recs...)
	if err != nil {
		return nil, err
	}
	defer api.Close()
	api.SetPaging(fetchtest.Paging{MaxPerPage: 100})
	dir, err := os.MkdirTemp(work, "window")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	manifest := filepath.Join(dir, "manifest.jsonl")
	name := fmt.Sprintf("(b) %d in the window", n)
	var rows []scaleRow
	runs := []string{"first run"}
	if rerun {
		runs = append(runs, "re-run")
	}
	var args []string
	if unpaced {
		runs, args = []string{"first run, listing unpaced"}, []string{"--api-rate", "0"}
	}
	for _, run := range runs {
		fmt.Fprintf(os.Stderr, "%s: %s...\n", name, run)
		before := countRoutes(api, recs)
		cmd, log, err := archiveCmd(ctx, bin, api, dir, manifest, args...)
		if err != nil {
			return nil, err
		}
		s, exit, err := timedExit(cmd, log)
		if err != nil {
			return nil, err
		}
		c := countRoutes(api, recs).minus(before)
		rows = append(rows, scaleRow{Case: name, Run: run, Wall: s.Wall, CPU: s.CPU, MaxRSS: s.MaxRSS,
			List: c.list, Detail: c.detail, Throttled: c.throttled, Downloads: c.downloads, Exit: exit})
	}
	return rows, nil
}
