package archiver

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"call.mp4", "", ".", "..", "...", " . ", "a/b", `a\b`, "\x00\x1b[2J", "\xff\xfe", "con:", "a\u202eb", strings.Repeat("é", 150), strings.Repeat("a", 199) + "\u00a0b", " x "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeName(s)
		switch {
		case !utf8.ValidString(got):
			t.Fatalf("safeName(%q) = %q is not UTF-8", s, got)
		case len(got) > maxNameBytes:
			t.Fatalf("safeName(%q) is %d bytes, more than %d", s, len(got), maxNameBytes)
		case got == "." || got == "..":
			t.Fatalf("safeName(%q) = %q", s, got)
		case strings.ContainsAny(got, `/\`):
			t.Fatalf("safeName(%q) = %q has a separator", s, got)
		case strings.IndexFunc(got, unicode.IsControl) >= 0:
			t.Fatalf("safeName(%q) = %q has a control character", s, got)
		case safeName(got) != got:
			// safePrefix and recordingDir rely on a safe name staying as it is.
			t.Fatalf("safeName(%q) = %q, but safeName of that is %q", s, got, safeName(got))
		}
	})
}

func FuzzPlanKeys(f *testing.F) {
	f.Add(testID, "call.mp4", "https://h/m.mp4?X-Amz-Signature=1", "https://h/a.m4a", "alice", "video.webm", "bob", "video.webm", "recordings/")
	f.Add(testID, "recording.json", "https://h/m", "https://h/recording.json", "", "", "", "", "")
	f.Add(testID, "tracks", "https://h/m", "https://h/tracks", "a/b", "c.webm", "a_b", "c.webm", "../..")
	f.Add("../../etc", "", "https://h/", "https://h/../..", "..", "..", ".", ".", "/")
	f.Add(testID, "Call.MP4", "https://h/m", "https://h/call.mp4", "x", "a/b.webm", "x", "a_b.webm", `a\..\b`)
	f.Add(testID, ".rtk-partial-1", "https://h/m", "https://h/.rtk-partial-2", "l", ".rtk-partial-3", "l", ".RTK-PARTIAL-3", "p")
	f.Fuzz(func(t *testing.T, id, outputName, mediaURL, audioURL, layer1, file1, layer2, file2, prefix string) {
		rec := &fetch.Recording{ID: id, OutputFileName: outputName, DownloadURL: mediaURL, AudioDownloadURL: audioURL}
		for _, tr := range []fetch.TrackFile{{Layer: layer1, File: file1, URL: "https://h/1"}, {Layer: layer2, File: file2, URL: "https://h/2"}} {
			if tr.Layer != "" || tr.File != "" {
				rec.Tracks = append(rec.Tracks, tr)
			}
		}
		dir := joinKey(safePrefix(prefix), recordingDir(id)) + "/"
		seen := map[string]string{}
		for _, f := range append(plan(rec, prefix), metadataFile(rec, prefix)) {
			if !strings.HasPrefix(f.Key, dir) {
				t.Fatalf("%s key %q is outside %q", f.Kind, f.Key, dir)
			}
			for _, seg := range strings.Split(f.Key, "/") {
				if seg == "" || seg == "." || seg == ".." || safeName(seg) != seg {
					t.Fatalf("%s key %q has the segment %q", f.Kind, f.Key, seg)
				}
			}
			rel := strings.TrimPrefix(f.Key, dir)
			if want := 1 + 2*strings.Count(f.Kind, "track"); strings.Count(rel, "/")+1 != want {
				t.Fatalf("%s key %q: %q is not %d segments deep", f.Kind, f.Key, rel, want)
			}
			folded := strings.ToLower(f.Key)
			if other, ok := seen[folded]; ok {
				t.Fatalf("%s and %s share the key %q", other, f.Kind, f.Key)
			}
			seen[folded] = f.Kind
		}
	})
}
