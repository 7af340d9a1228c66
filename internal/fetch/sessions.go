package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// The session artifacts RealtimeKit keeps beside a recording, keyed by the recording's session_id.
const (
	ArtifactTranscript = "transcript"
	ArtifactSummary    = "summary"
	ArtifactChat       = "chat"
)

// ArtifactKinds lists every artifact kind in the order a run handles them.
var ArtifactKinds = []string{ArtifactTranscript, ArtifactSummary, ArtifactChat}

// artifactFields are each route's names for the URL and its expiry: the summary route answers in
// camelCase where the other two use snake_case.
var artifactFields = map[string][2]string{
	ArtifactTranscript: {"transcript_download_url", "transcript_download_url_expiry"},
	ArtifactSummary:    {"summaryDownloadUrl", "summaryDownloadUrlExpiry"},
	ArtifactChat:       {"chat_download_url", "chat_download_url_expiry"},
}

// Artifact is one session artifact's presigned URL.
type Artifact struct {
	SessionID   string
	Kind        string    // ArtifactTranscript, ArtifactSummary or ArtifactChat
	DownloadURL string    // presigned, like media: download it with OpenMedia
	Expiry      time.Time // zero when the API does not say
}

// SessionArtifact asks for one artifact of a session: GET .../sessions/{session_id}/{kind}. It goes
// through the same pacing, 429 gate, retries and body cap as every other API call, so it costs one
// request of the budget. A 404 (the session has no such artifact, or not yet), or an answer without a
// URL, matches ErrNotFound.
func (c *Client) SessionArtifact(ctx context.Context, sessionID, kind string) (*Artifact, error) {
	op := fmt.Sprintf("get %s of session %s", kind, sessionID)
	fields, ok := artifactFields[kind]
	switch {
	case !ok:
		return nil, fmt.Errorf("%s: unknown artifact kind", op)
	case !ValidID(sessionID):
		return nil, fmt.Errorf("%s: not a session ID (a UUID)", op)
	}
	env, err := c.getJSON(ctx, op, []string{"sessions", sessionID, kind}, nil)
	if err != nil {
		return nil, err
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(env.Data, &data); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", op, err)
	}
	a := &Artifact{SessionID: sessionID, Kind: kind}
	var raw *string
	if v, ok := data[fields[0]]; ok && !isNull(v) {
		if err := json.Unmarshal(v, &raw); err != nil {
			return nil, fmt.Errorf("%s: %s is not a string", op, fields[0])
		}
	}
	if a.DownloadURL = deref(raw); a.DownloadURL == "" {
		return nil, fmt.Errorf("%s: the answer has no %s: %w", op, fields[0], ErrNotFound)
	}
	if u, err := url.Parse(a.DownloadURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%s: %s is not an http(s) URL", op, fields[0])
	}
	if v, ok := data[fields[1]]; ok {
		var t flexTime
		if err := json.Unmarshal(v, &t); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", op, fields[1], err)
		}
		a.Expiry = time.Time(t)
	}
	return a, nil
}
