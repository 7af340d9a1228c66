package archiver_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// A media file named like the details file used to be overwritten by them, while the manifest said
// the media was archived.
func TestMediaNamedLikeTheDetailsKeepsBoth(t *testing.T) {
	r := fetchtest.Recording{ID: fetchtest.UUID(1), Status: "UPLOADED", OutputFileName: "recording.json", MediaSize: 5000}
	e := newEnv(t, r)
	sum, entries := e.run(false, r.ID)
	if sum.Recordings["archived"] != 1 {
		t.Fatalf("recordings %v, failures %+v", sum.Recordings, sum.Failures)
	}
	dests := map[string]bool{}
	for _, en := range entries {
		if dests[en.Destination] {
			t.Fatalf("two manifest lines for one destination %s", en.Destination)
		}
		dests[en.Destination] = true
		if en.Kind == manifest.KindMedia && en.File != "recording_media.json" {
			t.Fatalf("media stored as %q, want recording_media.json", en.File)
		}
	}
	if fi, err := os.Stat(filepath.Join(e.dir, r.ID, "recording_media.json")); err != nil || fi.Size() != r.MediaSize {
		t.Fatalf("the media: %v, %v", fi, err)
	}
	b, err := os.ReadFile(filepath.Join(e.dir, r.ID, "recording.json"))
	var doc map[string]any
	if err != nil || json.Unmarshal(b, &doc) != nil || doc["id"] != r.ID {
		t.Fatalf("recording.json is not the details: %v\n%.200s", err, b)
	}
	// A re-run without the manifest finds both where it put them.
	e.manifest = filepath.Join(t.TempDir(), "fresh.jsonl")
	if sum, _ := e.run(false, r.ID); sum.Recordings["present"] != 1 {
		t.Fatalf("re-run: %v, failures %+v", sum.Recordings, sum.Failures)
	}
}
