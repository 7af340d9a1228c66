package manifesttest_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/manifest/manifesttest"
)

// The synthetic lines are manifest lines: the reader takes every one, as the run wrote them.
func TestHistoryWritesManifestLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	buf, _ := os.Create(path)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n, err := manifesttest.History(buf, "file:///a", 7, 3, from, from.Add(time.Hour))
	if err != nil || n != 6 {
		t.Fatalf("%d lines, %v", n, err)
	}
	buf.Close()
	entries, problems, err := manifest.ReadChecked(path)
	if err != nil || len(problems) > 0 || len(entries) != 6 {
		t.Fatalf("%d entries, %v, %v", len(entries), problems, err)
	}
	x := manifest.NewIndex(entries)
	if !x.Complete(manifesttest.ID(8), "file:///a/2025/01/01/"+manifesttest.ID(8)+"/recording.json") {
		t.Fatal("a synthetic recording is not complete at its details' destination")
	}
}
