package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// readModes are the values of verify --read.
var readModes = map[string]sinks.ReadMode{"auto": sinks.ReadAuto, "always": sinks.ReadAlways, "never": sinks.ReadNever}

func parseReadMode(v string) (sinks.ReadMode, error) {
	m, ok := readModes[v]
	if !ok {
		return 0, usagef("--read %q: must be auto, always or never", v)
	}
	return m, nil
}

// lockSlack is how much earlier than the manifest line's time plus the configured period an object's
// retain-until may be: the upload that set it started before the line was written.
const lockSlack = 24 * time.Hour

// proveOne proves one object as mode allows and returns how ("read", "stored sha256", ...) with its
// lock, or what is wrong with it.
// written is when the object was uploaded (the first archived line's time), zero when no line says.
func proveOne(ctx context.Context, r *router, e manifest.Entry, mode sinks.ReadMode, written time.Time) (how, problem string) {
	s, key, err := r.locate(ctx, e)
	if err != nil {
		return "", err.Error()
	}
	want := sinks.Object{Key: key, Size: e.Size, SHA256: e.SHA256, Checksum: e.Checksum}
	d, proof, err := sinks.Prove(ctx, s, key, want, mode)
	switch {
	case errors.Is(err, sinks.ErrNotFound):
		return "", "missing"
	case err != nil:
		return "", err.Error()
	}
	how = "proven by " + proof
	if d.Class != "" {
		how += ", class " + d.Class
	}
	if l := describeLock(d.Lock); l != "" {
		how += ", " + l
	}
	if problem := checkLock(s, written, d.Lock); problem != "" {
		return "", problem + " (" + how + ")"
	}
	return how, ""
}

// checkLock fails an object whose lock is weaker than the destination's configuration asks: no
// retention, a retain-until earlier than configured for an object uploaded at written, or no hold.
// Without the upload time (only "present" lines) the retain-until is not compared.
func checkLock(s sinks.Sink, written time.Time, got sinks.Lock) string {
	want, ok := sinks.WantLock(s, written)
	if !ok {
		return ""
	}
	var bad []string
	if want.Mode != "" && got.Mode == "" && got.RetainUntil.IsZero() {
		bad = append(bad, fmt.Sprintf("no retention, %s configured", want.Mode))
	}
	if !want.RetainUntil.IsZero() && !written.IsZero() && got.RetainUntil.Before(want.RetainUntil.Add(-lockSlack)) {
		bad = append(bad, fmt.Sprintf("retained until %s, shorter than configured (%s)", timeText(got.RetainUntil), timeText(want.RetainUntil)))
	}
	if want.Hold && !got.Hold {
		bad = append(bad, "no legal hold, one configured")
	}
	return strings.Join(bad, "; ")
}

func describeLock(l sinks.Lock) string {
	var parts []string
	if l.Mode != "" || !l.RetainUntil.IsZero() {
		parts = append(parts, strings.TrimSpace("locked "+l.Mode+" until "+timeText(l.RetainUntil)))
	}
	if l.Hold {
		parts = append(parts, "legal hold")
	}
	return strings.Join(parts, ", ")
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339)
}
