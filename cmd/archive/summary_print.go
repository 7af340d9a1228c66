package main

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/termsafe"
)

// printSummary prints the run's outcome: counts, every failure, and every recording RealtimeKit may
// still hold that the run left unarchived, soonest expiry first. runErr is what ended the run early
// (a manifest that could not be written, a stop, a listing that broke off), nil for a run that ended
// by itself: the summary names it, so the counts are read as what the manifest holds.
func printSummary(w io.Writer, s *archiver.Summary, opts *runOptions, runErr error) {
	elapsed := s.Finished.Sub(s.Started)
	abs, _ := filepath.Abs(opts.Manifest)
	now := opts.now()
	atRisk := slices.Clone(s.AtRisk)
	slices.SortStableFunc(atRisk, func(a, b archiver.Failure) int {
		// Soonest expiry first; unknown expiries last.
		unknown := func(f archiver.Failure) int {
			if f.Expiry.IsZero() {
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(unknown(a), unknown(b)), a.Expiry.Compare(b.Expiry))
	})
	if opts.JSON {
		printSummaryJSON(w, s, opts, atRisk, abs, elapsed, now, runErr)
		return
	}
	if opts.DryRun {
		printPlanTotals(w, s)
		printLost(w, s)
		printAtRisk(w, s, atRisk, opts, now)
		fmt.Fprintf(w, "dry run: %d recordings planned, %d archived earlier, %d pending, %d skipped, %d lost, %d failed; nothing was written\n",
			s.Recordings[archiver.OutcomePlanned], s.Recordings[archiver.OutcomeEarlier], s.Recordings[archiver.OutcomePending], s.Recordings[archiver.OutcomeSkipped], s.Recordings[archiver.OutcomeLost], s.Recordings[archiver.OutcomeFailed])
		return
	}
	rate := 0.0
	if secs := elapsed.Seconds(); secs > 0 {
		rate = float64(s.Bytes) / 1e6 / secs
	}
	fmt.Fprintf(w, "recordings: %d archived, %d present, %d earlier, %d pending, %d skipped, %d lost (%d new), %d failed (%s)\n",
		s.Recordings[archiver.OutcomeArchived], s.Recordings[archiver.OutcomePresent], s.Recordings[archiver.OutcomeEarlier], s.Recordings[archiver.OutcomePending], s.Recordings[archiver.OutcomeSkipped], s.Recordings[archiver.OutcomeLost], len(s.Lost), s.Recordings[archiver.OutcomeFailed], ofSelected(s))
	fmt.Fprintf(w, "files: %d archived, %d present, %d failed; %.1f MB in %s (%.1f MB/s)\n",
		s.Files[manifest.StatusArchived], s.Files[manifest.StatusPresent], s.Files[manifest.StatusFailed], float64(s.Bytes)/1e6, elapsed.Round(time.Millisecond), rate)
	for _, f := range s.Failures {
		fmt.Fprintf(w, "failed: %s: %s\n", termsafe.String(f.RecordingID), termsafe.String(f.Reason))
	}
	printLost(w, s)
	printAtRisk(w, s, atRisk, opts, now)
	if runErr != nil {
		fmt.Fprintf(w, "ENDED EARLY: %s\n", termsafe.String(runErr.Error()))
	}
	if sidecarMatches(opts.Manifest) {
		fmt.Fprintf(w, "manifest: %s (check it with: sha256sum -c %s.sha256)\n", abs, filepath.Base(opts.Manifest))
	} else {
		fmt.Fprintf(w, "manifest: %s (no %s.sha256 sidecar was written for it)\n", abs, filepath.Base(opts.Manifest))
	}
}

// ofSelected says how many recordings the counts are of: all those selected, or, when the run ended
// before it had handled them all, how many of them.
func ofSelected(s *archiver.Summary) string {
	done, planned, _ := s.Progress()
	if done < planned {
		return fmt.Sprintf("%d handled of %d selected", done, planned)
	}
	return fmt.Sprintf("of %d", s.Total())
}

// sidecarMatches reports whether the manifest's .sha256 sidecar exists and checks the manifest as it
// is now: one left by an earlier run, when this run could not write its own, does not.
func sidecarMatches(manifestPath string) bool {
	side, err := os.ReadFile(manifestPath + ".sha256")
	if err != nil {
		return false
	}
	f, err := os.Open(manifestPath)
	if err != nil {
		return false
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	want, _, _ := strings.Cut(string(side), " ")
	return want == hex.EncodeToString(h.Sum(nil))
}

// printLost lists the losses this run alarms for. Known losses are only counted: each was listed once,
// by the run that found it.
func printLost(w io.Writer, s *archiver.Summary) {
	if len(s.Lost) == 0 {
		return
	}
	lost := slices.Clone(s.Lost)
	slices.SortStableFunc(lost, func(a, b archiver.Failure) int { return a.Expiry.Compare(b.Expiry) })
	fmt.Fprintf(w, "LOST: %d recordings expired before any run archived them; RealtimeKit no longer has their media:\n", len(lost))
	for _, f := range lost {
		when := "expiry unknown"
		if !f.Expiry.IsZero() {
			when = "expired " + f.Expiry.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "  %s %s: expired before any run archived it\n", termsafe.String(f.RecordingID), when)
	}
}

// printAtRisk lists every recording RealtimeKit may still hold that the run leaves unarchived, soonest
// expiry first, and marks those expiring within the horizon.
func printAtRisk(w io.Writer, s *archiver.Summary, atRisk []archiver.Failure, opts *runOptions, now time.Time) {
	if len(atRisk) > 0 {
		fmt.Fprintf(w, "NOT ARCHIVED: %d recordings RealtimeKit may still hold are not archived yet (the next run retries them):\n", len(atRisk))
		for _, f := range atRisk {
			when := "expiry unknown"
			if !f.Expiry.IsZero() {
				when = fmt.Sprintf("expires %s (%s left)", f.Expiry.UTC().Format(time.RFC3339), f.Expiry.Sub(now).Round(time.Minute))
			}
			mark := ""
			if f.Urgent {
				mark = "AT RISK "
			}
			fmt.Fprintf(w, "  %s%s %s: %s\n", mark, termsafe.String(f.RecordingID), when, termsafe.String(f.Reason))
		}
		if n := s.Urgent(); n > 0 {
			fmt.Fprintf(w, "AT RISK: %d of them expire within %s: archive them before then or they are lost\n", n, opts.ExpiryWindow)
		}
	}
}

func printSummaryJSON(w io.Writer, s *archiver.Summary, opts *runOptions, atRisk []archiver.Failure, manifestPath string, elapsed time.Duration, now time.Time, runErr error) {
	type failure struct {
		RecordingID string    `json:"recording_id"`
		Reason      string    `json:"reason"`
		Expiry      time.Time `json:"expiry,omitzero"`
		LeftSeconds *float64  `json:"left_seconds,omitempty"`
		Urgent      bool      `json:"urgent,omitempty"`
	}
	conv := func(fs []archiver.Failure) []failure {
		out := []failure{}
		for _, f := range fs {
			ff := failure{RecordingID: f.RecordingID, Reason: f.Reason, Expiry: f.Expiry, Urgent: f.Urgent}
			if !f.Expiry.IsZero() {
				left := f.Expiry.Sub(now).Seconds()
				ff.LeftSeconds = &left
			}
			out = append(out, ff)
		}
		return out
	}
	out := map[string]any{
		"dry_run":    opts.DryRun,
		"recordings": s.Recordings,
		"files":      s.Files,
		"bytes":      s.Bytes,
		"seconds":    elapsed.Seconds(),
		"failures":   conv(s.Failures),
		"at_risk":    conv(atRisk),
		"lost":       conv(s.Lost),
		"manifest":   manifestPath,
		"shard":      opts.Shard.String(),
	}
	if runErr != nil {
		out["ended_early"] = runErr.Error()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(out)
}
