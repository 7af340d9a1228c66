package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

func TestSecondRunOnAManifestExits2NamingTheHolderUntilItDies(t *testing.T) {
	recs := slowRecordings(4)
	c := newCLI(t, recs...)
	c.api.SetDownloadRate(100_000) // 4 s per file: the first run is busy for a while
	first, firstOut := slowRun(t, c)
	defer first.Process.Kill()
	for deadline := time.Now().Add(30 * time.Second); c.api.Requests(fetchtest.DownloadRoute(recs[0].ID, fetchtest.MediaFile))+c.api.Requests(fetchtest.DownloadRoute(recs[1].ID, fetchtest.MediaFile)) == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the first run never started downloading\n%s", firstOut)
		}
		time.Sleep(20 * time.Millisecond)
	}

	second, secondOut := slowRun(t, c)
	start := time.Now()
	code := exitStatus(second.Wait())
	lockPath := manifest.LockPath(c.env["ARCHIVE_MANIFEST"])
	if code != 2 {
		t.Fatalf("second run: exit %d, want 2\n%s", code, secondOut)
	}
	for _, want := range []string{lockPath, fmt.Sprintf("pid=%d", first.Process.Pid)} {
		if !strings.Contains(secondOut.String(), want) {
			t.Errorf("the second run's message does not name %q:\n%s", want, secondOut)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the second run took %v to give up; it must not wait for the lock", d)
	}

	// The kernel releases the lock of a killed run: the next one goes ahead.
	first.Process.Kill()
	first.Wait()
	c.api.SetDownloadRate(0)
	if code, stdout, stderr := c.run("run"); code != 0 {
		t.Fatalf("run after the holder died: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

func TestSymlinkedManifestIsRefusedWithExit2(t *testing.T) {
	c := newCLI(t, uploaded(1, 100))
	target := filepath.Join(c.dir, "elsewhere.txt")
	os.WriteFile(target, []byte("not yours to truncate"), 0o644)
	if err := os.Symlink(target, c.env["ARCHIVE_MANIFEST"]); err != nil {
		t.Fatal("making the symlink the test needs:", err)
	}
	code, _, stderr := c.run("run")
	if code != 2 || !strings.Contains(stderr, c.env["ARCHIVE_MANIFEST"]) || !strings.Contains(stderr, "symbolic link") {
		t.Fatalf("exit %d, stderr %q; want 2 naming the link", code, stderr)
	}
	if b, _ := os.ReadFile(target); string(b) != "not yours to truncate" {
		t.Fatalf("the link's target became %q", b)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "archive")); err == nil {
		t.Fatal("something was archived although the run was refused")
	}
}
