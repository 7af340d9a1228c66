package runner_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/manifest/manifesttest"
	"github.com/rtk-archive/rtk-archive/internal/runner"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

// A run on a fresh pod (an empty folder) fetches from the manifest destination only the newest state,
// however long the history there, and still skips what is archived.
func TestAFreshPodFetchesTheStateNotTheHistory(t *testing.T) {
	e := newEnv(t, 20)
	remoteDir := filepath.Join(e.dir, "remote")
	history := yearOfNightlyRuns(t, remoteDir, "m", 50)
	remote, _ := local.New(remoteDir)
	sink := sinks.Guard(remote)

	pod := func(name string) (runner.Result, *runner.ManifestCopy) {
		t.Helper()
		cfg := e.cfg
		cfg.Manifest = filepath.Join(e.dir, name, "manifest.jsonl")
		cfg.Copy = runner.NewManifestCopy(sink, "m", runner.Shard{}, nil)
		cfg.CopyEvery = time.Hour
		res, err := runner.Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res, cfg.Copy
	}
	started := time.Now().UTC() // the day the first pod's state is named by, even if midnight passes meanwhile
	res, first := pod("pod1")
	if n := res.Summary.Recordings[archiver.OutcomeArchived]; n != 20 {
		t.Fatalf("the first pod archived %d of 20", n)
	}
	downloads := e.downloads(20)
	res, second := pod("pod2")
	if n := res.Summary.Recordings[archiver.OutcomeEarlier]; n != 20 {
		t.Fatalf("the fresh pod found %d of 20 archived recordings earlier", n)
	}
	if e.downloads(20) != downloads {
		t.Fatal("the fresh pod downloaded again what the state holds")
	}
	for i := range 20 {
		if e.api.Requests(fetchtest.DetailRoute(fetchtest.UUID(i))) != 0 {
			t.Fatal("the fresh pod fetched the details of a recording the state holds")
		}
	}
	state, _ := filepath.Glob(filepath.Join(remoteDir, "m", "state", started.Format("2006-01-02")+"-0001.index"))
	if len(state) == 0 {
		state, _ = filepath.Glob(filepath.Join(remoteDir, "m", "state", time.Now().UTC().Format("2006-01-02")+"-0001.index"))
	}
	if len(state) != 1 {
		t.Fatalf("today's state: %v", state)
	}
	fi, _ := os.Stat(state[0])
	t.Logf("history at the destination %d bytes; the first pod fetched %d, the second %d", history, first.Fetched, second.Fetched)
	if second.Fetched != fi.Size() || second.Fetched > history/20 {
		t.Fatalf("the fresh pod fetched %d bytes: the state is %d, the history %d", second.Fetched, fi.Size(), history)
	}
}

// yearOfNightlyRuns writes at the destination below prefix what a year of nightly runs leaves there,
// perDay recordings a night: each night's segment and its state (the index of its window). It returns
// the bytes of the segments.
func yearOfNightlyRuns(t *testing.T, dir, prefix string, perDay int) (history int64) {
	t.Helper()
	ledger := filepath.Join(t.TempDir(), "ledger.jsonl")
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for d := 365; d >= 1; d-- {
		night := today.AddDate(0, 0, -d).Add(3 * time.Hour)
		before := size(ledger)
		f, _ := os.OpenFile(ledger, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if _, err := manifesttest.History(f, "file:///old", (365-d)*perDay, perDay, night, night.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		x, _, err := manifest.LoadIndex(ledger, manifest.Window{Since: night.Add(-runner.CatchUpWindow - runner.IndexMargin)})
		if err != nil {
			t.Fatal(err)
		}
		if err := x.Save(ledger); err != nil {
			t.Fatal(err)
		}
		run := filepath.Join(dir, prefix, "runs", night.Format("20060102T150405.000000Z")+"-00000000")
		copyRange(t, ledger, before, filepath.Join(run, "000001.jsonl"))
		copyRange(t, manifest.IndexPath(ledger), 0, filepath.Join(dir, prefix, "state", night.Format("2006-01-02")+"-0001.index"))
	}
	return size(ledger)
}

func size(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func copyRange(t *testing.T, from string, offset int64, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	os.MkdirAll(filepath.Dir(to), 0o755)
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	src.Seek(offset, io.SeekStart)
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
}
