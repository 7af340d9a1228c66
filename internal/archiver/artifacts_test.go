package archiver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

var allArtifacts = []string{manifest.KindTranscript, manifest.KindSummary, manifest.KindChat}

// artRun is one run over the listing, as `archive run` makes it, with artifacts.
type artRun struct {
	kinds  []string
	now    time.Time // zero: time.Now
	dryRun bool
	plan   lockedBuffer
}

// lockedBuffer takes the plan lines the workers print at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (e *env) runListed(r *artRun) (*archiver.Summary, []manifest.Entry) {
	e.t.Helper()
	prev, err := manifest.Read(e.manifest)
	if err != nil {
		e.t.Fatal(err)
	}
	sink, err := local.New(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	listing, err := e.client.List(context.Background(), fetch.ListOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	var jobs []archiver.Job
	for i := range listing.Recordings {
		jobs = append(jobs, archiver.Job{ID: listing.Recordings[i].ID, Listed: &listing.Recordings[i]})
	}
	now := time.Now
	if !r.now.IsZero() {
		now = func() time.Time { return r.now }
	}
	cfg := archiver.Config{
		Client: e.client, Router: localRouter{sinks.Guard(sink)}, Previous: manifest.NewIndex(prev), Concurrency: 3, RetryDelay: 10 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Artifacts: r.kinds, Now: now,
		DryRun: r.dryRun, Plan: &r.plan,
	}
	var w *manifest.Writer
	if !r.dryRun {
		if w, err = manifest.Create(e.manifest); err != nil {
			e.t.Fatal(err)
		}
		cfg.Manifest = w
	}
	sum, err := archiver.Run(context.Background(), cfg, jobs)
	if err != nil {
		e.t.Fatal(err)
	}
	if w != nil {
		if err := w.Close(); err != nil {
			e.t.Fatal(err)
		}
	}
	all, err := manifest.Read(e.manifest)
	if err != nil {
		e.t.Fatal(err)
	}
	return sum, all[len(prev):]
}

// sessionCalls is how many requests the session routes got.
func sessionCalls(api *fetchtest.Server, sessions ...string) int {
	n := 0
	for _, s := range sessions {
		for _, k := range allArtifacts {
			n += api.Requests(fetchtest.SessionRoute(s, k))
		}
	}
	return n
}

// artifactDownloads is how many download requests a session's artifacts got.
func artifactDownloads(api *fetchtest.Server, sid string) int {
	n := 0
	for _, k := range allArtifacts {
		n += api.Requests(fetchtest.DownloadRoute(sid, fetchtest.ArtifactFile(k, false)))
	}
	return n
}

func artifactLines(entries []manifest.Entry, recordingID string) map[string]manifest.Entry {
	m := map[string]manifest.Entry{}
	for _, e := range entries {
		if manifest.IsArtifact(e.Kind) && e.RecordingID == recordingID {
			m[e.Kind] = e
		}
	}
	return m
}

func withSession(r fetchtest.Recording, sid string) fetchtest.Recording {
	r.SessionID = sid
	return r
}

func (e *env) recordingJSON(id string) map[string]any {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, id, "recording.json"))
	if err != nil {
		e.t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		e.t.Fatal(err)
	}
	return doc
}

func foundArtifacts(doc map[string]any) map[string]any {
	note, _ := doc["rtk_archive"].(map[string]any)
	arts, _ := note["artifacts"].(map[string]any)
	return arts
}

