package manifest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/manifest/manifesttest"
)

var day0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// history writes n synthetic recordings (first..first+n-1), a day each from day0 + firstDay days.
func appendHistory(t *testing.T, path string, first, n, firstDay int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	from := day0.AddDate(0, 0, firstDay)
	if _, err := manifesttest.History(f, "file:///a", first, n, from, from.AddDate(0, 0, n)); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func metaURL(n, day int) string {
	return "file:///a/" + day0.AddDate(0, 0, day).Format("2006/01/02") + "/" + manifesttest.ID(n) + "/recording.json"
}

func complete(x manifest.Index, n, day int) bool {
	return x.Complete(manifesttest.ID(n), metaURL(n, day))
}

// A run reads only the lines appended since the index was saved, and decides as a run reading the whole
// manifest would; what the window does not reach is not held.
func TestTheIndexIsExtendedFromItsOffsetAndPrunedToTheWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	appendHistory(t, path, 0, 30, 0) // recordings 0..29 on days 0..29
	w := manifest.Window{Since: day0.AddDate(0, 0, 20)}
	x, info, err := manifest.LoadIndex(path, w)
	if err != nil || !info.Rebuilt || info.Why != "" {
		t.Fatalf("first load: %+v, %v", info, err)
	}
	if complete(x, 19, 19) || !complete(x, 20, 20) || !complete(x, 29, 29) {
		t.Fatal("the first index does not hold exactly the window")
	}
	if err := x.Save(path); err != nil {
		t.Fatal(err)
	}
	size := fileSize(t, path)
	appendHistory(t, path, 30, 5, 30)
	w.Since = day0.AddDate(0, 0, 25)
	x, info, err = manifest.LoadIndex(path, w)
	if err != nil || info.Rebuilt || info.Read != fileSize(t, path)-size {
		t.Fatalf("second load read %d bytes (the new lines are %d), rebuilt %v: %v", info.Read, fileSize(t, path)-size, info.Rebuilt, err)
	}
	if complete(x, 24, 24) || !complete(x, 25, 25) || !complete(x, 34, 34) {
		t.Fatal("the extended index does not hold exactly the window")
	}
	if x.Offset() != fileSize(t, path) {
		t.Fatalf("offset %d, manifest %d bytes", x.Offset(), fileSize(t, path))
	}
}

// A window reaching further back than the saved index is served by a rebuild, not by less.
func TestAWiderWindowRebuildsTheIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	appendHistory(t, path, 0, 30, 0)
	x, _, _ := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 20)})
	x.Save(path)
	x, info, err := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 10)})
	if err != nil || !info.Rebuilt || !strings.Contains(info.Why, "reaches back") || !complete(x, 10, 10) {
		t.Fatalf("%+v, %v", info, err)
	}
}

// A backfill holds the window and every line of the recordings it names, however old, and nothing else.
func TestABackfillHoldsItsRecordingsWhateverTheirAge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	appendHistory(t, path, 0, 30, 0)
	x, _, err := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 25), IDs: []string{strings.ToUpper(manifesttest.ID(3))}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := x.Finished(manifesttest.ID(3)); !ok || !complete(x, 3, 3) || complete(x, 4, 4) || !complete(x, 26, 26) {
		t.Fatal("a backfill's index does not hold its recording and the window alone")
	}
	if err := x.Save(path); err == nil {
		t.Fatal("a backfill's index was saved as the window's")
	}
	// Beside a window's index file, the named recordings' older lines come from the manifest.
	w, _, _ := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 25)})
	w.Save(path)
	appendHistory(t, path, 30, 1, 30)
	x, info, err := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 25), IDs: []string{manifesttest.ID(3), manifesttest.ID(27)}})
	if err != nil || info.Rebuilt {
		t.Fatalf("%+v, %v", info, err)
	}
	if !complete(x, 3, 3) || complete(x, 4, 4) || !complete(x, 27, 27) || !complete(x, 30, 30) {
		t.Fatal("a backfill's index beside the window's does not hold its recordings and the window")
	}
}

// A backfill resumed on a fresh pod finds what the state holds: the lines runs wrote lately.
func TestABackfillOnAFreshPodStartsFromTheState(t *testing.T) {
	other := filepath.Join(t.TempDir(), "m.jsonl")
	appendHistory(t, other, 0, 10, 0)
	x, _, _ := manifest.LoadIndex(other, manifest.Window{Since: day0.AddDate(0, 0, 5)})
	x.Save(other)
	state, _ := os.Open(manifest.IndexPath(other))
	defer state.Close()
	path := filepath.Join(t.TempDir(), "m.jsonl")
	manifest.SeedIndex(path, state)
	x, _, err := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 5), IDs: []string{manifesttest.ID(7)}})
	if _, ok := x.Finished(manifesttest.ID(7)); err != nil || !ok {
		t.Fatalf("a finished recording of the state is not found by a backfill on a fresh pod: %v", err)
	}
}

