package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// terminal stands in for a terminal on stderr.
type terminal struct{ bytes.Buffer }

func (*terminal) IsTerminal() bool { return true }

// runOnTerminal runs the command as main would, with stderr on a (pretend) terminal.
func (c *cli) runOnTerminal(args ...string) (code int, stdout, stderr string) {
	var out bytes.Buffer
	var errOut terminal
	getenv := func(k string) string { return c.env[k] }
	wd, _ := os.Getwd()
	os.Chdir(c.dir) // the default ./archive lands in the temp dir
	defer os.Chdir(wd)
	args = append([]string{args[0], "--api-rate", "0"}, args[1:]...)
	err := run(context.Background(), nil, args, getenv, strings.NewReader(""), &out, &errOut)
	code = exitCode(err, &errOut)
	return code, out.String(), errOut.String()
}

func TestEveryLogLineNamesTheRunVersionAndShard(t *testing.T) {
	c := newCLI(t, uploaded(1, 1000), uploaded(2, 1000), uploaded(3, 1000))
	runIDs := map[string]bool{}
	for i, args := range [][]string{
		{"run", "--log-format", "json", "--log-level", "debug"},
		{"run", "--log-format", "json", "--shard", "1/2", "--manifest", c.dir + "/m2.jsonl"},
	} {
		code, _, stderr := c.run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) < 2 {
			t.Fatalf("%v: only %d log lines", args, len(lines))
		}
		ids := map[string]bool{}
		for _, l := range lines {
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatalf("not JSON: %q", l)
			}
			id, _ := rec["run_id"].(string)
			if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) || rec["version"] != version {
				t.Errorf("line without run_id or version: %s", l)
			}
			if want := []string{"all", "1/2"}[i]; rec["shard"] != want {
				t.Errorf("shard %v, want %s: %s", rec["shard"], want, l)
			}
			ids[id] = true
		}
		if len(ids) != 1 {
			t.Errorf("one run logged %d run IDs", len(ids))
		}
		for id := range ids {
			if runIDs[id] {
				t.Error("two runs share a run_id")
			}
			runIDs[id] = true
		}
	}
	// Text, as a terminal shows it at --log-level debug: the same fields on every line.
	_, _, stderr := c.runOnTerminal("run", "--log-level", "debug", "--progress", "never", "--manifest", c.dir+"/m3.jsonl")
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if !regexp.MustCompile(`run_id=[0-9a-f]{16} version=\S+ shard=all`).MatchString(l) {
			t.Errorf("text line without run_id, version and shard: %s", l)
		}
	}
}

func TestLogLevels(t *testing.T) {
	perFile := []string{`msg=archived `, `msg="recording archived"`}
	failing := func() *cli {
		c := newCLI(t, uploaded(1, 1000), uploaded(2, 5000))
		return c
	}
	// A person at a terminal: the progress line, the recording that needs attention, the summary; no
	// line per file.
	c := failing()
	code, stdout, stderr := c.runOnTerminal("run", "--max-file-size", "2KiB")
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, s := range perFile {
		if strings.Contains(stderr, s) {
			t.Errorf("the terminal's default shows per-file lines (%s):\n%s", s, stderr)
		}
	}
	if n := strings.Count(stderr, "level=ERROR"); n != 1 || !strings.Contains(stderr, `msg="recording failed" `) || !strings.Contains(stderr, fetchtest.UUID(2)) {
		t.Errorf("want one error line for the failed recording, got %d:\n%s", n, stderr)
	}
	if strings.Contains(stderr, "level=INFO") || strings.Contains(stderr, "level=DEBUG") {
		t.Errorf("info or debug lines at the terminal's default:\n%s", stderr)
	}
	if !strings.Contains(stderr, "2/2 recordings · ") || !strings.Contains(stdout, "1 archived") {
		t.Errorf("no progress line or no summary:\n%s\n%s", stderr, stdout)
	}

	// --log-level debug on a terminal, and JSON at its default: per-file lines.
	c = failing()
	_, _, stderr = c.runOnTerminal("run", "--log-level", "debug", "--max-file-size", "2KiB")
	for _, s := range perFile {
		if !strings.Contains(stderr, s) {
			t.Errorf("--log-level debug does not show %s:\n%s", s, stderr)
		}
	}
	c = failing()
	_, _, stderr = c.run("run", "--log-format", "json", "--max-file-size", "2KiB")
	for _, s := range []string{`"msg":"archived"`, `"msg":"recording archived"`, `"level":"INFO"`} {
		if !strings.Contains(stderr, s) {
			t.Errorf("JSON logs do not have %s:\n%s", s, stderr)
		}
	}
	if strings.Contains(stderr, `"level":"DEBUG"`) {
		t.Error("debug lines in JSON logs at the default level")
	}

	// The environment's level, and a flag that overrides it.
	c = failing()
	c.env["ARCHIVE_LOG_LEVEL"] = "error"
	_, _, stderr = c.run("run", "--log-format", "json", "--max-file-size", "2KiB")
	if strings.Contains(stderr, `"level":"INFO"`) || !strings.Contains(stderr, `"level":"ERROR"`) {
		t.Errorf("ARCHIVE_LOG_LEVEL=error:\n%s", stderr)
	}
	_, _, stderr = c.run("run", "--log-format", "json", "--log-level", "info", "--manifest", c.dir+"/m2.jsonl")
	if !strings.Contains(stderr, `"level":"INFO"`) {
		t.Errorf("--log-level info does not override ARCHIVE_LOG_LEVEL:\n%s", stderr)
	}
	if code, _, stderr := c.run("run", "--log-level", "loud"); code != 2 || !strings.Contains(stderr, "--log-level") {
		t.Errorf("--log-level loud: exit %d, %s", code, stderr)
	}
}
