package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/manifest/manifesttest"
)

// The history case (case a of the scale bench) measures what a manifest's years cost a nightly run: a
// manifest holding a year at 1,000 and at 10,000 recordings a day, and a window with nothing new (ten
// recordings, all archived). Each is measured twice: the first run on the manifest, which has no index
// yet and reads the whole history once, and the nightly run after it, which reads its index. Each row
// is one `archive run` process: its peak RSS, its wall time, when it made its first API call, and how
// long it took to read the manifest (its index log line). The manifest is made in a temporary folder and
// deleted after.

// historyScale is one manifest of the case.
type historyScale struct {
	PerDay, Days int
}

// historyRow is one measured run.
type historyRow struct {
	Scale         historyScale
	Run           string
	ManifestBytes int64
	IndexBytes    int64
	Wall          time.Duration
	FirstAPICall  time.Duration // from the start of the process
	IndexRead     time.Duration // what the run logged for reading the manifest's index
	MaxRSS        int64
	Earlier       int
}

// historyBench runs the history case for each scale ("1000x365,10000x365").
func historyBench(ctx context.Context, scales, archiveBin string, keep bool) error {
	var list []historyScale
	for _, s := range strings.Split(scales, ",") {
		var sc historyScale
		if _, err := fmt.Sscanf(s, "%dx%d", &sc.PerDay, &sc.Days); err != nil {
			return fmt.Errorf("-history %q: want PERDAYxDAYS, e.g. 1000x365", s)
		}
		list = append(list, sc)
	}
	work, bin, done, err := workFolder(ctx, "archive-bench-history", archiveBin, keep)
	if err != nil {
		return err
	}
	defer done()
	archiveBin = bin
	fmt.Printf("machine: %s\n\n", machine())
	var rows []historyRow
	for _, sc := range list {
		r, err := historyRuns(ctx, archiveBin, work, sc, keep)
		if err != nil {
			return fmt.Errorf("%dx%d: %w", sc.PerDay, sc.Days, err)
		}
		rows = append(rows, r...)
	}
	printHistory(rows)
	return nil
}

func historyRuns(ctx context.Context, bin, work string, sc historyScale, keep bool) ([]historyRow, error) {
	dir, err := os.MkdirTemp(work, fmt.Sprintf("history-%d", sc.PerDay))
	if err != nil {
		return nil, err
	}
	if !keep {
		defer os.RemoveAll(dir)
	}
	var recs []fetchtest.Recording
	for i := range 10 {
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", OutputFileName: "m.mp4", MediaSize: 1 << 10,
			Invoked: time.Now().Add(-time.Duration(i+1) * time.Hour)})
	}
	api, err := fetchtest.New(recs...)
	if err != nil {
		return nil, err
	}
	defer api.Close()
	first := &firstCall{}
	u, err := url.Parse(api.URL)
	if err != nil {
		return nil, err
	}
	proxy := httptest.NewServer(first.wrap(&url.URL{Scheme: u.Scheme, Host: u.Host}))
	defer proxy.Close()
	apiURL := proxy.URL + u.Path

	// The window's ten recordings, archived by an earlier run: their lines end the manifest.
	window := filepath.Join(dir, "window.jsonl")
	if _, err := historyRun(ctx, bin, api, apiURL, first, dir, window); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "manifest.jsonl")
	fmt.Fprintf(os.Stderr, "%d a day for %d days: writing the manifest...\n", sc.PerDay, sc.Days)
	if err := writeHistory(path, window, sc); err != nil {
		return nil, err
	}
	var rows []historyRow
	for _, run := range []string{"first run (no index: one pass over the history)", "nightly run (index up to date)"} {
		fmt.Fprintf(os.Stderr, "%d a day for %d days: %s...\n", sc.PerDay, sc.Days, run)
		row, err := historyRun(ctx, bin, api, apiURL, first, dir, path)
		if err != nil {
			return nil, err
		}
		row.Scale, row.Run = sc, run
		row.ManifestBytes, row.IndexBytes = fileBytes(path), fileBytes(manifest.IndexPath(path))
		rows = append(rows, row)
	}
	return rows, nil
}

