// Package manifest writes and reads the run manifest: one JSON line per file handled, and a sha256sum
// sidecar that proves the manifest itself is whole.
package manifest

import (
	"time"
)

// Kinds of file a line can be about.
const (
	KindMedia    = "media"
	KindAudio    = "audio"
	KindTrack    = "track"
	KindMetadata = "metadata"

	// A session's artifacts: stored once per session, their lines carry SessionID.
	KindTranscript = "transcript"
	KindSummary    = "summary"
	KindChat       = "chat"
)

// Status is what a line says of its file: the contract's vocabulary, which the pipeline's outcomes
// extend.
type Status string

// Statuses a line can have.
const (
	StatusArchived Status = "archived" // copied and verified this run
	StatusPresent  Status = "present"  // already at the destination and verified
	StatusPending  Status = "pending"  // recording not ready yet
	StatusSkipped  Status = "skipped"  // nothing to archive
	StatusFailed   Status = "failed"
)

// Entry is one line of the manifest. The first seven fields are the contract; the rest help operators.
type Entry struct {
	RecordingID string `json:"recording_id"`
	Kind        string `json:"kind"`
	Status      Status `json:"status"`
	Destination string `json:"destination,omitempty"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	Error       string `json:"error,omitempty"`

	Target string    `json:"target,omitempty"` // destination type of the config: aws, gcs, local, ...
	File   string    `json:"file,omitempty"`   // file name within the recording, e.g. the track's name
	Expiry time.Time `json:"expiry,omitzero"`  // download_url_expiry, for recordings still at risk
	// SessionID is the session a transcript, summary or chat line is about.
	SessionID string `json:"session_id,omitempty"`
	// Checksum is the destination's own checksum of the object ("crc32c:<base64>"), kept when the
	// object itself could not record our SHA-256 (an S3 multipart upload): a later run or verify
	// proves the object by it without reading the body.
	Checksum string `json:"checksum,omitempty"`
	// KeyID names the key the object is encrypted with when the destination uses one the user chose
	// (a KMS key, an encryption scope, "sse-c:md5:..." for a customer-supplied key): never a key.
	KeyID string    `json:"key_id,omitempty"`
	Time  time.Time `json:"time"` // when the line was written
}

// Done reports whether the entry says the file is safely at its destination.
func (e Entry) Done() bool { return e.Status == StatusArchived || e.Status == StatusPresent }
