package manifest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

func TestWriteExtendAndSidecar(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	for run := range 2 {
		w, err := manifest.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(manifest.Entry{RecordingID: "r", Kind: manifest.KindMedia, Status: manifest.StatusArchived, Destination: "file:///a", Size: int64(run), SHA256: "ab"})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := manifest.Read(path)
	if err != nil || len(entries) != 2 {
		t.Fatalf("read %d entries, %v; want 2 (extended, not replaced)", len(entries), err)
	}
	data, _ := os.ReadFile(path)
	sum := sha256.Sum256(data)
	side, _ := os.ReadFile(path + ".sha256")
	if want := hex.EncodeToString(sum[:]) + "  m.jsonl\n"; string(side) != want {
		t.Fatalf("sidecar %q, want %q", side, want)
	}
}

func TestTornLastLineIsToleratedAndRepaired(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	good := `{"recording_id":"r1","kind":"media","status":"archived","destination":"file:///a","size":1,"sha256":"aa"}` + "\n"
	os.WriteFile(path, []byte(good+`{"recording_id":"r2","kind":"med`), 0o644)
	entries, err := manifest.Read(path)
	if err != nil || len(entries) != 1 {
		t.Fatalf("read %d entries, %v; want the 1 whole line", len(entries), err)
	}
	w, err := manifest.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(manifest.Entry{RecordingID: "r3", Kind: manifest.KindMedia, Status: manifest.StatusFailed, Error: "x"})
	w.Close()
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"r3"`) {
		t.Fatalf("after repair the manifest is:\n%s", data)
	}
}

func TestMalformedLineInTheMiddleIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	os.WriteFile(path, []byte("not json\n{\"recording_id\":\"r\"}\n"), 0o644)
	if _, err := manifest.Read(path); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v, want one naming line 1", err)
	}
}

func TestIndexKeepsTheLastWordPerDestination(t *testing.T) {
	idx := manifest.NewIndex([]manifest.Entry{
		{RecordingID: "r", Destination: "d1", Status: manifest.StatusArchived, SHA256: "old"},
		{RecordingID: "r", Destination: "d1", Status: manifest.StatusPresent, SHA256: "new"},
		{RecordingID: "r", Destination: "d2", Status: manifest.StatusArchived},
		{RecordingID: "r", Destination: "d2", Status: manifest.StatusFailed},
		{RecordingID: "r", Status: manifest.StatusPending},
	})
	if idx["d1"].SHA256 != "new" {
		t.Fatalf("d1 = %+v", idx["d1"])
	}
	if _, ok := idx["d2"]; ok {
		t.Fatal("a destination whose last line failed is still indexed as done")
	}
}
