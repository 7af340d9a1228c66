package manifest

import (
	"strings"
	"testing"
)

func TestSettledArtifacts(t *testing.T) {
	const sid = "5e55e55e-0000-4000-8000-000000000001"
	line := func(rec, kind string, st Status, dest string) Entry {
		return Entry{RecordingID: rec, Kind: kind, Status: st, Destination: dest, SessionID: sid}
	}
	here := func(e Entry) bool { return strings.HasPrefix(e.Destination, "file:///a/") }
	cases := []struct {
		name    string
		lines   []Entry
		settled bool
	}{
		{"nothing yet", nil, false},
		{"only pending", []Entry{line("r1", KindTranscript, StatusPending, "")}, false},
		{"archived here", []Entry{line("r1", KindTranscript, StatusArchived, "file:///a/sessions/s/transcript.json")}, true},
		{"archived elsewhere", []Entry{line("r1", KindTranscript, StatusArchived, "file:///b/sessions/s/transcript.json")}, false},
		{"present for a second recording", []Entry{line("r2", KindTranscript, StatusPresent, "file:///a/sessions/s/transcript.json")}, true},
		{"none", []Entry{line("r1", KindTranscript, StatusSkipped, "")}, true},
		{"failed after archived", []Entry{
			line("r1", KindTranscript, StatusArchived, "file:///a/sessions/s/transcript.json"),
			line("r1", KindTranscript, StatusFailed, "file:///a/sessions/s/transcript.json"),
		}, false},
		{"failed elsewhere does not count here", []Entry{
			line("r1", KindTranscript, StatusArchived, "file:///a/sessions/s/transcript.json"),
			line("r1", KindTranscript, StatusFailed, "file:///b/sessions/s/transcript.json"),
		}, true},
		{"another kind", []Entry{line("r1", KindChat, StatusArchived, "file:///a/sessions/s/chat.csv")}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := NewIndex(tc.lines)
			if _, got := x.Settled(sid, KindTranscript, here); got != tc.settled {
				t.Fatalf("settled = %v, want %v", got, tc.settled)
			}
		})
	}
}

func TestArtifactObjectsAreIndexedOnceForTwoRecordings(t *testing.T) {
	dest := "file:///a/sessions/s/transcript.json"
	x := NewIndex([]Entry{
		{RecordingID: "r1", Kind: KindTranscript, Status: StatusArchived, Destination: dest, Size: 3, SHA256: "abc", SessionID: "s"},
		{RecordingID: "r2", Kind: KindTranscript, Status: StatusPresent, Destination: dest, Size: 3, SHA256: "abc", SessionID: "s"},
	})
	if e, ok := x.Lookup(dest, KindTranscript); !ok || e.SHA256 != "abc" {
		t.Fatalf("Lookup = %+v, %v", e, ok)
	}
}