func TestSessionsWithAllSomeAndNoneOfTheArtifacts(t *testing.T) {
	all, some, none := fetchtest.UUID(900), fetchtest.UUID(901), fetchtest.UUID(902)
	e := newEnv(t,
		withSession(rec(1, "UPLOADED", 10_000), all),
		withSession(rec(2, "UPLOADED", 10_000), some),
		withSession(rec(3, "UPLOADED", 10_000), none),
		rec(4, "UPLOADED", 10_000), // no session
	)
	e.api.AddSession(fetchtest.Session{ID: all, TranscriptSize: 5000, SummarySize: 700, ChatSize: 300})
	e.api.AddSession(fetchtest.Session{ID: some, ChatSize: 300})
	e.api.AddSession(fetchtest.Session{ID: none})

	sum, entries := e.runListed(&artRun{kinds: allArtifacts})
	if sum.Recordings["archived"] != 4 || sum.Failed() != 0 {
		t.Fatalf("recordings %v, want 4 archived (pending artifacts are not failures)", sum.Recordings)
	}
	got := artifactLines(entries, fetchtest.UUID(1))
	for kind, size := range map[string]int64{"transcript": 5000, "summary": 700, "chat": 300} {
		l := got[kind]
		file := fetchtest.ArtifactFile(kind, false)
		want := "file://" + filepath.ToSlash(filepath.Join(e.dir, "sessions", all, file))
		if l.Status != manifest.StatusArchived || l.SessionID != all || l.Destination != want || l.Size != size || l.SHA256 != fetchtest.ContentSHA256(all, file, size) {
			t.Errorf("%s line %+v, want archived at %s with the served bytes", kind, l, want)
		}
	}
	if got := artifactLines(entries, fetchtest.UUID(2)); got["chat"].Status != manifest.StatusArchived || got["transcript"].Status != manifest.StatusPending || got["summary"].Status != manifest.StatusPending {
		t.Errorf("some: %v, want chat archived, transcript and summary pending", byStatus(entries))
	}
	for kind, l := range artifactLines(entries, fetchtest.UUID(3)) {
		if l.Status != manifest.StatusPending || !strings.Contains(l.Error, "404") {
			t.Errorf("none: %s line %+v, want pending after a 404 of a recent session", kind, l)
		}
	}
	if n := len(artifactLines(entries, fetchtest.UUID(4))); n != 0 {
		t.Errorf("%d artifact lines for a recording without a session", n)
	}
	if n := sessionCalls(e.api, all, some, none); n != 9 || sum.ArtifactCalls != 9 {
		t.Errorf("%d session API calls (%d counted), want 9: one per artifact of each session", n, sum.ArtifactCalls)
	}
	arts := foundArtifacts(e.recordingJSON(fetchtest.UUID(2)))
	if arts["chat"] != "archived" || arts["transcript"] != "pending" || arts["summary"] != "pending" {
		t.Errorf("recording.json says %v of the session's artifacts", arts)
	}
	if arts := foundArtifacts(e.recordingJSON(fetchtest.UUID(4))); arts != nil {
		t.Errorf("recording.json of a recording without a session lists artifacts: %v", arts)
	}
}

func TestASessionSharedByTwoRecordingsIsStoredOnce(t *testing.T) {
	sid := fetchtest.UUID(910)
	e := newEnv(t, withSession(rec(1, "UPLOADED", 10_000), sid), withSession(rec(2, "UPLOADED", 20_000), sid))
	e.api.AddSession(fetchtest.Session{ID: sid, TranscriptSize: 4000, SummarySize: 500, ChatSize: 200})

	_, entries := e.runListed(&artRun{kinds: allArtifacts})
	one, two := artifactLines(entries, fetchtest.UUID(1)), artifactLines(entries, fetchtest.UUID(2))
	for _, kind := range allArtifacts {
		a, b := one[kind], two[kind]
		if a.Destination == "" || a.Destination != b.Destination || a.SHA256 != b.SHA256 || a.Size != b.Size {
			t.Errorf("%s: the two recordings' lines point to %q and %q", kind, a.Destination, b.Destination)
		}
		if st := []manifest.Status{a.Status, b.Status}; !(st[0] == "archived" && st[1] == "present" || st[0] == "present" && st[1] == "archived") {
			t.Errorf("%s: statuses %v, want one archived and one present", kind, st)
		}
	}
	if n := artifactDownloads(e.api, sid); n != 3 {
		t.Errorf("%d artifact downloads, want 3: each artifact once", n)
	}
	if n := sessionCalls(e.api, sid); n != 3 {
		t.Errorf("%d session API calls, want 3: once per artifact, not per recording", n)
	}

	// A third recording of the session, in a later run: the manifest knows the objects.
	e.api.Add(withSession(rec(3, "UPLOADED", 10_000), sid))
	_, entries = e.runListed(&artRun{kinds: allArtifacts})
	for kind, l := range artifactLines(entries, fetchtest.UUID(3)) {
		if l.Status != manifest.StatusPresent || l.Destination != one[kind].Destination {
			t.Errorf("third recording's %s line %+v, want present at %s", kind, l, one[kind].Destination)
		}
	}
	if n := artifactDownloads(e.api, sid); n != 3 {
		t.Errorf("%d artifact downloads after the later run, want still 3", n)
	}
	if n := sessionCalls(e.api, sid); n != 3 {
		t.Errorf("%d session API calls after the later run, want still 3", n)
	}
}

