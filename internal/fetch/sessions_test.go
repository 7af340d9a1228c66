package fetch_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

func TestSessionArtifactsReadEachRoutesFieldNames(t *testing.T) {
	sid := fetchtest.UUID(500)
	srv, c := newFake(t)
	exp := time.Now().Add(48 * time.Hour).Truncate(time.Millisecond).UTC()
	srv.AddSession(fetchtest.Session{ID: sid, TranscriptSize: 1000, SummarySize: 200, ChatSize: 300, Expiry: exp})
	for _, kind := range fetch.ArtifactKinds {
		t.Run(kind, func(t *testing.T) {
			a, err := c.SessionArtifact(t.Context(), sid, kind)
			if err != nil {
				t.Fatal(err)
			}
			if a.DownloadURL == "" || !a.Expiry.Equal(exp) || a.Kind != kind || a.SessionID != sid {
				t.Fatalf("got %+v, want a URL expiring %s", a, exp)
			}
			m, err := c.OpenMedia(t.Context(), a.DownloadURL, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			h := sha256.New()
			if _, err := io.Copy(h, m); err != nil {
				t.Fatal(err)
			}
			file := fetchtest.ArtifactFile(kind, false)
			size := map[string]int64{"transcript": 1000, "summary": 200, "chat": 300}[kind]
			if got, want := hex.EncodeToString(h.Sum(nil)), fetchtest.ContentSHA256(sid, file, size); got != want {
				t.Fatalf("downloaded %s, want %s", got, want)
			}
			if n := srv.Requests(fetchtest.SessionRoute(sid, kind)); n != 1 {
				t.Fatalf("%d requests to the %s route, want 1", n, kind)
			}
		})
	}
}

func TestSessionArtifactNotFound(t *testing.T) {
	sid := fetchtest.UUID(501)
	srv, c := newFake(t)
	srv.AddSession(fetchtest.Session{ID: sid, ChatSize: 10}) // a chat, no transcript, no summary
	for _, tc := range []struct{ name, session, kind string }{
		{"no transcript", sid, "transcript"},
		{"no summary", sid, "summary"},
		{"unknown session", fetchtest.UUID(502), "chat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.SessionArtifact(t.Context(), tc.session, tc.kind)
			if !errors.Is(err, fetch.ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
		})
	}
}

func TestSessionArtifactRefusesWhatIsNotASessionOrAKind(t *testing.T) {
	srv, c := newFake(t)
	for _, tc := range []struct{ session, kind string }{{"../recordings", "transcript"}, {"", "chat"}, {fetchtest.UUID(1), "recording"}} {
		if _, err := c.SessionArtifact(t.Context(), tc.session, tc.kind); err == nil || errors.Is(err, fetch.ErrNotFound) {
			t.Errorf("SessionArtifact(%q, %q): err = %v, want a refusal", tc.session, tc.kind, err)
		}
	}
	if n := srv.APICalls(); n != 0 {
		t.Fatalf("%d API calls, want none: a bad ID must not reach a path", n)
	}
}

func TestSessionArtifactIsRetriedLikeEveryAPICall(t *testing.T) {
	sid := fetchtest.UUID(503)
	srv, c := newFake(t)
	srv.AddSession(fetchtest.Session{ID: sid, SummarySize: 10})
	srv.Inject(fetchtest.SessionRoute(sid, "summary"), fetchtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}, fetchtest.Fault{Status: 503})
	if _, err := c.SessionArtifact(t.Context(), sid, "summary"); err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests(fetchtest.SessionRoute(sid, "summary")); n != 3 {
		t.Fatalf("%d requests, want 3 (429, 503, then the answer)", n)
	}
}

func TestExpiredArtifactURLIsRefusedLikeMedia(t *testing.T) {
	sid := fetchtest.UUID(504)
	srv, c := newFake(t)
	srv.AddSession(fetchtest.Session{ID: sid, TranscriptSize: 10, Expiry: time.Now().Add(-time.Minute)})
	a, err := c.SessionArtifact(t.Context(), sid, "transcript")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.OpenMedia(t.Context(), a.DownloadURL, -1)
	if !errors.Is(err, fetch.ErrExpired) {
		t.Fatalf("err = %v, want ErrExpired", err)
	}
	if strings.Contains(err.Error(), "Signature") {
		t.Fatalf("the error shows the URL's signature: %v", err)
	}
}

func TestRedactedRecordsTheArtifacts(t *testing.T) {
	_, c := newFake(t, fetchtest.Recording{ID: fetchtest.UUID(1), Status: "UPLOADED", MediaSize: 10, SessionID: fetchtest.UUID(505)})
	rec, err := c.Recording(t.Context(), fetchtest.UUID(1))
	if err != nil {
		t.Fatal(err)
	}
	if rec.SessionID != fetchtest.UUID(505) {
		t.Fatalf("session_id = %q", rec.SessionID)
	}
	rec.Artifacts = map[string]string{"transcript": "archived", "chat": "skipped"}
	doc, err := rec.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `"rtk_archive": {`) || !strings.Contains(string(doc), `"transcript": "archived"`) {
		t.Fatalf("recording.json does not say which artifacts were found:\n%s", doc)
	}
}