// writeHistory writes sc's year of lines, up to a day ago, then the window's lines.
func writeHistory(path, window string, sc historyScale) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	end := time.Now().Add(-24 * time.Hour)
	if _, err := manifesttest.History(f, "file:///old", 0, sc.PerDay*sc.Days, end.AddDate(0, 0, -sc.Days), end); err != nil {
		f.Close()
		return err
	}
	w, err := os.Open(window)
	if err != nil {
		f.Close()
		return err
	}
	defer w.Close()
	if _, err := io.Copy(f, w); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// historyRun runs `archive run` on the manifest at path against the API through the proxy.
func historyRun(ctx context.Context, bin string, api *fetchtest.Server, apiURL string, first *firstCall, dir, path string) (historyRow, error) {
	cfg := filepath.Join(dir, "local.yaml")
	if err := os.WriteFile(cfg, []byte("default: local\ndestinations:\n  local:\n    dir: "+filepath.Join(dir, "archive")+"\n"), 0o600); err != nil {
		return historyRow{}, err
	}
	logPath := path + ".log"
	logFile, err := os.Create(logPath)
	if err != nil {
		return historyRow{}, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", cfg, "--manifest", path, "--progress", "never", "--log-format", "json", "--json")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"CLOUDFLARE_ACCOUNT_ID=" + api.AccountID, "REALTIMEKIT_APP_ID=" + api.AppID,
		"CLOUDFLARE_API_TOKEN=" + api.Token, "CLOUDFLARE_API_URL=" + apiURL,
		"ARCHIVE_ALLOW_PRIVATE_DOWNLOADS=1",
		"GOMEMLIMIT=" + os.Getenv("GOMEMLIMIT"), "GOGC=" + os.Getenv("GOGC"),
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, logFile
	first.reset()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return historyRow{}, err
	}
	peak := watchPeakRSS(cmd.Process.Pid)
	err = cmd.Wait()
	row := historyRow{Wall: time.Since(start), MaxRSS: peak()}
	if err != nil {
		log, _ := os.ReadFile(logPath)
		return row, fmt.Errorf("archive run: %v\n%s", err, tail(log, 2000))
	}
	if at := first.at(); !at.IsZero() {
		row.FirstAPICall = at.Sub(start)
	}
	var sum struct {
		Recordings map[string]int `json:"recordings"`
	}
	json.Unmarshal([]byte(out.String()), &sum)
	row.Earlier = sum.Recordings["earlier"]
	row.IndexRead = indexReadTime(logPath)
	return row, nil
}

// indexReadTime finds the run's log line about reading the manifest's index.
func indexReadTime(logPath string) time.Duration {
	f, err := os.Open(logPath)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			Msg  string  `json:"msg"`
			Took float64 `json:"took_seconds"`
		}
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "read the manifest's index" {
			return time.Duration(l.Took * float64(time.Second))
		}
	}
	return 0
}

func fileBytes(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// firstCall notes when the API got its first request since the last reset.
type firstCall struct {
	mu    sync.Mutex
	first time.Time
}

func (f *firstCall) wrap(target *url.URL) http.Handler {
	proxy := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if f.first.IsZero() {
			f.first = time.Now()
		}
		f.mu.Unlock()
		proxy.ServeHTTP(w, r)
	})
}

func (f *firstCall) reset() {
	f.mu.Lock()
	f.first = time.Time{}
	f.mu.Unlock()
}

func (f *firstCall) at() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.first
}

func printHistory(rows []historyRow) {
	fmt.Println("| manifest | run | manifest MB | index MB | peak RSS MiB | wall s | first API call s | index read s | earlier |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s a day for %d days | %s | %.0f | %.1f | %.0f | %.2f | %.2f | %.2f | %d |\n", thousands(r.Scale.PerDay), r.Scale.Days, r.Run,
			float64(r.ManifestBytes)/1e6, float64(r.IndexBytes)/1e6, float64(r.MaxRSS)/(1<<20), r.Wall.Seconds(), r.FirstAPICall.Seconds(), r.IndexRead.Seconds(), r.Earlier)
	}
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
