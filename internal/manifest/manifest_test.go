package manifest_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

func TestDamagedLinesAreSkippedAndReportedWithTheirNumber(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	huge := `{"recording_id":"big","error":"` + strings.Repeat("x", manifest.MaxLine+10) + `"}`
	os.WriteFile(path, []byte("not json\n{\"recording_id\":\"a\"}\n"+huge+"\n\n{\"recording_id\":\"b\"}\n{\"recording_id\":\"torn"), 0o644)
	entries, problems, err := manifest.ReadChecked(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].RecordingID != "a" || entries[1].RecordingID != "b" {
		t.Fatalf("entries = %+v, want a and b", entries)
	}
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	if fmt.Sprint(lines) != "[1 3 4]" {
		t.Fatalf("problems = %v, want lines 1 (not JSON), 3 (too long) and 4 (empty); the torn last line is not one", problems)
	}
}

func TestErrorTextIsBoundedSoEveryLineStaysReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.jsonl")
	w, err := manifest.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	body := "API said: " + strings.Repeat("é", 40<<20)
	if err := w.Write(manifest.Entry{RecordingID: "r", Kind: manifest.KindMedia, Status: manifest.StatusFailed, Error: body}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	entries, problems, err := manifest.ReadChecked(path)
	if err != nil || len(problems) != 0 || len(entries) != 1 {
		t.Fatalf("entries %d, problems %v, err %v", len(entries), problems, err)
	}
	got := entries[0].Error
	if len(got) > manifest.MaxErrorBytes || !strings.HasPrefix(got, "API said: é") || !utf8.ValidString(got) {
		t.Fatalf("error kept %d bytes, starting %q", len(got), got[:min(len(got), 20)])
	}
}

func TestIndexKeepsEveryArchivedObjectWhateverCameLater(t *testing.T) {
	lines := []manifest.Entry{
		{RecordingID: "r", Kind: manifest.KindMedia, Destination: "d1", Status: manifest.StatusArchived, SHA256: "old"},
		{RecordingID: "r", Kind: manifest.KindMedia, Destination: "d1", Status: manifest.StatusPresent, SHA256: "new"},
		{RecordingID: "r", Kind: manifest.KindMedia, Destination: "d2", Status: manifest.StatusArchived, SHA256: "kept"},
		{RecordingID: "r", Kind: manifest.KindMedia, Destination: "d2", Status: manifest.StatusFailed},
		{RecordingID: "r", Kind: manifest.KindMetadata, Destination: "d2", Status: manifest.StatusArchived, SHA256: "meta"},
		{RecordingID: "r", Status: manifest.StatusPending},
	}
	idx := manifest.NewIndex(lines)
	if e, _ := idx.Lookup("d1", manifest.KindMedia); e.SHA256 != "new" {
		t.Fatalf("d1 = %+v", e)
	}
	if e, ok := idx.Lookup("d2", manifest.KindMedia); !ok || e.SHA256 != "kept" {
		t.Fatal("an object archived once is no longer indexed after a later failed line")
	}
	if e, ok := idx.Lookup("d2", manifest.KindMetadata); !ok || e.SHA256 != "meta" {
		t.Fatal("two kinds at one destination stand for each other")
	}
	path := filepath.Join(t.TempDir(), "m.jsonl")
	w, _ := manifest.Create(path)
	for _, l := range lines {
		w.Write(l)
	}
	w.Close()
	var proven []string
	manifest.EachObject(path, func(int) {}, func(e manifest.Entry, _ time.Time) error {
		proven = append(proven, e.Destination+" "+e.Kind+" "+e.SHA256)
		return nil
	})
	if want := []string{"d1 media new", "d2 media kept", "d2 metadata meta"}; !slices.Equal(proven, want) {
		t.Fatalf("verify would prove %v, want %v", proven, want)
	}
}

func TestCompleteMeansDetailsWrittenAndNoFailureSince(t *testing.T) {
	meta := func(id, dest string, status manifest.Status) manifest.Entry {
		return manifest.Entry{RecordingID: id, Kind: manifest.KindMetadata, Destination: dest, Status: status}
	}
	idx := manifest.NewIndex([]manifest.Entry{
		meta("a", "da", manifest.StatusArchived),
		meta("b", "db", manifest.StatusArchived),
		{RecordingID: "b", Kind: manifest.KindMedia, Destination: "mb", Status: manifest.StatusFailed},
		{RecordingID: "c", Kind: manifest.KindMedia, Destination: "mc", Status: manifest.StatusArchived},
	})
	switch {
	case !idx.Complete("a", "da"):
		t.Error("a is complete")
	case idx.Complete("a", "elsewhere"):
		t.Error("a is not complete at another destination")
	case idx.Complete("b", "db"):
		t.Error("b failed after its details were written")
	case idx.Complete("c", "mc"):
		t.Error("c has no details file")
	}
}
