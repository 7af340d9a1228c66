package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

func TestParseArtifacts(t *testing.T) {
	cases := map[string][]string{
		"":                   nil,
		"all":                {"transcript", "summary", "chat"},
		"chat, Transcript":   {"transcript", "chat"},
		"summary,summary,":   {"summary"},
		"all,chat":           {"transcript", "summary", "chat"},
		" transcript , chat": {"transcript", "chat"},
	}
	for in, want := range cases {
		got, err := parseArtifacts(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("parseArtifacts(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestABadArtifactsValueExits2NamingIt(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  string
		word string
	}{
		"flag":          {args: []string{"run", "--artifacts", "transcript,recordings"}, word: `"recordings"`},
		"environment":   {args: []string{"run"}, env: "chats", word: `"chats"`},
		"flag over env": {args: []string{"run", "--artifacts", "none"}, env: "all", word: `"none"`},
	} {
		t.Run(name, func(t *testing.T) {
			c := newCLI(t, uploaded(1, 100))
			if tc.env != "" {
				c.env["ARCHIVE_ARTIFACTS"] = tc.env
			}
			code, _, stderr := c.run(tc.args...)
			if code != 2 || !strings.Contains(stderr, "--artifacts") || !strings.Contains(stderr, tc.word) {
				t.Fatalf("exit %d, stderr %q; want 2 naming %s", code, stderr, tc.word)
			}
			if _, err := os.Stat(c.env["ARCHIVE_MANIFEST"]); err == nil {
				t.Fatal("a manifest was written on bad usage")
			}
		})
	}
}

// sessionRecordings are n uploaded recordings, each of its own session with all three artifacts.
func sessionRecordings(c *cli, n int) {
	for i := 1; i <= n; i++ {
		r := uploaded(i, 10_000)
		r.SessionID = fetchtest.UUID(600 + i)
		c.api.Add(r)
		c.api.AddSession(fetchtest.Session{ID: r.SessionID, TranscriptSize: 2000, SummarySize: 300, ChatSize: 400})
	}
}

// TestTheAPICostOfArtifacts measures what the README states: without --artifacts a run over listed
// recordings makes one call per list page and no detail call; --artifacts all adds 3 per new session,
// and nothing once they are archived.
func TestTheAPICostOfArtifacts(t *testing.T) {
	const n = 4
	without := newCLI(t)
	sessionRecordings(without, n)
	if code, out, errOut := without.run("run"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	base := without.api.APICalls()

	c := newCLI(t)
	sessionRecordings(c, n)
	code, plan, _ := c.run("run", "--dry-run", "--artifacts", "all")
	if code != 0 || strings.Count(plan, "would look up") != 3*n {
		t.Fatalf("dry run: exit %d, want %d look-ups planned:\n%s", code, 3*n, plan)
	}
	dry := c.api.APICalls()
	if code, out, errOut := c.run("run", "--artifacts", "all"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	with := c.api.APICalls() - dry
	c.run("run", "--artifacts", "all")
	rerun := c.api.APICalls() - dry - with
	t.Logf("API calls for %d recordings of %d sessions: %d without --artifacts, %d with --artifacts all, %d on the rerun; the dry run made %d", n, n, base, with, rerun, dry)
	if base != 1 || with != base+3*n || rerun != 1 || dry != 1 {
		t.Fatalf("API calls: %d without, %d with --artifacts all, %d on the rerun, %d in the dry run; want 1, %d, 1, 1", base, with, rerun, dry, 1+3*n)
	}
}

func TestVerifyChecksArtifactObjects(t *testing.T) {
	c := newCLI(t)
	sessionRecordings(c, 1)
	shared := uploaded(2, 10_000)
	shared.SessionID = fetchtest.UUID(601)
	c.api.Add(shared)
	if code, out, errOut := c.run("run", "--artifacts", "all"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	// Two recordings of one session: 2 media, 2 recording.json and 3 artifacts stored once.
	if code, out, _ := c.run("verify"); code != 0 || !strings.Contains(out, "verified 7 of 7 archived objects: 7 ok") {
		t.Fatalf("verify of an intact archive: %d\n%s", code, out)
	}
	transcript := filepath.Join(c.dir, "archive", "sessions", fetchtest.UUID(601), "transcript.json")
	data, err := os.ReadFile(transcript)
	if err != nil {
		t.Fatal(err)
	}
	data[10] ^= 0xff
	os.WriteFile(transcript, data, 0o644)
	os.Remove(filepath.Join(c.dir, "archive", "sessions", fetchtest.UUID(601), "chat.csv"))
	code, out, _ := c.run("verify")
	if code != 1 || !strings.Contains(out, "2 failed") || !strings.Contains(out, "transcript.json: SHA-256") || !strings.Contains(out, "chat.csv: missing") {
		t.Fatalf("verify of a damaged transcript and a missing chat: exit %d\n%s", code, out)
	}
}
