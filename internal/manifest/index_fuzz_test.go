package manifest

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

// FuzzIndexAgreesWithTheManifest: whatever a manifest holds, the index made by a scan of it, and that
// index saved and read back, answer every question the archiver asks as an index of all its entries
// does; and whatever bytes an index file holds behind a good digest, reading it fails or succeeds
// without a panic.
func FuzzIndexAgreesWithTheManifest(f *testing.F) {
	f.Add([]byte(`{"recording_id":"r","kind":"metadata","status":"archived","destination":"d/r.json","size":1,"sha256":"ab","target":"local","time":"2026-01-01T00:00:00Z"}` + "\n" +
		`{"recording_id":"r","kind":"media","status":"failed","error":"x ` + LostText + `","time":"2026-01-02T00:00:00Z"}` + "\n"))
	f.Add([]byte(`{"recording_id":"s","kind":"transcript","status":"archived","destination":"d/t","session_id":"S","file":"t.json","sha256":"` + string(bytes.Repeat([]byte("0"), 64)) + `"}` + "\n"))
	f.Add([]byte("not json\n{\"recording_id\":\"a\"}\n\n{\"recording_id\":\"torn"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _, err := decodeLines(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		whole := NewIndex(entries)
		var x Index
		x.init()
		if _, _, _, err := x.scan(bytes.NewReader(data), 0, 1, scanFilter{}); err != nil {
			t.Fatal(err)
		}
		var file bytes.Buffer
		if err := encodeIndex(&file, &x); err != nil {
			t.Fatal(err)
		}
		back, err := decodeIndex(bytes.NewReader(file.Bytes()), int64(file.Len()))
		if err != nil {
			t.Fatalf("an index read back: %v", err)
		}
		for _, idx := range []Index{x, back} {
			for _, e := range entries {
				if idx.Complete(e.RecordingID, e.Destination) != whole.Complete(e.RecordingID, e.Destination) ||
					idx.Lost(e.RecordingID) != whole.Lost(e.RecordingID) {
					t.Fatalf("the index and the manifest disagree on %+v", e)
				}
				got, ok := idx.Lookup(e.Destination, e.Kind)
				want, wok := whole.Lookup(e.Destination, e.Kind)
				if ok != wok || got.Size != want.Size || got.SHA256 != want.SHA256 {
					t.Fatalf("Lookup(%q, %q) = %+v %v, want %+v %v", e.Destination, e.Kind, got, ok, want, wok)
				}
				f1, ok1 := idx.Finished(e.RecordingID)
				f2, ok2 := whole.Finished(e.RecordingID)
				if ok1 != ok2 || f1 != f2 {
					t.Fatalf("Finished(%q) = %+v %v, want %+v %v", e.RecordingID, f1, ok1, f2, ok2)
				}
			}
		}
		sum := sha256.Sum256(data)
		decodeIndex(bytes.NewReader(append(append([]byte(nil), data...), sum[:]...)), int64(len(data)+len(sum)))
	})
}
