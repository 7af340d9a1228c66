package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// A backfill ID older than the listing reaches, which an earlier run archived, costs nothing again: no
// detail call, no request to the destination, no manifest line.
func TestAFinishedBackfillIDCostsNothingAgain(t *testing.T) {
	old := uploaded(1, 2000)
	old.Invoked, old.Expiry = time.Now().Add(-20*24*time.Hour), time.Now().Add(24*time.Hour)
	c := newCLI(t, old)
	c.stdin = old.ID + "\n"
	if code, out, errOut := c.run("run", "--ids", "-"); code != 0 || !strings.Contains(out, "1 archived") {
		t.Fatalf("first backfill: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := c.api.Requests(fetchtest.DetailRoute(old.ID)); n != 1 {
		t.Fatalf("%d detail calls for an ID the listing does not return, want 1", n)
	}
	before, _ := os.Stat(c.env["ARCHIVE_MANIFEST"])
	c.stdin = old.ID + "\n"
	if code, out, errOut := c.run("run", "--ids", "-"); code != 0 || !strings.Contains(out, "1 earlier") {
		t.Fatalf("second backfill: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := c.api.Requests(fetchtest.DetailRoute(old.ID)); n != 1 {
		t.Fatal("the second backfill fetched the details of an ID the manifest holds as complete")
	}
	if after, _ := os.Stat(c.env["ARCHIVE_MANIFEST"]); after.Size() != before.Size() {
		t.Fatal("the second backfill wrote manifest lines for an ID the manifest holds as complete")
	}
}

// On a fresh pod with manifest_destination (the backfill Job's emptyDir, a retried pod), the state holds
// what runs wrote lately: a resumed backfill skips what it finished without a request.
func TestAResumedBackfillOnAFreshPodCostsNothingAgain(t *testing.T) {
	old := uploaded(1, 2000)
	old.Invoked, old.Expiry = time.Now().Add(-20*24*time.Hour), time.Now().Add(24*time.Hour)
	c := newCLI(t, old)
	os.WriteFile(filepath.Join(c.dir, "c.yaml"), []byte("destinations:\n  local:\n    dir: archive\nmanifest_destination:\n  type: local\n  dir: "+filepath.Join(c.dir, "remote")+"\n"), 0o644)
	c.stdin = old.ID + "\n"
	if code, out, errOut := c.run("run", "--config", "c.yaml", "--ids", "-"); code != 0 || !strings.Contains(out, "1 archived") {
		t.Fatalf("first backfill: exit %d\n%s\n%s", code, out, errOut)
	}
	os.Remove(c.env["ARCHIVE_MANIFEST"])
	os.Remove(c.env["ARCHIVE_MANIFEST"] + ".index")
	c.stdin = old.ID + "\n"
	if code, out, errOut := c.run("run", "--config", "c.yaml", "--ids", "-"); code != 0 || !strings.Contains(out, "1 earlier") {
		t.Fatalf("resumed backfill on a fresh pod: exit %d\n%s\n%s", code, out, errOut)
	}
	if n := c.api.Requests(fetchtest.DetailRoute(old.ID)); n != 1 {
		t.Fatal("the resumed backfill fetched the details of an ID the state holds as complete")
	}
}
