package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the archive command once per test process: signals are tested on the real process.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "archive-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "archive")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building the command: %v", buildErr)
	}
	return binPath
}

// slowRun starts `archive run` as a process against a fake that serves media slowly.
func slowRun(t *testing.T, c *cli, extra ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(binary(t), append([]string{"run", "--api-rate", "0", "--concurrency", "2", "--log-format", "json"}, extra...)...)
	cmd.Dir = c.dir
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// waitForArchived waits until the manifest lists n archived media files.
func waitForArchived(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := manifest.Read(path)
		got := 0
		for _, e := range entries {
			if e.Kind == manifest.KindMedia && e.Status == manifest.StatusArchived {
				got++
			}
		}
		if got >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the manifest never listed %d archived files", n)
}

func exitStatus(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// assertNoPartials checks that every file in the archive is complete: temporary files may exist only
// under their temporary names, never at a final name.
func assertNoPartials(t *testing.T, c *cli, recs []fetchtest.Recording) {
	t.Helper()
	for _, r := range recs {
		p := filepath.Join(c.dir, "archive", r.ID, r.OutputFileName)
		fi, err := os.Stat(p)
		if err == nil && fi.Size() != r.MediaSize {
			t.Fatalf("partial file at a final name: %s has %d of %d bytes", p, fi.Size(), r.MediaSize)
		}
	}
}

func slowRecordings(n int) []fetchtest.Recording {
	var recs []fetchtest.Recording
	for i := range n {
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", OutputFileName: "m.mp4",
			MediaSize: 400_000, Invoked: time.Now().Add(-time.Duration(i+1) * time.Minute)})
	}
	return recs
}

func TestSIGTERMFinishesInFlightFilesThenExits130AndARerunCompletes(t *testing.T) {
	recs := slowRecordings(6)
	c := newCLI(t, recs...)
	c.api.SetDownloadRate(1_000_000) // 0.4 s per file
	cmd, out := slowRun(t, c, "--grace", "10s")
	waitForArchived(t, c.env["ARCHIVE_MANIFEST"], 1)
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if code := exitStatus(err); code != 130 {
		t.Fatalf("exit %d after SIGTERM, want 130\n%s", code, out)
	}
	entries, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	for _, e := range entries {
		if e.Status == manifest.StatusFailed {
			t.Fatalf("a file in flight was not allowed to finish within the grace period: %+v", e)
		}
	}
	if len(entries) >= 2*len(recs) {
		t.Fatal("the run did not stop starting new recordings")
	}
	sidecar(t, c)
	assertNoPartials(t, c, recs)

	c.api.SetDownloadRate(0)
	if code, stdout, stderr := c.run("run"); code != 0 || !strings.Contains(stdout, "(of 6)") {
		t.Fatalf("re-run exit %d\n%s\n%s", code, stdout, stderr)
	}
	waitForArchived(t, c.env["ARCHIVE_MANIFEST"], 6)
}

func TestSecondSignalAbortsAtOnceLeavingNothingPartial(t *testing.T) {
	recs := slowRecordings(4)
	c := newCLI(t, recs...)
	c.api.SetDownloadRate(100_000) // 4 s per file
	cmd, out := slowRun(t, c, "--grace", "1m")
	// The signal handlers are installed before the first API call; wait for a download in flight.
	downloads := func() (n int) {
		for _, r := range recs {
			n += c.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile))
		}
		return n
	}
	for deadline := time.Now().Add(30 * time.Second); downloads() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the run never started downloading")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	if code := exitStatus(err); code != 130 {
		t.Fatalf("exit %d, want 130\n%s", code, out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("the second signal took %v to stop the run", d)
	}
	assertNoPartials(t, c, recs)
	if left, _ := filepath.Glob(filepath.Join(c.dir, "archive", "*", ".rtk-partial-*")); len(left) > 0 {
		t.Fatalf("an aborted write left %v", left)
	}
	sidecar(t, c)
}

func TestSIGKILLThenRerunArchivesEverything(t *testing.T) {
	recs := slowRecordings(6)
	c := newCLI(t, recs...)
	c.api.SetDownloadRate(1_000_000)
	cmd, _ := slowRun(t, c)
	waitForArchived(t, c.env["ARCHIVE_MANIFEST"], 2)
	cmd.Process.Kill()
	cmd.Wait()
	assertNoPartials(t, c, recs)
	// A torn last line, as a crash mid-write leaves, must not stop the next run.
	f, _ := os.OpenFile(c.env["ARCHIVE_MANIFEST"], os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"recording_id":"` + recs[5].ID + `","kind":"med`)
	f.Close()

	c.api.SetDownloadRate(0)
	code, stdout, stderr := c.run("run")
	if code != 0 {
		t.Fatalf("re-run after SIGKILL: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "present") {
		t.Fatalf("re-run summary: %s", stdout)
	}
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}
	for _, e := range entries {
		if e.Kind == manifest.KindMedia && e.Done() {
			done[e.RecordingID] = true
		}
	}
	if len(done) != 6 {
		t.Fatalf("%d of 6 recordings archived after the re-run", len(done))
	}
	sidecar(t, c)
	for _, r := range recs {
		if fi, err := os.Stat(filepath.Join(c.dir, "archive", r.ID, "m.mp4")); err != nil || fi.Size() != r.MediaSize {
			t.Fatalf("%s not complete after the re-run", r.ID)
		}
	}
}

// sidecar checks the manifest against its .sha256 file.
func sidecar(t *testing.T, c *cli) {
	t.Helper()
	cmd := exec.Command("sha256sum", "-c", "manifest.jsonl.sha256")
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
}

func TestSIGHUPShutsDownCleanlyAndExits130(t *testing.T) {
	recs := slowRecordings(4)
	c := newCLI(t, recs...)
	c.api.SetDownloadRate(1_000_000) // 0.4 s per file
	cmd, out := slowRun(t, c, "--grace", "10s")
	waitForArchived(t, c.env["ARCHIVE_MANIFEST"], 1)
	cmd.Process.Signal(syscall.SIGHUP)
	if code := exitStatus(cmd.Wait()); code != 130 {
		t.Fatalf("exit %d after SIGHUP, want 130\n%s", code, out)
	}
	entries, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	for _, e := range entries {
		if e.Status == manifest.StatusFailed {
			t.Fatalf("a file in flight was not allowed to finish: %+v", e)
		}
	}
	if !strings.Contains(out.String(), "stop requested") {
		t.Fatalf("no graceful stop logged:\n%s", out)
	}
	sidecar(t, c)
	assertNoPartials(t, c, recs)
	if left, _ := filepath.Glob(filepath.Join(c.dir, "archive", "*", ".rtk-partial-*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// verify stops at the first signal: it has nothing in flight worth a grace period, and a pod being
// stopped sends only one before SIGKILL.
func TestVerifyStopsAtTheFirstSignal(t *testing.T) {
	c := newCLI(t, uploaded(1, 1000))
	if code, out, errOut := c.run("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
	stop := make(chan struct{})
	close(stop)
	var out, errOut bytes.Buffer
	err := run(t.Context(), stop, []string{"verify", "--manifest", c.env["ARCHIVE_MANIFEST"]}, func(k string) string { return c.env[k] }, nil, &out, &errOut)
	if code := exitCode(err, &errOut); code != 130 {
		t.Fatalf("verify after a signal: exit %d, want 130\n%s\n%s", code, out.String(), errOut.String())
	}
}