func TestARerunDownloadsNothingTwice(t *testing.T) {
	sid := fetchtest.UUID(920)
	e := newEnv(t, withSession(rec(1, "UPLOADED", 10_000), sid))
	e.api.AddSession(fetchtest.Session{ID: sid, TranscriptSize: 4000, SummarySize: 500, ChatSize: 200})
	e.runListed(&artRun{kinds: allArtifacts})
	before := e.api.APICalls()
	sum, entries := e.runListed(&artRun{kinds: allArtifacts})
	if sum.Recordings["earlier"] != 1 || len(entries) != 0 {
		t.Fatalf("rerun: %v, %d lines; want the recording earlier and no line", sum.Recordings, len(entries))
	}
	if n := e.api.APICalls() - before; n != 1 {
		t.Errorf("the rerun made %d API calls, want 1 (the listing)", n)
	}
	if n := artifactDownloads(e.api, sid); n != 3 {
		t.Errorf("%d artifact downloads, want 3", n)
	}
	if n := e.api.Requests(fetchtest.DownloadRoute(fetchtest.UUID(1), fetchtest.MediaFile)); n != 1 {
		t.Errorf("%d media downloads, want 1", n)
	}
}

func TestPendingArtifactsAreArchivedByALaterRun(t *testing.T) {
	sid := fetchtest.UUID(930)
	id := fetchtest.UUID(1)
	e := newEnv(t, withSession(rec(1, "UPLOADED", 10_000), sid))
	e.api.AddSession(fetchtest.Session{ID: sid, ChatSize: 200}) // the transcript comes later
	kinds := []string{manifest.KindTranscript, manifest.KindChat}

	_, entries := e.runListed(&artRun{kinds: kinds})
	if l := artifactLines(entries, id); l["transcript"].Status != manifest.StatusPending || l["chat"].Status != manifest.StatusArchived {
		t.Fatalf("first run: %v", byStatus(entries))
	}
	e.api.UpdateSession(sid, func(s *fetchtest.Session) { s.TranscriptSize = 3000 })

	calls := sessionCalls(e.api, sid)
	sum, entries := e.runListed(&artRun{kinds: kinds})
	l := artifactLines(entries, id)
	if l["transcript"].Status != manifest.StatusArchived || l["chat"].Status != manifest.StatusPresent {
		t.Fatalf("second run: %v, want the transcript archived and the chat present", byStatus(entries))
	}
	if sum.Recordings["archived"] != 1 {
		t.Errorf("second run: recordings %v, want 1 archived", sum.Recordings)
	}
	if n := sessionCalls(e.api, sid) - calls; n != 1 {
		t.Errorf("second run made %d session API calls, want 1 (the transcript; the chat is in the manifest)", n)
	}
	if n := e.api.Requests(fetchtest.DownloadRoute(id, fetchtest.MediaFile)); n != 1 {
		t.Errorf("media downloaded %d times, want once", n)
	}
	if n := e.api.Requests(fetchtest.DownloadRoute(sid, "chat.csv")); n != 1 {
		t.Errorf("chat downloaded %d times, want once", n)
	}
	// recording.json is written once: the second run leaves the first version (which said the
	// transcript was pending) and the manifest's transcript line says what became of it.
	if got := byStatus(entries); got["media/archived"]+got["media/present"] != 0 || got["metadata/present"] != 1 {
		t.Errorf("second run touched the media, or rewrote recording.json: %v", got)
	}
	if arts := foundArtifacts(e.recordingJSON(id)); arts["transcript"] != "pending" || arts["chat"] != "archived" {
		t.Errorf("recording.json says %v, want the first run's version", arts)
	}

	sum, entries = e.runListed(&artRun{kinds: kinds})
	if sum.Recordings["earlier"] != 1 || len(entries) != 0 {
		t.Errorf("third run: %v, %d lines; want the recording earlier", sum.Recordings, len(entries))
	}

	// Asking for one more kind later makes the recording incomplete again, for that kind only.
	calls = sessionCalls(e.api, sid)
	_, entries = e.runListed(&artRun{kinds: allArtifacts})
	if l := artifactLines(entries, id); l["summary"].Status != manifest.StatusPending || len(l) != 3 {
		t.Errorf("with the summary chosen: %v", byStatus(entries))
	}
	if n := sessionCalls(e.api, sid) - calls; n != 1 {
		t.Errorf("%d session API calls, want 1 (the summary)", n)
	}
}

