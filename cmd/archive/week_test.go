package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/runner"
)

// simRecording is one recording of the simulated week: it appears at invoked, is uploaded (and its
// media starts its 7 days) at uploaded, and is gone at uploaded+7d.
type simRecording struct {
	rec      fetchtest.Recording
	invoked  time.Time
	uploaded time.Time
	errored  bool
}

func (r simRecording) expiry() time.Time { return r.uploaded.Add(runner.MediaLifetime) }

// downloadableAt: RealtimeKit has the media at t.
func (r simRecording) downloadableAt(t time.Time) bool {
	return !r.errored && !t.Before(r.uploaded) && t.Before(r.expiry())
}

func (r simRecording) statusAt(t time.Time) string {
	switch {
	case t.Before(r.uploaded.Add(-30 * time.Minute)):
		return "RECORDING"
	case t.Before(r.uploaded):
		return "UPLOADING"
	case r.errored:
		return "ERRORED"
	}
	return "UPLOADED"
}

// TestAWeekOfNightlyRunsLosesNothingSilently drives the real run path through eighteen nights with a
// clock the test controls: recordings appear every day, some still recording at run time, one night is
// missed, one run is killed mid-way, one recording's destination is broken, and then the job is down for
// a week. At the end every recording that RealtimeKit held on some night is archived, or was reported at
// risk before it expired, and every one that expired unarchived was reported lost exactly once.
func TestAWeekOfNightlyRunsLosesNothingSilently(t *testing.T) {
	day0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var sims []simRecording
	n := 0
	add := func(invoked, uploaded time.Time, change func(*fetchtest.Recording)) {
		n++
		r := fetchtest.Recording{ID: fetchtest.UUID(1000 + n), OutputFileName: "m.mp4", MediaSize: 20_000, Invoked: invoked, Expiry: uploaded.Add(runner.MediaLifetime)}
		if change != nil {
			change(&r)
		}
		sims = append(sims, simRecording{rec: r, invoked: invoked, uploaded: uploaded, errored: r.Status == "ERRORED"})
	}
	// Recordings from before the first run that are still kept: one expires a few hours after night 1.
	add(day0.Add(-6*24*time.Hour), day0.Add(-6*24*time.Hour+3*time.Hour), nil)
	add(day0.Add(-7*24*time.Hour), day0.Add(-7*24*time.Hour+time.Hour), nil) // gone before the first run
	add(day0.Add(-3*24*time.Hour), day0.Add(-3*24*time.Hour+time.Hour), nil)
	for d := range 18 {
		at := func(h int) time.Time { return day0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour) }
		add(at(10), at(11), nil)
		add(at(14), at(15), nil)
		add(at(20), at(21), nil)
		// A late meeting still recording at the 02:00 run and uploaded after it: the next night's
		// 26-hour window would no longer hold it.
		add(at(23), at(27), nil)
		if d == 2 {
			add(at(12), at(13), func(r *fetchtest.Recording) { r.Status = "ERRORED" })
		}
		if d == 1 {
			// Routed to a destination the config lacks: fails every night until it expires.
			add(at(9), at(10), func(r *fetchtest.Recording) {
				r.StorageConfig = map[string]any{"type": "sftp", "host": "nowhere.example"}
			})
		}
	}
	var recs []fetchtest.Recording
	for _, s := range sims {
		recs = append(recs, s.rec)
	}
	c := newCLI(t, recs...)

	type night struct {
		day        int
		missed     bool
		killed     bool
		sum        *nightSummary
		code       int
		api, dl    int
		exitErr    error
		reportedAt []string // urgent at-risk recordings
	}
	nights := []night{}
	for d := 1; d <= 18; d++ {
		outage := d >= 10 && d <= 16 // a week down: rotated credentials, a bad deploy
		nights = append(nights, night{day: d, missed: d == 4 || outage, killed: d == 6})
	}
	requests := func() (api, downloads int) {
		api = c.api.Requests(fetchtest.ListRoute)
		for _, s := range sims {
			api += c.api.Requests(fetchtest.DetailRoute(s.rec.ID))
			downloads += c.api.Requests(fetchtest.DownloadRoute(s.rec.ID, fetchtest.MediaFile))
		}
		return api, downloads
	}
	everReported := map[string]time.Time{} // first urgent at-risk report
	for i := range nights {
		nt := &nights[i]
		now := day0.Add(time.Duration(nt.day)*24*time.Hour + 2*time.Hour)
		if nt.missed {
			continue
		}
		c.api.SetNow(func() time.Time { return now })
		for _, s := range sims {
			status := s.statusAt(now)
			c.api.Update(s.rec.ID, func(r *fetchtest.Recording) { r.Status = status })
		}
		api0, dl0 := requests()
		ctx, cancel := context.WithCancel(context.Background())
		if nt.killed {
			// Killed mid-way: slow downloads, and the run is aborted once two files are archived.
			c.api.SetDownloadRate(40_000)
			before, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
			go func() {
				defer cancel()
				for ctx.Err() == nil {
					entries, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
					archived := 0
					for _, e := range entries[min(len(before), len(entries)):] {
						if e.Kind == manifest.KindMedia && e.Status == manifest.StatusArchived {
							archived++
						}
					}
					if archived >= 2 {
						return
					}
					time.Sleep(10 * time.Millisecond)
				}
			}()
		}
		sum, err := c.simulatedRun(ctx, now)
		cancel()
		c.api.SetDownloadRate(0)
		api1, dl1 := requests()
		nt.sum, nt.exitErr, nt.api, nt.dl = sum, err, api1-api0, dl1-dl0
		nt.code = exitCode(err, io.Discard)
		if sum != nil {
			for _, f := range sum.AtRisk {
				if f.Urgent {
					nt.reportedAt = append(nt.reportedAt, f.RecordingID)
					if _, ok := everReported[f.RecordingID]; !ok {
						everReported[f.RecordingID] = now
					}
				}
			}
		}
	}

	t.Logf("%-5s %-6s %8s %7s %7s %7s %5s %4s %6s %7s %9s %9s %4s", "night", "", "archived", "earlier", "pending", "failed", "lost", "new", "urgent", "unarch", "API calls", "downloads", "exit")
	for _, nt := range nights {
		if nt.missed {
			t.Logf("%-5d %-6s", nt.day, "missed")
			continue
		}
		s := nt.sum
		note := ""
		if nt.killed {
			note = "killed"
		}
		t.Logf("%-5d %-6s %8d %7d %7d %7d %5d %4d %6d %7d %9d %9d %4d", nt.day, note, s.Recordings["archived"], s.Recordings["earlier"], s.Recordings["pending"],
			s.Recordings["failed"], s.Recordings["lost"], len(s.Lost), s.urgent(), len(s.AtRisk), nt.api, nt.dl, nt.code)
	}

	_, archived := c.archivedRecordings()
	var runTimes []time.Time
	for _, nt := range nights {
		if !nt.missed {
			runTimes = append(runTimes, day0.Add(time.Duration(nt.day)*24*time.Hour+2*time.Hour))
		}
	}
	lost, saved, reported := 0, 0, 0
	for _, s := range sims {
		downloadable := slices.ContainsFunc(runTimes, s.downloadableAt)
		switch {
		case !downloadable:
		case archived[s.rec.ID]:
			saved++
		case !everReported[s.rec.ID].IsZero() && everReported[s.rec.ID].Before(s.expiry()):
			reported++
		default:
			lost++
			t.Errorf("recording %s (invoked %s, uploaded %s, expires %s) was downloadable on a run night but is neither archived nor was it reported at risk",
				s.rec.ID, s.invoked.Format(time.DateTime), s.uploaded.Format(time.DateTime), s.expiry().Format(time.DateTime))
		}
	}
	t.Logf("downloadable on some run night: %d archived, %d reported at risk before they expired, %d silently lost", saved, reported, lost)
	if reported != 1 {
		t.Errorf("%d recordings only reported at risk, want exactly 1 (the one with a broken destination)", reported)
	}
	if !nights[5].killed || nights[5].exitErr == nil {
		t.Error("the killed night did not end in an interruption")
	}
	checkLosses(t, c, sims, nights[16].sum, nights[16].code, nights[17].sum, nights[17].code, day0.Add(17*24*time.Hour+2*time.Hour))
	// A re-run right after the last night: what is complete costs the listing pages and nothing else.
	rerunAt := day0.Add(18*24*time.Hour + 2*time.Hour + time.Minute)
	c.api.SetNow(func() time.Time { return rerunAt })
	api0, dl0 := requests()
	pages0 := c.api.Requests(fetchtest.ListRoute)
	start := time.Now()
	sum, err := c.simulatedRun(context.Background(), rerunAt)
	wall := time.Since(start)
	api1, dl1 := requests()
	pages := c.api.Requests(fetchtest.ListRoute) - pages0
	if sum == nil {
		t.Fatalf("re-run: %v", err)
	}
	t.Logf("re-run over the window: %d recordings archived earlier, %d API calls (%d list pages), %d downloads, %v", sum.Recordings["earlier"], api1-api0, pages, dl1-dl0, wall.Round(time.Millisecond))
	if api1-api0 != pages || dl1 != dl0 {
		t.Errorf("a re-run over archived recordings made %d API calls (%d of them list pages) and %d downloads; want only the pages", api1-api0, pages, dl1-dl0)
	}
	last := nights[len(nights)-1].sum
	if last.Recordings["archived"] == 0 || last.Recordings["earlier"] == 0 {
		t.Errorf("the last night should archive new recordings and skip earlier ones: %v", last.Recordings)
	}
}

