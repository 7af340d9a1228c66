package archiver

import "github.com/rtk-archive/rtk-archive/internal/manifest"

// Outcome is what became of one recording in a run: a manifest status, or one of the few outcomes
// that have no line of their own.
type Outcome string

// The outcomes a summary counts.
const (
	OutcomeArchived = Outcome(manifest.StatusArchived)
	OutcomePresent  = Outcome(manifest.StatusPresent)
	OutcomePending  = Outcome(manifest.StatusPending)
	OutcomeSkipped  = Outcome(manifest.StatusSkipped)
	OutcomeFailed   = Outcome(manifest.StatusFailed)
	// OutcomeEarlier: the manifest holds the recording as completely archived at its destination, so
	// it costs no API call, no download and no request to the destination; `archive verify` audits it.
	OutcomeEarlier Outcome = "earlier"
	// OutcomeLost: RealtimeKit's copy was gone before any run archived the recording here. The first
	// run that sees it writes a failed line and fails; later runs count it without failing (see lost.go).
	OutcomeLost Outcome = "lost"
	// OutcomePlanned: a dry run would archive the recording.
	OutcomePlanned Outcome = "planned"
)
