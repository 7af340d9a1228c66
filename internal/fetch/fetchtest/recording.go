package fetchtest

import (
	"crypto/sha256"
	"fmt"
	"time"
)

// Recording is one recording the fake serves. Sizes of 0 mean the file does not exist.
type Recording struct {
	ID             string
	MeetingID      string
	SessionID      string // the session it belongs to (see Session); rendered as null when empty
	Status         string // INVOKED, RECORDING, UPLOADING, UPLOADED, ERRORED, PAUSED, or anything else
	OutputFileName string
	MediaSize      int64
	AudioSize      int64
	Tracks         []Track
	StorageConfig  map[string]any // served as storage_config, secrets included, as the API may do
	Invoked        time.Time
	Expiry         time.Time // download_url_expiry; zero means seven days after Invoked

	// Warts of the real API, to prove the client tolerates them.
	FileSizeAsString bool  // file_size sent as "123"
	SpaceTimestamps  bool  // "2026-01-02 03:04:05.000Z" instead of RFC 3339 with T
	NoDownloadURL    bool  // UPLOADED with download_url null (RealtimeKit's own copy disabled)
	WrongFileSize    int64 // when non-zero, file_size says this instead of MediaSize

	// Override replaces fields of the rendered JSON, list and detail alike, with hostile or malformed
	// values (e.g. "file_size": -1, "invoked_time": "yesterday", "id": "../x").
	Override map[string]any
}

// Track is one file of a track recording.
type Track struct {
	Layer string
	File  string
	Size  int64
}

// MediaFile is the name under which the fake serves a recording's media file.
const (
	MediaFile = "media.mp4"
	AudioFile = "audio.m4a"
)

// TrackFile is the name under which the fake serves a track file.
func TrackFile(t Track) string { return "track-" + t.Layer + "-" + t.File }

// UUID returns a deterministic, well-formed UUID for n, for fixtures.
func UUID(n int) string {
	h := sha256.Sum256([]byte(fmt.Sprint("recording", n)))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

func (r *Recording) expiry() time.Time {
	if r.Expiry.IsZero() {
		return r.Invoked.Add(7 * 24 * time.Hour)
	}
	return r.Expiry
}
