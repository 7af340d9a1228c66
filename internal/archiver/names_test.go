package archiver

import (
	"slices"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

const testID = "3f2b8c1e-0000-4000-8000-000000000001"

// planNames is the names (relative to the recording's folder) plan gives rec's files, metadata last.
func planNames(t *testing.T, rec *fetch.Recording) []string {
	t.Helper()
	var names []string
	for _, f := range append(plan(rec, "p"), metadataFile(rec, "p")) {
		dir := "p/" + recordingDir(rec.ID) + "/"
		if !strings.HasPrefix(f.Key, dir) {
			t.Fatalf("key %q is outside %q", f.Key, dir)
		}
		names = append(names, strings.TrimPrefix(f.Key, dir))
	}
	return names
}

func TestReservedAndClashingNamesGiveWay(t *testing.T) {
	long := strings.Repeat("x", maxNameBytes-5) + ".webm"
	cases := map[string]struct {
		rec  fetch.Recording
		want []string
	}{
		"ordinary": {fetch.Recording{OutputFileName: "call.mp4", DownloadURL: "https://h/m.mp4", AudioDownloadURL: "https://h/a/voice.m4a"},
			[]string{"call.mp4", "voice.m4a", "recording.json"}},
		"media named like the details": {fetch.Recording{OutputFileName: "recording.json", DownloadURL: "https://h/m"},
			[]string{"recording_media.json", "recording.json"}},
		"the same without case": {fetch.Recording{OutputFileName: "Recording.JSON", DownloadURL: "https://h/m"},
			[]string{"Recording_media.JSON", "recording.json"}},
		"media named like the track folder": {fetch.Recording{OutputFileName: "tracks", DownloadURL: "https://h/m", Tracks: []fetch.TrackFile{{Layer: "a", File: "v.webm", URL: "https://h/t"}}},
			[]string{"tracks_media", "tracks/a/v.webm", "recording.json"}},
		"audio named like the details": {fetch.Recording{OutputFileName: "call.mp4", DownloadURL: "https://h/m", AudioDownloadURL: "https://h/recording.json"},
			[]string{"call.mp4", "call_audio.json", "recording.json"}},
		"audio named like the media": {fetch.Recording{OutputFileName: "call.m4a", DownloadURL: "https://h/m", AudioDownloadURL: "https://h/CALL.m4a"},
			[]string{"call.m4a", "call_audio.m4a", "recording.json"}},
		"audio named like the media's audio": {fetch.Recording{OutputFileName: "call_audio.m4a", DownloadURL: "https://h/m", AudioDownloadURL: "https://h/call_audio.m4a"},
			[]string{"call_audio.m4a", "call_audio_audio.m4a", "recording.json"}},
		"a temporary file's name": {fetch.Recording{OutputFileName: ".rtk-partial-123.mp4", DownloadURL: "https://h/m"},
			[]string{"_.rtk-partial-123.mp4", "recording.json"}},
		"tracks that sanitise alike": {fetch.Recording{Tracks: []fetch.TrackFile{
			{Layer: "cam", File: "a_b.webm", URL: "https://h/1"}, {Layer: "cam", File: "a/b.webm", URL: "https://h/2"}, {Layer: "cam", File: "a:b.webm", URL: "https://h/3"}}},
			[]string{"tracks/cam/a_b.webm", "tracks/cam/a_b-2.webm", "tracks/cam/a_b-3.webm", "recording.json"}},
		"layers that sanitise alike": {fetch.Recording{Tracks: []fetch.TrackFile{
			{Layer: "x_y", File: "v.webm", URL: "https://h/1"}, {Layer: "x/y", File: "v.webm", URL: "https://h/2"}, {Layer: "X_Y", File: "V.webm", URL: "https://h/3"}}},
			[]string{"tracks/X_Y/V.webm", "tracks/x_y/v-2.webm", "tracks/x_y/v-3.webm", "recording.json"}},
		"a numbered name that exists": {fetch.Recording{Tracks: []fetch.TrackFile{
			{Layer: "c", File: "v-2.webm", URL: "https://h/1"}, {Layer: "c", File: "v.webm", URL: "https://h/2"}, {Layer: "c", File: "v?webm", URL: "https://h/3"}, {Layer: "c", File: "v/webm", URL: "https://h/4"}}},
			[]string{"tracks/c/v-2.webm", "tracks/c/v.webm", "tracks/c/v_webm", "tracks/c/v_webm-2", "recording.json"}},
		"long names stay within the limit": {fetch.Recording{Tracks: []fetch.TrackFile{{Layer: "c", File: long, URL: "https://h/1"}, {Layer: "c", File: long + " ", URL: "https://h/2"}}},
			[]string{"tracks/c/" + long, "tracks/c/" + strings.Repeat("x", maxNameBytes-7) + "-2.webm", "recording.json"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.rec.ID = testID
			got := planNames(t, &tc.rec)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("names %q, want %q", got, tc.want)
			}
			// The same details in another order give every file the same key.
			slices.Reverse(tc.rec.Tracks)
			if again := planNames(t, &tc.rec); !slices.Equal(again, got) {
				t.Fatalf("with the tracks reversed: %q, want %q", again, got)
			}
		})
	}
}

func TestLongNamesAreCutInTheStemKeepingTheExtension(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"ascii":              {strings.Repeat("a", 296) + ".mp4", strings.Repeat("a", maxNameBytes-4) + ".mp4"},
		"two-byte runes":     {strings.Repeat("é", 148) + ".mp4", strings.Repeat("é", 98) + ".mp4"},
		"no extension":       {strings.Repeat("a", 300), strings.Repeat("a", maxNameBytes)},
		"a long 'extension'": {"a." + strings.Repeat("b", 298), "a." + strings.Repeat("b", maxNameBytes-2)},
	} {
		t.Run(name, func(t *testing.T) {
			if got := safeName(tc.in); got != tc.want {
				t.Fatalf("safeName of %d bytes = %q (%d bytes), want %q", len(tc.in), got, len(got), tc.want)
			}
		})
	}
}

func TestUnsafeRecordingIDsGetAFolderOfTheirOwn(t *testing.T) {
	seen := map[string]string{}
	for _, id := range []string{testID, "..", "../x", "a/b", "a_b", "", " "} {
		dir := recordingDir(id)
		if safeName(dir) != dir || dir == "" {
			t.Errorf("recordingDir(%q) = %q is not one safe segment", id, dir)
		}
		if other, ok := seen[dir]; ok {
			t.Errorf("IDs %q and %q share the folder %q", id, other, dir)
		}
		seen[dir] = id
	}
	if recordingDir(testID) != testID {
		t.Errorf("a UUID's folder is %q, want the UUID", recordingDir(testID))
	}
}