// simulatedRun is one nightly `archive run` at the simulated time now, through the real run path.
func (c *cli) simulatedRun(ctx context.Context, now time.Time) (*nightSummary, error) {
	getenv := func(k string) string { return c.env[k] }
	var out, errOut bytes.Buffer
	opts, err := parseRunFlags("run", []string{"--api-rate", "0", "--concurrency", "2", "--log-format", "json", "--progress", "never", "--json"}, getenv, io.Discard, now)
	if err != nil {
		return nil, err
	}
	opts.now = func() time.Time { return now }
	cfg := defaultConfig()
	cfg.Destinations["local"] = localDestination{Dir: filepath.Join(c.dir, "archive")}
	err = archiveRunWith(ctx, nil, opts, cfg, getenv, strings.NewReader(""), &out, &errOut)
	sum := &nightSummary{}
	if perr := json.Unmarshal(out.Bytes(), sum); perr != nil {
		return nil, fmt.Errorf("run at %s: %v (%v)\n%s", now, perr, err, errOut.String())
	}
	return sum, err
}

// nightSummary is the part of `--json`'s summary the simulation reads.
type nightSummary struct {
	Recordings map[string]int `json:"recordings"`
	AtRisk     []struct {
		RecordingID string `json:"recording_id"`
		Urgent      bool   `json:"urgent"`
	} `json:"at_risk"`
	Lost []struct {
		RecordingID string `json:"recording_id"`
	} `json:"lost"`
}