// Whatever a crash or an operator leaves, the next run reads a correct index: a torn or damaged index
// file, an index ahead of its manifest, a manifest replaced under it, a manifest with a torn last line.
func TestTheIndexSurvivesEveryCrash(t *testing.T) {
	w := manifest.Window{Since: day0}
	cases := map[string]struct {
		damage  func(t *testing.T, path string)
		rebuilt string // what the rebuild says, "" when the index is extended
	}{
		"torn index file": {func(t *testing.T, path string) {
			os.Truncate(manifest.IndexPath(path), fileSize(t, manifest.IndexPath(path))/2)
		}, "damaged"},
		"a flipped byte in the index": {func(t *testing.T, path string) {
			b, _ := os.ReadFile(manifest.IndexPath(path))
			b[len(b)/2] ^= 1
			os.WriteFile(manifest.IndexPath(path), b, 0o644)
		}, "damaged"},
		"an empty index file": {func(t *testing.T, path string) { os.WriteFile(manifest.IndexPath(path), nil, 0o644) }, "damaged"},
		"index ahead of the manifest": {func(t *testing.T, path string) {
			os.Truncate(path, fileSize(t, path)-100)
			w, err := manifest.Create(path) // cuts the torn line, as the next run does
			if err != nil {
				t.Fatal(err)
			}
			w.Close()
		}, "the manifest has"},
		"manifest replaced by another of the same length": {func(t *testing.T, path string) {
			b, _ := os.ReadFile(path)
			os.WriteFile(path, []byte(strings.ReplaceAll(string(b), manifesttest.ID(9), manifesttest.ID(99))), 0o644)
		}, "not the ones indexed"},
		"a torn last line appended": {func(t *testing.T, path string) {
			f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString(`{"recording_id":"` + manifesttest.ID(50) + `","kind":"meta`)
			f.Close()
		}, ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.jsonl")
			appendHistory(t, path, 0, 10, 0)
			x, _, _ := manifest.LoadIndex(path, w)
			if err := x.Save(path); err != nil {
				t.Fatal(err)
			}
			tc.damage(t, path)
			x, info, err := manifest.LoadIndex(path, w)
			if err != nil {
				t.Fatal(err)
			}
			if tc.rebuilt == "" && info.Rebuilt || tc.rebuilt != "" && !strings.Contains(info.Why, tc.rebuilt) {
				t.Fatalf("rebuilt %v: %q, want %q", info.Rebuilt, info.Why, tc.rebuilt)
			}
			// The index agrees with the manifest as it now is, line for line.
			entries, _ := manifest.Read(path)
			whole := manifest.NewIndex(entries)
			for n := range 10 {
				if complete(x, n, n) != complete(whole, n, n) {
					t.Fatalf("recording %d: the index says %v, the manifest %v", n, complete(x, n, n), complete(whole, n, n))
				}
			}
			// The next writer repairs the torn line, appends, and the index follows.
			mw, err := manifest.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			mw.Write(manifest.Entry{RecordingID: manifesttest.ID(60), Kind: manifest.KindMetadata, Status: manifest.StatusArchived, Destination: "file:///x/60", Time: day0.AddDate(0, 0, 60)})
			mw.Close()
			if _, err := x.CatchUp(path); err != nil {
				t.Fatal(err)
			}
			if !x.Complete(manifesttest.ID(60), "file:///x/60") || x.Offset() != fileSize(t, path) {
				t.Fatal("the index did not follow the repaired manifest")
			}
		})
	}
}

// A fresh pod starts from another pod's state: its empty manifest continues the other one's history.
func TestASeededIndexContinuesAnotherPodsHistory(t *testing.T) {
	other := filepath.Join(t.TempDir(), "m.jsonl")
	appendHistory(t, other, 0, 10, 0)
	x, _, _ := manifest.LoadIndex(other, manifest.Window{Since: day0})
	x.Save(other)
	state, _ := os.Open(manifest.IndexPath(other))
	defer state.Close()
	path := filepath.Join(t.TempDir(), "fresh", "m.jsonl")
	n, err := manifest.SeedIndex(path, state)
	if err != nil || n != fileSize(t, manifest.IndexPath(other)) {
		t.Fatalf("seeded %d bytes: %v", n, err)
	}
	x, info, err := manifest.LoadIndex(path, manifest.Window{Since: day0})
	if err != nil || info.Rebuilt || !complete(x, 9, 9) {
		t.Fatalf("the seeded index was not used: %+v, %v", info, err)
	}
	appendHistory(t, path, 10, 1, 10)
	x, info, err = manifest.LoadIndex(path, manifest.Window{Since: day0})
	if err != nil || info.Rebuilt || !complete(x, 9, 9) || !complete(x, 10, 10) {
		t.Fatalf("the seeded index was not extended: %+v, %v", info, err)
	}
}

