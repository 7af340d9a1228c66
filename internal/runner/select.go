package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// MediaLifetime is how long RealtimeKit keeps a recording's media after its upload.
const MediaLifetime = 7 * 24 * time.Hour

// CatchUpWindow is how far back the default listing reaches: the media lifetime, plus a day for a
// recording that ran up to 24 h before its upload started the 7 days, plus a day's margin for the
// undocumented timestamp the listing filters on. Every run so looks at everything RealtimeKit may still
// hold, and missed nights, pending recordings and late uploads are caught up by the next run.
const CatchUpWindow = MediaLifetime + 2*24*time.Hour

// Selection is which recordings a run considers.
type Selection struct {
	Backfill     bool // archive IDs (from an ID file) instead of listing the window
	IDs          []archiver.Job
	Since, Until time.Time // the listing window
	MeetingID    string
	Shard        Shard
}

// ErrTokenRefused means the API refused the token (401/403) before any recording was handled: a
// configuration error, not a failed night.
var ErrTokenRefused = errors.New("the API refused the token")

// errSelection marks a selection failure that is neither a stop nor a refused token.
var errSelection = errors.New("selecting recordings failed")

// selectionError sorts out why selecting recordings failed: a stop (ErrInterrupted), a token the API
// refuses (ErrTokenRefused), or anything else.
func selectionError(what string, err error) error {
	var apiErr *fetch.APIError
	switch {
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("%w while %s", ErrInterrupted, what)
	case errors.As(err, &apiErr) && (apiErr.Status == http.StatusUnauthorized || apiErr.Status == http.StatusForbidden):
		return fmt.Errorf("%w (%v)", ErrTokenRefused, apiErr)
	}
	return fmt.Errorf("%w: %s: %w", errSelection, what, err)
}