func TestA404PastTheRetentionMeansNone(t *testing.T) {
	sid := fetchtest.UUID(940)
	id := fetchtest.UUID(1)
	e := newEnv(t, withSession(rec(1, "UPLOADED", 10_000), sid))
	e.api.AddSession(fetchtest.Session{ID: sid})
	_, entries := e.runListed(&artRun{kinds: []string{manifest.KindTranscript}})
	if l := artifactLines(entries, id); l["transcript"].Status != manifest.StatusPending {
		t.Fatalf("first run: %v", byStatus(entries))
	}

	// Eight days later the media has expired and the transcript still answers 404.
	later := time.Now().Add(8 * 24 * time.Hour)
	e.api.SetNow(func() time.Time { return later })
	sum, entries := e.runListed(&artRun{kinds: []string{manifest.KindTranscript}, now: later})
	l := artifactLines(entries, id)["transcript"]
	if l.Status != manifest.StatusSkipped || !strings.HasPrefix(l.Error, "none:") {
		t.Fatalf("past the retention: %+v, want skipped as none", l)
	}
	if got := byStatus(entries); got["media/skipped"] != 0 {
		t.Errorf("the archived media was reported as expired unarchived: %v", got)
	}
	if sum.Failed() != 0 || len(sum.AtRisk) != 0 {
		t.Errorf("failures %v, at risk %v", sum.Failures, sum.AtRisk)
	}
	if arts := foundArtifacts(e.recordingJSON(id)); arts["transcript"] != "pending" {
		t.Errorf("recording.json says %v, want the first run's version: it is written once", arts)
	}
	sum, _ = e.runListed(&artRun{kinds: []string{manifest.KindTranscript}, now: later})
	if sum.Recordings["earlier"] != 1 {
		t.Errorf("after none: %v, want earlier", sum.Recordings)
	}
}

func TestAnExpiredArtifactURL(t *testing.T) {
	t.Run("past its stated expiry: skipped without a download", func(t *testing.T) {
		sid := fetchtest.UUID(950)
		e := newEnv(t, withSession(rec(1, "UPLOADED", 10_000), sid))
		e.api.AddSession(fetchtest.Session{ID: sid, TranscriptSize: 100, Expiry: time.Now().Add(-time.Minute)})
		sum, entries := e.runListed(&artRun{kinds: []string{manifest.KindTranscript}})
		l := artifactLines(entries, fetchtest.UUID(1))["transcript"]
		if l.Status != manifest.StatusSkipped || !strings.Contains(l.Error, "expired") {
			t.Fatalf("line %+v, want skipped as expired", l)
		}
		if n := artifactDownloads(e.api, sid); n != 0 {
			t.Errorf("%d downloads of an expired URL", n)
		}
		if sum.Failed() != 0 {
			t.Errorf("failures: %v", sum.Failures)
		}
	})
	t.Run("refused before its stated expiry: one fresh URL, then at risk", func(t *testing.T) {
		sid := fetchtest.UUID(951)
		e := newEnv(t, withSession(rec(1, "UPLOADED", 10_000), sid))
		exp := time.Now().Add(20 * time.Hour)
		e.api.AddSession(fetchtest.Session{ID: sid, TranscriptSize: 100, Expiry: exp})
		expired := fetchtest.Fault{Status: http.StatusForbidden, ContentType: "application/xml", Body: `<?xml version="1.0"?><Error><Code>ExpiredRequest</Code><Message>Request has expired</Message></Error>`}
		e.api.Inject(fetchtest.DownloadRoute(sid, "transcript.json"), expired, expired)
		sum, entries := e.runListed(&artRun{kinds: []string{manifest.KindTranscript}})
		l := artifactLines(entries, fetchtest.UUID(1))["transcript"]
		if l.Status != manifest.StatusFailed || !strings.Contains(l.Error, "expired") {
			t.Fatalf("line %+v, want failed as expired", l)
		}
		if n := sessionCalls(e.api, sid); n != 2 {
			t.Errorf("%d session API calls, want 2 (the URL, then one fresh one)", n)
		}
		if sum.Failed() != 1 || len(sum.AtRisk) != 1 || !sum.AtRisk[0].Urgent || !sum.AtRisk[0].Expiry.Equal(exp.Truncate(time.Millisecond)) {
			t.Fatalf("failed %d, at risk %+v; want the recording at risk with the transcript's expiry", sum.Failed(), sum.AtRisk)
		}
		// The media is complete: the next run gets the transcript alone.
		sum, entries = e.runListed(&artRun{kinds: []string{manifest.KindTranscript}})
		if l := artifactLines(entries, fetchtest.UUID(1))["transcript"]; l.Status != manifest.StatusArchived || sum.Failed() != 0 {
			t.Fatalf("next run: %+v, %v", l, sum.Recordings)
		}
		if n := e.api.Requests(fetchtest.DownloadRoute(fetchtest.UUID(1), fetchtest.MediaFile)); n != 1 {
			t.Errorf("media downloaded %d times, want once", n)
		}
	})
}