// archivedRecordings reads the manifest: its lines, and the recordings whose details file is archived.
func (c *cli) archivedRecordings() ([]manifest.Entry, map[string]bool) {
	c.t.Helper()
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		c.t.Fatal(err)
	}
	archived := map[string]bool{}
	for _, e := range entries {
		if e.Kind == manifest.KindMetadata && e.Done() {
			archived[e.RecordingID] = true
		}
	}
	return entries, archived
}

// checkLosses holds the night after the outage and the night after it to the loss rule: every recording
// that was listed on the first night after the outage with its media already gone is reported lost by
// that night (exit 1, a failed line saying expired), and counted without alarm by the next.
func checkLosses(t *testing.T, c *cli, sims []simRecording, after *nightSummary, afterCode int, next *nightSummary, nextCode int, at time.Time) {
	t.Helper()
	entries, archived := c.archivedRecordings()
	var want []string // listed that night (invoked within the window), uploaded, gone, never archived
	for _, s := range sims {
		if !s.errored && !s.invoked.Before(at.Add(-runner.CatchUpWindow)) && s.uploaded.Before(at) && !s.expiry().After(at) && !archived[s.rec.ID] {
			want = append(want, s.rec.ID)
		}
	}
	var got []string
	for _, l := range after.Lost {
		got = append(got, l.RecordingID)
	}
	slices.Sort(want)
	slices.Sort(got)
	t.Logf("the night after a week down: %d lost, new %v (exit %d); the night after that: %d lost, %d new (exit %d)", after.Recordings["lost"], got, afterCode, next.Recordings["lost"], len(next.Lost), nextCode)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("the night after the outage reported %v lost, want %v", got, want)
	}
	if afterCode != 1 {
		t.Errorf("the night that found the losses exited %d, want 1", afterCode)
	}
	for _, id := range want {
		if !slices.ContainsFunc(entries, func(e manifest.Entry) bool {
			return e.RecordingID == id && e.Status == manifest.StatusFailed && strings.Contains(e.Error, "expired")
		}) {
			t.Errorf("no failed line saying %s expired", id)
		}
	}
	if len(next.Lost) != 0 || next.Recordings["lost"] == 0 || nextCode != 0 {
		t.Errorf("the next night: %d lost, %v new, exit %d; want the known losses counted, none new, exit 0", next.Recordings["lost"], next.Lost, nextCode)
	}
}

func (s *nightSummary) urgent() (n int) {
	for _, f := range s.AtRisk {
		if f.Urgent {
			n++
		}
	}
	return n
}
