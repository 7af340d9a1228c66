package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// A manifest that stops taking lines, as on a full disk: the file size limit (ulimit -f) makes the
// kernel refuse the write that would grow it past 2 KiB, while the small media files still fit.
func TestSummaryAfterTheManifestFailsSaysWhatItHolds(t *testing.T) {
	var recs []fetchtest.Recording
	for i := range 8 {
		r := uploaded(i+1, 100)
		recs = append(recs, r)
	}
	c := newCLI(t, recs...)
	cmd := exec.Command("bash", "-c", `ulimit -f 4 && exec "$0" "$@"`, binary(t), "run", "--api-rate", "0", "--concurrency", "1", "--log-format", "json")
	cmd.Dir = c.dir
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := exitStatus(cmd.Run())
	out := stdout.String()
	t.Logf("exit %d\n%s", code, out)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, stderr.String())
	}
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	archived := 0
	for _, e := range entries {
		if e.Status == manifest.StatusArchived {
			archived++
		}
	}
	if archived == 0 || archived >= 2*len(recs) {
		t.Fatalf("%d archived lines: the limit did not stop the manifest mid-run", archived)
	}
	for _, want := range []string{
		fmt.Sprintf("files: %d archived,", archived), // only what the manifest holds
		"ENDED EARLY: writing the manifest: manifest " + c.env["ARCHIVE_MANIFEST"] + ": write",
		fmt.Sprintf("handled of %d selected", len(recs)),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary does not say %q:\n%s", want, out)
		}
	}
	// The sidecar is small enough to be written: it is named, and it checks the manifest as it is.
	if !strings.Contains(out, "check it with: sha256sum -c manifest.jsonl.sha256") {
		t.Errorf("the sidecar is not named:\n%s", out)
	}
	sidecar(t, c)
}

// The summary names the sidecar only when it checks the manifest: not when none was written, nor when
// the one there is an earlier run's.
func TestSummaryNamesTheSidecarOnlyWhenItChecksTheManifest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.jsonl")
	os.WriteFile(path, []byte("{}\n"), 0o644)
	opts := &runOptions{Manifest: path, now: time.Now}
	summary := func() string {
		var b bytes.Buffer
		printSummary(&b, archiver.NewSummary(), opts, nil)
		return b.String()
	}
	const named = "check it with: sha256sum -c manifest.jsonl.sha256"
	if out := summary(); strings.Contains(out, named) || !strings.Contains(out, "no manifest.jsonl.sha256 sidecar") {
		t.Fatalf("without a sidecar:\n%s", out)
	}
	if err := manifest.WriteSidecar(path); err != nil {
		t.Fatal(err)
	}
	if out := summary(); !strings.Contains(out, named) {
		t.Fatalf("with the sidecar:\n%s", out)
	}
	os.WriteFile(path, []byte("{}\n{}\n"), 0o644) // lines added after, by a run that could not write its own
	if out := summary(); strings.Contains(out, named) {
		t.Fatalf("with a stale sidecar:\n%s", out)
	}
}
