package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

// hostile is text an API or an ID file could carry to take over the operator's terminal: a screen clear,
// a title change, an 8-bit CSI and a right-to-left override.
const hostile = "\x1b[2J\x1b]0;pwned\x07\u009b31m\u202egnp.exe"

// assertTerminalSafe fails when out has a line that would not print as itself.
func assertTerminalSafe(t *testing.T, what, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if !termsafe.Safe(line) {
			t.Errorf("%s has a line a terminal would act on: %q", what, line)
		}
	}
}

func TestSummaryAndPlanEscapeWhatTheyDidNotWrite(t *testing.T) {
	rec := uploaded(1, 100)
	rec.OutputFileName = "call" + hostile + ".mp4"
	c := newCLI(t, rec)
	c.stdin = "hostile" + hostile + "\n" + rec.ID + "\n"

	code, stdout, stderr := c.run("run", "--ids", "-", "--log-format", "text", "--progress", "never")
	if code != 1 || !strings.Contains(stdout, "failed: hostile\\x1b[2J") {
		t.Fatalf("exit %d; want 1 and an escaped failed: line\n%s\n%s", code, stdout, stderr)
	}
	assertTerminalSafe(t, "the summary", stdout)
	assertTerminalSafe(t, "the text log", stderr)

	// A manifest of its own: the first run left the recording complete in the default one.
	code, stdout, stderr = c.run("run", "--ids", "-", "--dry-run", "--log-format", "text", "--manifest", "dry.jsonl")
	if !strings.Contains(stdout, "would archive") {
		t.Fatalf("exit %d; no plan\n%s\n%s", code, stdout, stderr)
	}
	assertTerminalSafe(t, "the dry-run plan", stdout)
	assertTerminalSafe(t, "the dry-run log", stderr)
}

// slog's TextHandler quotes (strconv.Quote) any message, key or value with a character that is not
// printable, and the bidi controls are not; this holds it to that, since the run relies on it.
func TestTextLogsQuoteHostileText(t *testing.T) {
	var buf bytes.Buffer
	log := newLogger("text", "info", &buf)
	log.Info("recording "+hostile, "recording_id", hostile, hostile, 1, "error", errors.New(hostile), "file", []byte(hostile))
	log.With("recording_id", hostile).WithGroup(hostile).Warn("x", "reason", "a\nb")
	if strings.Count(buf.String(), "\n") != 2 {
		t.Fatalf("two records did not make two lines:\n%s", buf.String())
	}
	assertTerminalSafe(t, "the text log", buf.String())
}

func TestExitMessageIsEscaped(t *testing.T) {
	var buf bytes.Buffer
	exitCode(errors.New("listing recordings: API said "+hostile+"\nsecond line"), &buf)
	assertTerminalSafe(t, "the exit message", buf.String())
	if !strings.Contains(buf.String(), "\nsecond line") {
		t.Fatalf("the line break of a multi-line message was lost: %q", buf.String())
	}
}
