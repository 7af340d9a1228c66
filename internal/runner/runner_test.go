package runner_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/runner"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

type localRouter struct{ sink sinks.Sink }

func (r localRouter) Route(ctx context.Context, rec *fetch.Recording) (archiver.Target, error) {
	return archiver.Target{Name: "local", Sink: r.sink}, nil
}

type env struct {
	api      *fetchtest.Server
	cfg      runner.Config
	dir      string
	manifest string
}

func newEnv(t *testing.T, n int) *env {
	var recs []fetchtest.Recording
	for i := range n {
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", OutputFileName: "m.mp4", MediaSize: 200_000,
			Invoked: time.Now().Add(-time.Duration(n-i) * time.Hour)})
	}
	api, err := fetchtest.New(recs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	client, err := fetch.New(fetch.Config{BaseURL: api.URL, AccountID: api.AccountID, AppID: api.AppID, Token: api.Token,
		RequestsPerSecond: -1, AllowPrivateDownloads: true, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sink, _ := local.New(filepath.Join(dir, "archive"))
	e := &env{api: api, dir: dir, manifest: filepath.Join(dir, "manifest.jsonl")}
	e.cfg = runner.Config{Client: client, Router: localRouter{sinks.Guard(sink)}, Manifest: e.manifest,
		Selection: runner.Selection{Since: time.Now().Add(-runner.CatchUpWindow), Until: time.Now()},
		Pipeline:  archiver.Config{Concurrency: 1}, Grace: time.Minute}
	return e
}

func (e *env) downloads(n int) (total int) {
	for i := range n {
		total += e.api.Requests(fetchtest.DownloadRoute(fetchtest.UUID(i), fetchtest.MediaFile))
	}
	return total
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A stop lets the file in flight finish within the grace period, starts nothing new, closes the
// manifest with its sidecar and reports the rest as not reached.
func TestAStopFinishesTheFileInFlight(t *testing.T) {
	e := newEnv(t, 4)
	e.api.SetDownloadRate(400_000) // half a second per file
	stop := make(chan struct{})
	e.cfg.Stop = stop
	go func() {
		waitFor(t, "a download", func() bool { return e.downloads(4) > 0 })
		close(stop)
	}()
	res, err := runner.Run(context.Background(), e.cfg)
	if !errors.Is(err, runner.ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
	if got := res.Summary.Recordings[archiver.OutcomeArchived]; got != 1 {
		t.Fatalf("archived %d, want the one in flight", got)
	}
	if len(res.Summary.AtRisk) != 3 {
		t.Fatalf("at risk %+v, want the three not reached", res.Summary.AtRisk)
	}
	if _, err := os.Stat(e.manifest + ".sha256"); err != nil {
		t.Fatal("the manifest was not closed with its sidecar")
	}
}

// Cancelling ctx after a stop aborts the file in flight at once, leaving no line for it.
func TestCancelAfterAStopAbortsAtOnce(t *testing.T) {
	e := newEnv(t, 2)
	e.api.SetDownloadRate(20_000) // ten seconds per file
	stop := make(chan struct{})
	e.cfg.Stop = stop
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		waitFor(t, "a download", func() bool { return e.downloads(2) > 0 })
		close(stop)
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	start := time.Now()
	res, err := runner.Run(ctx, e.cfg)
	if !errors.Is(err, runner.ErrInterrupted) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
	entries, _ := manifest.Read(e.manifest)
	if len(entries) != 0 || res.Summary.Recordings[archiver.OutcomeArchived] != 0 {
		t.Fatalf("an aborted file left lines %+v", entries)
	}
}

// A stop while listing ends the run at once, before anything is written.
func TestAStopWhileSelectingWritesNothing(t *testing.T) {
	e := newEnv(t, 2)
	e.api.Inject(fetchtest.ListRoute, fetchtest.Fault{Delay: 10 * time.Second})
	stop := make(chan struct{})
	e.cfg.Stop = stop
	go func() {
		waitFor(t, "the listing", func() bool { return e.api.Requests(fetchtest.ListRoute) > 0 })
		close(stop)
	}()
	res, err := runner.Run(context.Background(), e.cfg)
	if !errors.Is(err, runner.ErrInterrupted) || res.Summary != nil {
		t.Fatalf("err = %v, summary %v", err, res.Summary)
	}
	if _, err := os.Stat(e.manifest); err == nil {
		t.Fatal("a manifest was written by a run stopped while selecting")
	}
}

// The segments at the manifest destination, concatenated in order, are the closed local manifest: the
// periodic copy is joined before the final one, and each sends only what the last did not.
func TestTheManifestCopysSegmentsAreTheWholeManifest(t *testing.T) {
	e := newEnv(t, 6)
	e.api.SetDownloadRate(4_000_000)
	remote, _ := local.New(filepath.Join(e.dir, "remote"))
	e.cfg.Copy = runner.NewManifestCopy(sinks.Guard(remote), "m", runner.Shard{}, nil)
	e.cfg.CopyEvery = 10 * time.Millisecond
	if _, err := runner.Run(context.Background(), e.cfg); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(e.manifest)
	segments, got := segmentsTogether(filepath.Join(e.dir, "remote", "m"))
	if len(segments) < 2 || string(got) != string(want) {
		t.Fatalf("%d segments of %d bytes together, the manifest has %d", len(segments), len(got), len(want))
	}
	if states, _ := filepath.Glob(filepath.Join(e.dir, "remote", "m", "state", "*.index")); len(states) != 1 {
		t.Fatalf("states: %v", states)
	}
}

// The pipeline starts on the listing's first page while later pages are still coming.
func TestThePipelineStartsBeforeTheListingEnds(t *testing.T) {
	e := newEnv(t, 10)
	e.api.SetPaging(fetchtest.Paging{MaxPerPage: 5})
	e.api.Inject(fetchtest.ListRoute, fetchtest.Fault{}, fetchtest.Fault{Delay: 2 * time.Second})
	during := make(chan int, 1)
	go func() {
		waitFor(t, "the second page", func() bool { return e.api.Requests(fetchtest.ListRoute) >= 2 })
		time.Sleep(time.Second) // the second page is held for two seconds
		during <- e.downloads(10)
	}()
	res, err := runner.Run(context.Background(), e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Summary.Recordings[archiver.OutcomeArchived]; got != 10 {
		t.Fatalf("archived %d of 10", got)
	}
	if <-during == 0 {
		t.Fatal("nothing was downloaded while the second page was on its way")
	}
}

// A listing that breaks off after its first page fails the run loudly, and what it had listed is
// archived.
func TestAListingThatBreaksOffFailsTheRun(t *testing.T) {
	e := newEnv(t, 10)
	e.api.SetPaging(fetchtest.Paging{MaxPerPage: 5, IgnorePageNo: true})
	res, err := runner.Run(context.Background(), e.cfg)
	if !errors.Is(err, fetch.ErrListingStuck) {
		t.Fatalf("err = %v, want ErrListingStuck", err)
	}
	if got := res.Summary.Recordings[archiver.OutcomeArchived]; got != 5 {
		t.Fatalf("archived %d, want the first page's 5", got)
	}
}

// Lines a killed run wrote after its last segment are sent by the next run on the same manifest: the
// segments at the destination stay the whole ledger.
func TestTheNextRunSendsWhatAKilledRunLeftUnsent(t *testing.T) {
	e := newEnv(t, 2)
	remote, _ := local.New(filepath.Join(e.dir, "remote"))
	e.cfg.Copy = runner.NewManifestCopy(sinks.Guard(remote), "m", runner.Shard{}, nil)
	e.cfg.CopyEvery = time.Hour
	if _, err := runner.Run(context.Background(), e.cfg); err != nil {
		t.Fatal(err)
	}
	// A run that died before its last segment: its line is in the manifest only.
	w, _ := manifest.Create(e.manifest)
	w.Write(manifest.Entry{RecordingID: fetchtest.UUID(99), Kind: manifest.KindMedia, Status: manifest.StatusPending})
	w.Close()
	e.api.Add(fetchtest.Recording{ID: fetchtest.UUID(7), Status: "UPLOADED", OutputFileName: "m.mp4", MediaSize: 1000, Invoked: time.Now().Add(-time.Hour)})
	e.cfg.Copy = runner.NewManifestCopy(sinks.Guard(remote), "m", runner.Shard{}, nil)
	if _, err := runner.Run(context.Background(), e.cfg); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(e.manifest)
	segments, got := segmentsTogether(filepath.Join(e.dir, "remote", "m"))
	if string(got) != string(want) {
		t.Fatalf("%d segments of %d bytes together, the manifest has %d", len(segments), len(got), len(want))
	}
}

// segmentsTogether concatenates the segments below a manifest destination's prefix in key order.
func segmentsTogether(prefix string) (segments []string, together []byte) {
	segments, _ = filepath.Glob(filepath.Join(prefix, "runs", "*", "*.jsonl"))
	for _, s := range segments {
		b, _ := os.ReadFile(s)
		together = append(together, b...)
	}
	return segments, together
}

// A fresh pod on a destination that an earlier release wrote (latest.jsonl, no state) starts from that
// copy once, and sends it all as its first segment: from then on the segments hold the whole ledger.
func TestAFreshPodOnAnEarlierReleasesCopyStartsFromIt(t *testing.T) {
	e := newEnv(t, 3)
	if _, err := runner.Run(context.Background(), e.cfg); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(e.manifest)
	os.MkdirAll(filepath.Join(e.dir, "remote", "m"), 0o755)
	os.WriteFile(filepath.Join(e.dir, "remote", "m", "latest.jsonl"), old, 0o644)
	remote, _ := local.New(filepath.Join(e.dir, "remote"))
	e.cfg.Manifest = filepath.Join(e.dir, "fresh", "manifest.jsonl")
	e.cfg.Copy = runner.NewManifestCopy(sinks.Guard(remote), "m", runner.Shard{}, nil)
	e.cfg.CopyEvery = time.Hour
	res, err := runner.Run(context.Background(), e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Summary.Recordings[archiver.OutcomeEarlier]; n != 3 {
		t.Fatalf("%d of 3 earlier", n)
	}
	if _, got := segmentsTogether(filepath.Join(e.dir, "remote", "m")); string(got) != string(old) {
		t.Fatalf("the segments hold %d bytes, the earlier release's copy %d", len(got), len(old))
	}
}