func TestArtifactKeysStayInsideThePrefix(t *testing.T) {
	sid := fetchtest.UUID(960)
	r := withSession(rec(1, "UPLOADED", 10_000), sid)
	r.StorageConfig = map[string]any{"type": "local", "path": "../../customer/rtk"}
	bad := withSession(rec(2, "UPLOADED", 10_000), "../../etc")
	e := newEnv(t, r, bad)
	e.api.AddSession(fetchtest.Session{ID: sid, ChatSize: 10, NoExtension: true})
	sum, entries := e.runListed(&artRun{kinds: []string{manifest.KindChat}})
	l := artifactLines(entries, fetchtest.UUID(1))["chat"]
	want := "file://" + filepath.ToSlash(filepath.Join(e.dir, "customer", "rtk", "sessions", sid, "chat.csv"))
	if l.Status != manifest.StatusArchived || l.Destination != want {
		t.Fatalf("chat line %+v, want archived at %s (the default extension, inside the prefix)", l, want)
	}
	if l := artifactLines(entries, fetchtest.UUID(2))["chat"]; l.Status != manifest.StatusFailed || !strings.Contains(l.Error, "not a UUID") {
		t.Fatalf("a session_id that is not a UUID: %+v", l)
	}
	if sum.Failed() != 1 {
		t.Errorf("recordings %v, want the one with a bad session_id failed", sum.Recordings)
	}
}

func TestDryRunCountsTheArtifactCalls(t *testing.T) {
	shared, other := fetchtest.UUID(970), fetchtest.UUID(971)
	e := newEnv(t, withSession(rec(1, "UPLOADED", 10_000), shared), withSession(rec(2, "UPLOADED", 10_000), shared), withSession(rec(3, "UPLOADED", 10_000), other))
	e.api.AddSession(fetchtest.Session{ID: shared, TranscriptSize: 10})
	e.api.AddSession(fetchtest.Session{ID: other, TranscriptSize: 10})
	r := &artRun{kinds: allArtifacts, dryRun: true}
	sum, _ := e.runListed(r)
	if sum.ArtifactCalls != 6 {
		t.Errorf("the dry run counts %d artifact calls, want 6 (3 per session)", sum.ArtifactCalls)
	}
	plan := r.plan.String()
	if n := strings.Count(plan, "would look up"); n != 6 {
		t.Errorf("%d look-ups planned, want 6:\n%s", n, plan)
	}
	if n := strings.Count(plan, "would reuse"); n != 3 {
		t.Errorf("%d reuses planned, want 3 (the second recording of the shared session):\n%s", n, plan)
	}
	if n := sessionCalls(e.api, shared, other); n != 0 {
		t.Errorf("the dry run made %d session API calls", n)
	}
}

func TestArtifactsOfARecordingWithoutARealtimeKitCopy(t *testing.T) {
	sid := fetchtest.UUID(980)
	r := withSession(rec(1, "UPLOADED", 10_000), sid)
	r.NoDownloadURL = true
	e := newEnv(t, r)
	e.api.AddSession(fetchtest.Session{ID: sid, TranscriptSize: 100})
	sum, entries := e.runListed(&artRun{kinds: []string{manifest.KindTranscript}})
	if got := byStatus(entries); got["transcript/archived"] != 1 || got["media/skipped"] != 1 || sum.Recordings["skipped"] != 1 {
		t.Fatalf("lines %v, recordings %v; want the transcript archived and the media skipped", got, sum.Recordings)
	}
	calls := sessionCalls(e.api, sid)
	_, entries = e.runListed(&artRun{kinds: []string{manifest.KindTranscript}})
	if got := byStatus(entries); got["transcript/present"] != 1 {
		t.Fatalf("rerun: %v", got)
	}
	if n := sessionCalls(e.api, sid) - calls; n != 0 || artifactDownloads(e.api, sid) != 1 {
		t.Errorf("rerun: %d session API calls, %d downloads; want none again", n, artifactDownloads(e.api, sid))
	}
}
