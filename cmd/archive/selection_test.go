package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

func TestARefusedTokenExits2AndWritesNothing(t *testing.T) {
	for _, backfill := range []bool{false, true} {
		c := newCLI(t, uploaded(1, 1000))
		c.env["CLOUDFLARE_API_TOKEN"] = "revoked-token"
		args := []string{"run"}
		if backfill {
			c.stdin = fetchtest.UUID(1) + "\n"
			args = append(args, "--ids", "-")
		}
		code, stdout, stderr := c.run(args...)
		if code != 2 {
			t.Fatalf("backfill %v: exit %d, want 2 (configuration)\n%s\n%s", backfill, code, stdout, stderr)
		}
		for _, want := range []string{"refused the token", "CLOUDFLARE_API_TOKEN", "Realtime"} {
			if !strings.Contains(stderr, want) {
				t.Errorf("backfill %v: the message does not say %q: %s", backfill, want, stderr)
			}
		}
		if strings.Contains(stderr, "revoked-token") {
			t.Fatal("the token is in the message")
		}
		for _, name := range []string{"manifest.jsonl", "archive"} {
			if _, err := os.Stat(filepath.Join(c.dir, name)); err == nil {
				t.Fatalf("backfill %v: %s was written although the token was refused", backfill, name)
			}
		}
	}
}

func TestABadListItemFailsAloneAndTheRestIsArchived(t *testing.T) {
	bad := uploaded(2, 1000)
	bad.Override = map[string]any{"file_size": -1}
	nameless := uploaded(3, 1000)
	nameless.Override = map[string]any{"id": "../../../escape"}
	c := newCLI(t, uploaded(1, 1000), bad, nameless, uploaded(4, 1000))
	code, stdout, stderr := c.run("run")
	if code != 1 {
		t.Fatalf("exit %d, want 1: two items could not be archived\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "2 archived") || !strings.Contains(stdout, "2 failed") {
		t.Fatalf("summary: %s", stdout)
	}
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	var badLine *manifest.Entry
	for i, e := range entries {
		if e.RecordingID == bad.ID {
			badLine = &entries[i]
		}
		if strings.Contains(e.RecordingID, "escape") || strings.Contains(e.Destination, "escape") {
			t.Fatalf("a non-UUID id reached the manifest: %+v", e)
		}
	}
	if badLine == nil || badLine.Status != manifest.StatusFailed || !strings.Contains(badLine.Error, "file_size") {
		t.Fatalf("the bad item's line: %+v", badLine)
	}
	if !strings.Contains(stdout, "not a recording ID") {
		t.Fatalf("the summary does not report the item without a usable id: %s", stdout)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "escape")); err == nil {
		t.Fatal("something was written outside the archive")
	}
}

// TestSignalsStopTheSelectionAt130: the listing and the backfill's ordering listing are interrupted by
// a first signal (and a second one is no worse), on the real process.
func TestSignalsStopTheSelectionAt130(t *testing.T) {
	for _, tc := range []struct {
		name     string
		backfill bool
		signals  []syscall.Signal
	}{
		{"listing", false, []syscall.Signal{syscall.SIGTERM}},
		{"listing, two signals", false, []syscall.Signal{syscall.SIGTERM, syscall.SIGINT}},
		{"backfill ordering", true, []syscall.Signal{syscall.SIGINT}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, uploaded(1, 1000))
			c.api.Inject(fetchtest.ListRoute, fetchtest.Fault{Delay: 20 * time.Second})
			var extra []string
			if tc.backfill {
				ids := filepath.Join(c.dir, "ids.txt")
				os.WriteFile(ids, []byte(fetchtest.UUID(1)+"\n"), 0o644)
				extra = []string{"--ids", ids}
			}
			cmd, out := slowRun(t, c, extra...)
			for deadline := time.Now().Add(30 * time.Second); c.api.Requests(fetchtest.ListRoute) == 0; {
				if time.Now().After(deadline) {
					t.Fatal("the run never listed")
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			start := time.Now()
			for _, sig := range tc.signals {
				cmd.Process.Signal(sig)
				time.Sleep(50 * time.Millisecond)
			}
			err := cmd.Wait()
			if code := exitStatus(err); code != 130 {
				t.Fatalf("exit %d, want 130\n%s", code, out)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("the signal took %v to stop the listing", d)
			}
			if _, err := os.Stat(filepath.Join(c.dir, "archive")); err == nil {
				t.Fatal("a run stopped while selecting wrote to the archive")
			}
		})
	}
}