// The index keeps what the archiver asks of it through a save and a load: objects, completeness, losses
// and session artifacts.
func TestASavedIndexAnswersAsTheManifest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	mw, _ := manifest.Create(path)
	at := day0
	lines := []manifest.Entry{
		{RecordingID: "r1", Kind: manifest.KindMedia, Status: manifest.StatusArchived, Destination: "d/r1/m", Size: 5, SHA256: strings.Repeat("ab", 32)},
		{RecordingID: "r1", Kind: manifest.KindTranscript, Status: manifest.StatusArchived, Destination: "d/s/t.json", File: "t.json", SessionID: "s", Target: "local"},
		{RecordingID: "r1", Kind: manifest.KindMetadata, Status: manifest.StatusArchived, Destination: "d/r1/recording.json", Target: "local"},
		{RecordingID: "r2", Kind: manifest.KindMetadata, Status: manifest.StatusArchived, Destination: "d/r2/recording.json"},
		{RecordingID: "r2", Kind: manifest.KindMedia, Status: manifest.StatusFailed, Error: "checksum"},
		{RecordingID: "R3", Kind: manifest.KindMedia, Status: manifest.StatusFailed, Error: "media " + manifest.LostText},
	}
	for _, e := range lines {
		e.Time = at
		mw.Write(e)
	}
	mw.Close()
	x, _, _ := manifest.LoadIndex(path, manifest.Window{Since: day0})
	x.Save(path)
	x, info, err := manifest.LoadIndex(path, manifest.Window{Since: day0})
	if err != nil || info.Rebuilt {
		t.Fatalf("%+v %v", info, err)
	}
	if e, ok := x.Lookup("d/r1/m", manifest.KindMedia); !ok || e.Size != 5 || e.SHA256 != strings.Repeat("ab", 32) {
		t.Fatalf("Lookup = %+v", e)
	}
	if !x.Complete("r1", "d/r1/recording.json") || x.Complete("r2", "d/r2/recording.json") {
		t.Fatal("Complete")
	}
	if f, ok := x.Finished("r1"); !ok || f.SessionID != "s" || f.Target != "local" {
		t.Fatalf("Finished = %+v", f)
	}
	if _, ok := x.Finished("r2"); ok {
		t.Fatal("a recording that failed after it was complete is finished")
	}
	if !x.Lost("r3") || x.Lost("r1") {
		t.Fatal("Lost")
	}
	if e, ok := x.Settled("s", manifest.KindTranscript, func(e manifest.Entry) bool { return true }); !ok || e.File != "t.json" {
		t.Fatalf("Settled = %+v", e)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// The sidecar a run writes from its index's digest is the manifest's own checksum: after a rebuild,
// after lines appended since, and on a fresh pod whose manifest starts empty after a seeded state.
func TestTheSidecarFromTheIndexIsTheManifestsChecksum(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.jsonl")
	check := func(x manifest.Index, path string) {
		t.Helper()
		if err := x.WriteSidecar(path); err != nil {
			t.Fatal(err)
		}
		fromIndex, _ := os.ReadFile(path + ".sha256")
		manifest.WriteSidecar(path)
		fromFile, _ := os.ReadFile(path + ".sha256")
		if string(fromIndex) != string(fromFile) {
			t.Fatalf("the sidecar from the index says %q, the manifest's checksum is %q", fromIndex, fromFile)
		}
	}
	appendHistory(t, path, 0, 10, 0)
	x, _, _ := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 5)})
	check(x, path)
	x.Save(path)
	appendHistory(t, path, 10, 3, 10)
	x, info, _ := manifest.LoadIndex(path, manifest.Window{Since: day0.AddDate(0, 0, 5)})
	if info.Rebuilt {
		t.Fatal("rebuilt")
	}
	check(x, path)

	state, _ := os.Open(manifest.IndexPath(path))
	defer state.Close()
	fresh := filepath.Join(dir, "fresh", "m.jsonl")
	manifest.SeedIndex(fresh, state)
	appendHistory(t, fresh, 20, 2, 20)
	x, _, _ = manifest.LoadIndex(fresh, manifest.Window{Since: day0})
	check(x, fresh)
}
