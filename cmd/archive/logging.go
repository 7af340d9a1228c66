package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// logLevels are the values --log-level takes.
var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

// parseLogLevel checks a --log-level value; "" means the default for the format.
func parseLogLevel(s string) error {
	if _, ok := logLevels[strings.ToLower(s)]; s != "" && !ok {
		return usagef("--log-level %q: must be debug, info, warn or error", s)
	}
	return nil
}

// newLogger builds the one logger of a command: text on a terminal, JSON otherwise, unless told. attrs
// (run_id, version, shard) go on every line, so one run's lines can be pulled out of a log store.
//
// The default level depends on who reads: a person at a terminal sees warnings and errors only (a
// recording that failed or is at risk is one of those), beside the live progress line and the
// summary; a log collector gets info too, every recording and file. --log-level overrides both.
func newLogger(format, level string, stderr io.Writer, attrs ...any) *slog.Logger {
	terminal := isTerminal(stderr)
	if format == "" {
		format = "json"
		if terminal {
			format = "text"
		}
	}
	lvl, ok := logLevels[strings.ToLower(level)]
	if !ok {
		lvl = slog.LevelInfo
		if format == "text" && terminal {
			lvl = slog.LevelWarn
		}
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler = slog.NewJSONHandler(stderr, opts)
	if format == "text" {
		h = slog.NewTextHandler(stderr, opts)
	}
	return slog.New(h).With(attrs...)
}

// newRunID is a random name for one run, on each of its log lines.
func newRunID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return fmt.Sprintf("%x", b) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}
