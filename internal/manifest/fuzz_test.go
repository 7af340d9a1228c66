package manifest

import (
	"bytes"
	"testing"
)

// FuzzReadManifest: whatever bytes a manifest holds (a crash, a disk error, an edit by hand), reading
// it never fails the run: every entry returned names a recording, and every skipped line is reported
// with a line number that exists.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(`{"recording_id":"r","kind":"media","status":"archived","size":1,"sha256":"ab"}` + "\n"))
	f.Add([]byte("not json\n{\"recording_id\":\"a\"}\n\n{\"recording_id\":\"torn"))
	f.Add([]byte("\n\n\n"))
	f.Add([]byte(`{"recording_id":""}` + "\n" + `[1,2,3]` + "\n" + `null` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, problems, err := decodeLines(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("reading from memory failed: %v", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if len(entries)+len(problems) > lines {
			t.Fatalf("%d entries and %d problems from %d lines", len(entries), len(problems), lines)
		}
		last := 0
		for _, p := range problems {
			if p.Line <= last || p.Line > lines {
				t.Fatalf("problem at line %d after %d, of %d lines", p.Line, last, lines)
			}
			last = p.Line
		}
		for _, e := range entries {
			if e.RecordingID == "" {
				t.Fatal("an entry without a recording id")
			}
		}
	})
}
