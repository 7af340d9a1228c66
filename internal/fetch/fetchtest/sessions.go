package fetchtest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Session is a meeting session whose artifacts the fake serves at GET .../sessions/{id}/transcript,
// /summary and /chat. A size of 0 means the session has no such artifact: its route answers 404, as
// RealtimeKit does for a session without one (or not yet: a test adds it later with UpdateSession).
// Recordings name their session with Recording.SessionID; several may share one.
type Session struct {
	ID             string
	TranscriptSize int64
	SummarySize    int64
	ChatSize       int64
	Ended          time.Time // zero: an hour before it was added
	Expiry         time.Time // of the artifact URLs; zero: seven days after Ended
	// NoExtension serves the artifacts at URL paths without a file extension.
	NoExtension bool
}

// Artifact kinds, as the routes name them.
const (
	Transcript = "transcript"
	Summary    = "summary"
	Chat       = "chat"
)

// ArtifactFile is the name under which the fake serves a session's artifact of kind.
func ArtifactFile(kind string, noExtension bool) string {
	if noExtension {
		return kind
	}
	return map[string]string{Transcript: "transcript.json", Summary: "summary.txt", Chat: "chat.csv"}[kind]
}

// SessionRoute names a session's artifact route, for Requests and Inject.
func SessionRoute(sessionID, kind string) string { return "session/" + sessionID + "/" + kind }

// AddSession serves another session.
func (s *Server) AddSession(sess Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess.Ended.IsZero() {
		sess.Ended = s.now().Add(-time.Hour)
	}
	if s.sessions == nil {
		s.sessions = map[string]*Session{}
	}
	s.sessions[sess.ID] = &sess
}

// UpdateSession changes a served session in place (e.g. a transcript that appears later).
func (s *Server) UpdateSession(id string, change func(*Session)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess := s.sessions[id]; sess != nil {
		change(sess)
	}
}

// APICalls is the number of API requests served so far (listing, details and session routes), the
// budget the rate limit counts; downloads are not API calls.
func (s *Server) APICalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for route, c := range s.requests {
		if !strings.HasPrefix(route, "download/") {
			n += c
		}
	}
	return n
}

func (sess *Session) size(kind string) int64 {
	return map[string]int64{Transcript: sess.TranscriptSize, Summary: sess.SummarySize, Chat: sess.ChatSize}[kind]
}

func (sess *Session) expiry() time.Time {
	if sess.Expiry.IsZero() {
		return sess.Ended.Add(7 * 24 * time.Hour)
	}
	return sess.Expiry
}

// artifactObject is the size and time of a session's artifact file, for the download handler.
func (s *Server) artifactObject(id, file string) (size int64, modified time.Time, known bool) {
	sess := s.sessions[id]
	if sess == nil {
		return 0, time.Time{}, false
	}
	for _, kind := range []string{Transcript, Summary, Chat} {
		if ArtifactFile(kind, sess.NoExtension) == file && sess.size(kind) > 0 {
			return sess.size(kind), sess.Ended, true
		}
	}
	return -1, sess.Ended, true
}

func (s *Server) kitPath() string {
	return fmt.Sprintf("/client/v4/accounts/%s/realtime/kit/%s", s.AccountID, s.AppID)
}

// serveSession answers GET .../sessions/{id}/{kind} as the notes describe: the URL and its expiry in
// snake_case for the transcript and the chat, in camelCase for the summary.
func (s *Server) serveSession(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Method != http.MethodGet {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": map[string]any{"code": 404, "message": "Not found"}})
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "errors": []any{map[string]any{"code": 10000, "message": "Authentication error"}}, "messages": []any{}, "result": nil})
		return
	}
	id, kind, _ := strings.Cut(rest, "/")
	if s.applyFault(w, SessionRoute(id, kind)) {
		return
	}
	s.mu.Lock()
	sess := s.sessions[id]
	var data map[string]any
	if sess != nil && sess.size(kind) > 0 {
		u := s.signedURL(r, id, ArtifactFile(kind, sess.NoExtension), sess.expiry())
		exp := sess.expiry().UTC().Format("2006-01-02T15:04:05.000Z")
		switch kind {
		case Summary:
			data = map[string]any{"sessionId": id, "summaryDownloadUrl": u, "summaryDownloadUrlExpiry": exp}
		default:
			data = map[string]any{"session_id": id, kind + "_download_url": u, kind + "_download_url_expiry": exp}
		}
	}
	s.mu.Unlock()
	if data == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": map[string]any{"code": 404, "message": "No " + kind + " found for this session"}})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": data})
}
