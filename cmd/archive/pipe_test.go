package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// pipedRun starts `archive run` as a process whose stdout and stderr are given.
func pipedRun(t *testing.T, c *cli, stdout, stderr io.Writer) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary(t), "run", "--api-rate", "0", "--concurrency", "2", "--log-format", "json", "--log-level", "debug")
	cmd.Dir = c.dir
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// assertCompleted checks that the run did all its work: every good recording archived, the
// sidecar written, no temporary file left.
func assertCompleted(t *testing.T, c *cli, recs []fetchtest.Recording) {
	t.Helper()
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	archived := 0
	for _, e := range entries {
		if e.Kind == manifest.KindMedia && e.Status == manifest.StatusArchived {
			archived++
		}
	}
	if archived != len(recs) {
		t.Fatalf("%d of %d recordings archived", archived, len(recs))
	}
	sidecar(t, c)
	assertNoPartials(t, c, recs)
	if left, _ := filepath.Glob(filepath.Join(c.dir, "archive", "*", ".rtk-partial-*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// `archive run 2>&1 | head -1`: the reader of both outputs goes away after one line, and the run
// still does everything and exits with its own status (1: one recording has an unknown status).
func TestOutputsPipedIntoHeadDoNotEndTheRun(t *testing.T) {
	recs := slowRecordings(4)
	bad := fetchtest.Recording{ID: fetchtest.UUID(99), Status: "BOGUS", Invoked: recs[0].Invoked}
	c := newCLI(t, append(recs, bad)...)
	c.api.SetDownloadRate(2_000_000) // 0.2 s per file: logs keep coming after the reader is gone
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := pipedRun(t, c, w, w)
	w.Close()
	line, _ := bufio.NewReader(r).ReadString('\n')
	r.Close()
	err = cmd.Wait()
	if code := exitStatus(err); code != 1 {
		t.Fatalf("exit %d (%v), want the run's own 1; first line: %s", code, err, line)
	}
	assertCompleted(t, c, recs)
}

// A closed stdout (its reader gone before the run starts): the summary can't be written, and the
// run exits 0 all the same.
func TestClosedStdoutDoesNotChangeTheExitStatus(t *testing.T) {
	recs := slowRecordings(2)
	c := newCLI(t, recs...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	var errOut bytes.Buffer
	cmd := pipedRun(t, c, w, &errOut)
	w.Close()
	if code := exitStatus(cmd.Wait()); code != 0 {
		t.Fatalf("exit %d with stdout closed, want 0\n%s", code, errOut.String())
	}
	assertCompleted(t, c, recs)
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, syscall.EPIPE }

// Logs that can't be written are dropped, and the summary says so once.
func TestDroppedLogsAreNotedInTheSummary(t *testing.T) {
	c := newCLI(t, uploaded(1, 1000))
	var out bytes.Buffer
	stderr := &droppingWriter{w: brokenPipe{}}
	wd, _ := os.Getwd()
	os.Chdir(c.dir)
	defer os.Chdir(wd)
	err := run(t.Context(), nil, []string{"run", "--api-rate", "0", "--log-format", "json"}, func(k string) string { return c.env[k] }, nil, &out, stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "writes to stderr were dropped after it failed: broken pipe") {
		t.Fatalf("summary:\n%s", out.String())
	}
}
