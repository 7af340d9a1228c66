package fetch_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"crypto/sha256"
	"encoding/hex"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

func newFake(t *testing.T, recs ...fetchtest.Recording) (*fetchtest.Server, *fetch.Client) {
	t.Helper()
	srv, err := fetchtest.New(recs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c, err := fetch.New(fetch.Config{BaseURL: srv.URL, AccountID: srv.AccountID, AppID: srv.AppID, Token: srv.Token, AllowPrivateDownloads: true,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, MaxAttempts: 4, RequestsPerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func uploaded(n int, size int64) fetchtest.Recording {
	return fetchtest.Recording{ID: fetchtest.UUID(n), Status: "UPLOADED", OutputFileName: "r.mp4", MediaSize: size,
		Invoked: time.Now().Add(-time.Duration(100-n) * time.Minute)}
}

func TestListWalksEveryPageWithAShortLastPage(t *testing.T) {
	var recs []fetchtest.Recording
	for i := range 5 {
		recs = append(recs, uploaded(i, 10))
	}
	srv, c := newFake(t, recs...)
	got, err := c.List(t.Context(), fetch.ListOptions{PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Recordings) != 5 {
		t.Fatalf("listed %d recordings, want 5", len(got.Recordings))
	}
	if n := srv.Requests(fetchtest.ListRoute); n != 3 {
		t.Fatalf("made %d list requests, want 3 (2+2+1, stopping once total_count recordings were seen)", n)
	}
}

func TestListDeduplicatesAShiftingPage(t *testing.T) {
	var recs []fetchtest.Recording
	for i := range 6 {
		recs = append(recs, uploaded(i, 10))
	}
	srv, c := newFake(t, recs...)
	srv.ShiftAfterPage(1, uploaded(50, 10))
	got, err := c.List(t.Context(), fetch.ListOptions{PerPage: 2})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range got.Recordings {
		seen[r.ID]++
	}
	for id, n := range seen {
		if n > 1 {
			t.Fatalf("recording %s listed %d times", id, n)
		}
	}
	for i := range 6 {
		if seen[fetchtest.UUID(i)] != 1 {
			t.Fatalf("recording %d missing from a shifting listing", i)
		}
	}
}

func TestRetriesHonourRetryAfterAndPauseEveryCall(t *testing.T) {
	srv, c := newFake(t, uploaded(1, 10))
	id := fetchtest.UUID(1)
	srv.Inject(fetchtest.DetailRoute(id), fetchtest.Fault{Status: 429, RetryAfter: "1"})
	start := time.Now()
	if _, err := c.Recording(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("retried after %v, before the 1 s Retry-After", waited)
	}
	// A 429 on one call pauses the others too: a call to another route right after a 429 waits.
	srv.Inject(fetchtest.DetailRoute(id), fetchtest.Fault{Status: 429, RetryAfter: "1"})
	done := make(chan time.Duration, 1)
	go func() {
		s := time.Now()
		c.Recording(context.Background(), id)
		done <- time.Since(s)
	}()
	time.Sleep(200 * time.Millisecond)
	s := time.Now()
	if _, err := c.List(t.Context(), fetch.ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(s); waited < 500*time.Millisecond {
		t.Fatalf("a list call during another worker's 429 pause went out after %v", waited)
	}
	<-done
}

func TestRetries503ThenSucceeds(t *testing.T) {
	srv, c := newFake(t, uploaded(1, 10))
	id := fetchtest.UUID(1)
	srv.Inject(fetchtest.DetailRoute(id), fetchtest.Fault{Status: 503}, fetchtest.Fault{Status: 502})
	rec, err := c.Recording(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID != id || srv.Requests(fetchtest.DetailRoute(id)) != 3 {
		t.Fatalf("got %v after %d requests", rec.ID, srv.Requests(fetchtest.DetailRoute(id)))
	}
}

func TestNotFoundIsNotRetried(t *testing.T) {
	srv, c := newFake(t)
	id := fetchtest.UUID(9)
	_, err := c.Recording(t.Context(), id)
	if !errors.Is(err, fetch.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), id) || !strings.Contains(err.Error(), "Recording not found") {
		t.Fatalf("error %q does not name the recording and the API's message", err)
	}
	if n := srv.Requests(fetchtest.DetailRoute(id)); n != 1 {
		t.Fatalf("a 404 was requested %d times", n)
	}
}

func TestHTML500IsReportedReadably(t *testing.T) {
	srv, c := newFake(t, uploaded(1, 10))
	id := fetchtest.UUID(1)
	page := fetchtest.Fault{Status: 500, ContentType: "text/html", Body: "<html><body><h1>500 Internal Server Error</h1>cloudflare</body></html>"}
	srv.Inject(fetchtest.DetailRoute(id), page, page, page, page)
	_, err := c.Recording(t.Context(), id)
	if err == nil || !strings.Contains(err.Error(), "HTML page") || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("err = %v, want a readable HTML 500 error", err)
	}
}

func TestUnauthorizedGatewayError(t *testing.T) {
	srv, _ := newFake(t)
	c, _ := fetch.New(fetch.Config{BaseURL: srv.URL, AccountID: srv.AccountID, AppID: srv.AppID, Token: "wrong"})
	_, err := c.Recording(t.Context(), fetchtest.UUID(1))
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") || !strings.Contains(err.Error(), "Authentication error") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatalf("the token appears in the error: %v", err)
	}
}

func TestCancelDuringBackoffStopsAtOnce(t *testing.T) {
	srv, c := newFake(t, uploaded(1, 10))
	id := fetchtest.UUID(1)
	srv.Inject(fetchtest.DetailRoute(id), fetchtest.Fault{Status: 429, RetryAfter: "30"})
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Recording(ctx, id)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("cancel took %v to stop the backoff", d)
	}
}

func TestDecodesTheAPIsWarts(t *testing.T) {
	rec := uploaded(1, 1234)
	rec.FileSizeAsString, rec.SpaceTimestamps = true, true
	track := fetchtest.Recording{ID: fetchtest.UUID(2), Status: "UPLOADED", Tracks: []fetchtest.Track{{Layer: "l1", File: "a.webm", Size: 5}, {Layer: "l2", File: "b.webm", Size: 6}}}
	_, c := newFake(t, rec, track)
	got, err := c.Recording(t.Context(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FileSize != 1234 || got.InvokedTime.IsZero() || got.DownloadURLExpiry.IsZero() || got.DownloadURL == "" {
		t.Fatalf("decoded %+v", got)
	}
	tr, err := c.Recording(t.Context(), track.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Tracks) != 2 || tr.Tracks[0].Layer != "l1" || tr.Tracks[1].File != "b.webm" || tr.FileSize != -1 {
		t.Fatalf("decoded tracks %+v size %d", tr.Tracks, tr.FileSize)
	}
}

func TestRecordingJSONVariants(t *testing.T) {
	for name, js := range map[string]string{
		"float size":       `{"id":"x","status":"UPLOADED","file_size":1.5e3,"download_url":"http://h/a.mp4","invoked_time":"2026-01-02T03:04:05.123Z"}`,
		"string size":      `{"id":"x","status":"UPLOADED","file_size":"1500","download_url":"http://h/a.mp4","invoked_time":"2026-01-02 03:04:05.123Z"}`,
		"user_id variants": `{"id":"x","status":"UPLOADED","file_size":1500,"download_url":"http://h/a.mp4","start_reason":{"caller":{"user_id":"u"}},"stop_reason":{"caller":{"user_Id":"u"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			var r fetch.Recording
			if err := r.UnmarshalJSON([]byte(js)); err != nil {
				t.Fatal(err)
			}
			if r.FileSize != 1500 || r.DownloadURL != "http://h/a.mp4" {
				t.Fatalf("decoded %+v", r)
			}
		})
	}
}

func TestRedactedKeepsNoSecrets(t *testing.T) {
	var r fetch.Recording
	js := `{"id":"x","status":"UPLOADED","download_url":"https://b.example/a.mp4?X-Amz-Signature=SECRETSIG",
	  "storage_config":{"type":"sftp","host":"h","password":"p4ss","private_key":"-----BEGIN","access_key":"AK","secret":"S3CR3T","new_secret_field":"zzz"}}`
	if err := r.UnmarshalJSON([]byte(js)); err != nil {
		t.Fatal(err)
	}
	doc, err := r.Redacted()
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"p4ss", "BEGIN", "AK", "S3CR3T", "zzz", "SECRETSIG"} {
		if strings.Contains(string(doc), secret) {
			t.Fatalf("redacted details still contain %q:\n%s", secret, doc)
		}
	}
	if !strings.Contains(string(doc), `"host": "h"`) {
		t.Fatalf("redaction removed non-secret fields:\n%s", doc)
	}
}

func TestDownloadRejectsTruncatedHTMLAndWrongSize(t *testing.T) {
	srv, c := newFake(t, uploaded(1, 300_000))
	id := fetchtest.UUID(1)
	rec, err := c.Recording(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	route := fetchtest.DownloadRoute(id, fetchtest.MediaFile)

	for range 6 { // more interruptions than the client resumes
		srv.Inject(route, fetchtest.Fault{TruncateAfter: 10_000})
	}
	m, err := c.OpenMedia(t.Context(), rec.DownloadURL, rec.FileSize)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, m); !errors.Is(err, fetch.ErrTruncated) {
		t.Fatalf("truncated body: err = %v, want ErrTruncated", err)
	}
	m.Close()

	srv.Inject(route, fetchtest.Fault{HTMLPage: true})
	if _, err := c.OpenMedia(t.Context(), rec.DownloadURL, -1); !errors.Is(err, fetch.ErrNotMedia) {
		t.Fatalf("HTML page: err = %v, want ErrNotMedia", err)
	}

	if _, err := c.OpenMedia(t.Context(), rec.DownloadURL, rec.FileSize+1); !errors.Is(err, fetch.ErrSizeMismatch) {
		t.Fatalf("file_size disagreeing with Content-Length: err = %v, want ErrSizeMismatch", err)
	}

	m, err = c.OpenMedia(t.Context(), rec.DownloadURL, rec.FileSize)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, m)
	if err != nil || n != 300_000 {
		t.Fatalf("clean download: %d bytes, %v", n, err)
	}
	if srv.AuthLeaks() != 0 {
		t.Fatal("the API token was sent to the download host")
	}
}

func TestExpiredURLIsErrExpiredWithoutSignatureInError(t *testing.T) {
	srv, c := newFake(t, uploaded(1, 1000))
	rec, err := c.Recording(t.Context(), fetchtest.UUID(1))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetNow(func() time.Time { return time.Now().Add(8 * 24 * time.Hour) })
	_, err = c.OpenMedia(t.Context(), rec.DownloadURL, -1)
	if !errors.Is(err, fetch.ErrExpired) || !strings.Contains(err.Error(), "ExpiredRequest") {
		t.Fatalf("err = %v, want ErrExpired naming ExpiredRequest", err)
	}
	if strings.Contains(err.Error(), "SIGNATURE") {
		t.Fatalf("the presigned URL's signature leaked into the error: %v", err)
	}
}

func TestTokenDoesNotFollowRedirectsToOtherHosts(t *testing.T) {
	var gotAuth string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		w.Write([]byte(`{"success":true,"data":{"id":"` + fetchtest.UUID(1) + `","status":"INVOKED"}}`))
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
	}))
	defer api.Close()
	c, _ := fetch.New(fetch.Config{BaseURL: api.URL, AccountID: "a", AppID: "b", Token: "tok"})
	if _, err := c.Recording(t.Context(), fetchtest.UUID(1)); err != nil {
		t.Fatal(err)
	}
	if gotAuth != "" {
		t.Fatalf("the token followed a redirect to another host: %q", gotAuth)
	}
}

func TestInterruptedDownloadsResumeWithRange(t *testing.T) {
	const size = 1_000_000
	srv, err := fetchtest.New(uploaded(1, size))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, _ := fetch.New(fetch.Config{BaseURL: srv.URL, AccountID: srv.AccountID, AppID: srv.AppID, Token: srv.Token, AllowPrivateDownloads: true,
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, StallTimeout: 300 * time.Millisecond})
	id := fetchtest.UUID(1)
	rec, err := c.Recording(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	route := fetchtest.DownloadRoute(id, fetchtest.MediaFile)
	srv.Inject(route, fetchtest.Fault{TruncateAfter: 100_000}, fetchtest.Fault{StallAfter: 200_000}, fetchtest.Fault{TruncateAfter: 1})
	m, err := c.OpenMedia(t.Context(), rec.DownloadURL, rec.FileSize)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	h := sha256.New()
	n, err := io.Copy(h, m)
	if err != nil || n != size {
		t.Fatalf("resumed download: %d bytes, %v", n, err)
	}
	if got, want := hex.EncodeToString(h.Sum(nil)), fetchtest.ContentSHA256(id, fetchtest.MediaFile, size); got != want {
		t.Fatalf("resumed download hashes to %s, want %s", got, want)
	}
	if m.Resumes != 3 || srv.Requests(route) != 4 {
		t.Fatalf("resumes %d, requests %d; want 3 and 4", m.Resumes, srv.Requests(route))
	}
}

func TestResumeRefusesAChangedObject(t *testing.T) {
	srv, c := newFake(t, uploaded(1, 500_000))
	id := fetchtest.UUID(1)
	rec, _ := c.Recording(t.Context(), id)
	srv.Inject(fetchtest.DownloadRoute(id, fetchtest.MediaFile), fetchtest.Fault{TruncateAfter: 100_000})
	m, err := c.OpenMedia(t.Context(), rec.DownloadURL, rec.FileSize)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	buf := make([]byte, 50_000)
	io.ReadFull(m, buf)
	srv.Update(id, func(r *fetchtest.Recording) { r.MediaSize = 600_000 }) // a new object under the same URL
	if _, err := io.Copy(io.Discard, m); !errors.Is(err, fetch.ErrSourceChanged) {
		t.Fatalf("err = %v, want ErrSourceChanged", err)
	}
}

func TestAPICallsArePaced(t *testing.T) {
	srv, err := fetchtest.New(uploaded(1, 10))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, _ := fetch.New(fetch.Config{BaseURL: srv.URL, AccountID: srv.AccountID, AppID: srv.AppID, Token: srv.Token, RequestsPerSecond: 20, Burst: 2})
	start := time.Now()
	for range 7 {
		if _, err := c.Recording(t.Context(), fetchtest.UUID(1)); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 240*time.Millisecond {
		t.Fatalf("7 calls at 20/s with a burst of 2 took %v, want at least 250 ms", d)
	}
}
