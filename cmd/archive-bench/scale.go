package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// The scale cases measure what grows with the window and the shards, not the transfer: the fake API on
// this process, 1 KiB files, the local destination. Each row is one `archive run` process (or several at
// once), with its peak RSS, wall time and the API calls it made by route.

// scaleRow is one measured run of a scale case.
type scaleRow struct {
	Case      string
	Run       string
	Wall      time.Duration
	CPU       time.Duration
	MaxRSS    int64 // bytes; for runs at once, the largest of them
	List      int   // list calls answered
	Detail    int   // detail calls answered
	Throttled int   // calls answered 429
	Downloads int
	Exit      string
}

// scaleFixture is n UPLOADED recordings of 1 KiB, spread evenly over span back from now: the window a
// nightly run lists, every one of them still downloadable.
func scaleFixture(n int, span time.Duration) []fetchtest.Recording {
	now := time.Now()
	recs := make([]fetchtest.Recording, n)
	for i := range recs {
		recs[i] = fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", MeetingID: fetchtest.UUID(1_000_000 + i%200),
			OutputFileName: fmt.Sprintf("room_%d.mp4", i), MediaSize: 1 << 10,
			Invoked: now.Add(-span + time.Duration(i)*(span/time.Duration(n))).Add(-time.Minute)}
	}
	return recs
}

// counts is what the fake answered so far, by route.
type counts struct{ list, detail, throttled, downloads int }

func countRoutes(api *fetchtest.Server, recs []fetchtest.Recording) counts {
	c := counts{list: api.Requests(fetchtest.ListRoute), throttled: api.Throttled()}
	for _, r := range recs {
		c.detail += api.Requests(fetchtest.DetailRoute(r.ID))
		c.downloads += api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile))
	}
	return c
}

func (c counts) minus(d counts) counts {
	return counts{c.list - d.list, c.detail - d.detail, c.throttled - d.throttled, c.downloads - d.downloads}
}

// archiveCmd is `archive run` into the local folder dir/archive with the manifest path, as a nightly
// job runs it (default window and pacing) unless args say otherwise.
func archiveCmd(ctx context.Context, bin string, api *fetchtest.Server, dir, manifestPath string, args ...string) (*exec.Cmd, string, error) {
	cfg := filepath.Join(dir, "local.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf("default: local\ndestinations:\n  local:\n    dir: %s\n", filepath.Join(dir, "archive"))), 0o600); err != nil {
		return nil, "", err
	}
	cmd := exec.CommandContext(ctx, bin, append([]string{"run", "--config", cfg, "--manifest", manifestPath,
		"--progress", "never", "--log-format", "json"}, args...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"CLOUDFLARE_ACCOUNT_ID=" + api.AccountID, "REALTIMEKIT_APP_ID=" + api.AppID,
		"CLOUDFLARE_API_TOKEN=" + api.Token, "CLOUDFLARE_API_URL=" + api.URL,
		"ARCHIVE_ALLOW_PRIVATE_DOWNLOADS=1",
		"GOMEMLIMIT=" + os.Getenv("GOMEMLIMIT"), "GOGC=" + os.Getenv("GOGC"),
	}
	log := manifestPath + ".log"
	f, err := os.Create(log)
	if err != nil {
		return nil, "", err
	}
	cmd.Stdout, cmd.Stderr = f, f
	return cmd, log, nil
}

// timedExit runs cmd like timed, but a run that exits 1 (a recording failed) is still a measure: its
// exit is reported, not taken for the bench's failure.
func timedExit(cmd *exec.Cmd, log string) (sample, string, error) {
	s, err := timed(cmd)
	exit := "0"
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return s, "1", nil
		}
		out, _ := os.ReadFile(log)
		return s, "", fmt.Errorf("archive run: %v\n%s", err, tail(out, 2000))
	}
	return s, exit, nil
}

func printScale(rows []scaleRow) {
	fmt.Println("| case | run | wall s | CPU s | peak RSS MiB | list calls | detail calls | answered 429 | downloads | exit |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %.1f | %.1f | %.0f | %d | %d | %d | %d | %s |\n", r.Case, r.Run, r.Wall.Seconds(), r.CPU.Seconds(),
			float64(r.MaxRSS)/(1<<20), r.List, r.Detail, r.Throttled, r.Downloads, r.Exit)
	}
}

// scaleCases are the cases -scale names.
var scaleCases = map[string]func(ctx context.Context, bin, work string) ([]scaleRow, error){
	"window": windowCase,
	"window-rerun": func(ctx context.Context, bin, work string) ([]scaleRow, error) { // the 50,000 pair alone
		return windowRuns(ctx, bin, work, 50_000, true, false)
	},
	"window-unpaced": func(ctx context.Context, bin, work string) ([]scaleRow, error) { // the worst case alone
		return windowRuns(ctx, bin, work, 90_000, false, true)
	},
	"shards": shardsCase,
}

func runScale(ctx context.Context, names, bin, work string) error {
	var rows []scaleRow
	for _, name := range strings.Split(names, ",") {
		c, ok := scaleCases[name]
		if !ok {
			return fmt.Errorf("-scale %q: no such case", name)
		}
		r, err := c(ctx, bin, work)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, r...)
	}
	printScale(rows)
	return nil
}
