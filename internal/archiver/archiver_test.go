package archiver_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

// env is one fake API, one local destination and one manifest.
type env struct {
	t        *testing.T
	api      *fetchtest.Server
	client   *fetch.Client
	dir      string
	manifest string
	logs     bytes.Buffer
}

func newEnv(t *testing.T, recs ...fetchtest.Recording) *env {
	t.Helper()
	api, err := fetchtest.New(recs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	client, err := fetch.New(fetch.Config{BaseURL: api.URL, AccountID: api.AccountID, AppID: api.AppID, Token: api.Token, AllowPrivateDownloads: true,
		MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, RequestsPerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return &env{t: t, api: api, client: client, dir: filepath.Join(dir, "archive"), manifest: filepath.Join(dir, "manifest.jsonl")}
}

// localRouter sends everything to one local folder, except storage_config.type "nowhere".
type localRouter struct{ sink sinks.Sink }

func (r localRouter) Route(ctx context.Context, rec *fetch.Recording) (archiver.Target, error) {
	if rec.StorageConfig != nil && rec.StorageConfig.Type == "nowhere" {
		return archiver.Target{}, errors.New("the config has no destinations.nowhere entry")
	}
	prefix := ""
	if rec.StorageConfig != nil {
		prefix = rec.StorageConfig.Path
	}
	return archiver.Target{Name: "local", Sink: r.sink, Prefix: prefix}, nil
}

func (e *env) run(overwrite bool, ids ...string) (*archiver.Summary, []manifest.Entry) {
	e.t.Helper()
	prev, err := manifest.Read(e.manifest)
	if err != nil {
		e.t.Fatal(err)
	}
	w, err := manifest.Create(e.manifest)
	if err != nil {
		e.t.Fatal(err)
	}
	sink, err := local.New(e.dir)
	if err != nil {
		e.t.Fatal(err)
	}
	var jobs []archiver.Job
	for _, id := range ids {
		jobs = append(jobs, archiver.Job{ID: id})
	}
	sum, err := archiver.Run(context.Background(), archiver.Config{
		Client: e.client, Router: localRouter{sinks.Guard(sink)}, Manifest: w, Previous: manifest.NewIndex(prev),
		Concurrency: 3, Overwrite: overwrite, RetryDelay: 10 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(&e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, jobs)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		e.t.Fatal(err)
	}
	all, err := manifest.Read(e.manifest)
	if err != nil {
		e.t.Fatal(err)
	}
	return sum, all[len(prev):]
}

func byStatus(entries []manifest.Entry) map[string]int {
	m := map[string]int{}
	for _, e := range entries {
		m[e.Kind+"/"+string(e.Status)]++
	}
	return m
}

func rec(n int, status string, size int64) fetchtest.Recording {
	return fetchtest.Recording{ID: fetchtest.UUID(n), Status: status, OutputFileName: "meeting.mp4", MediaSize: size}
}

func TestEachStatus(t *testing.T) {
	e := newEnv(t,
		rec(1, "UPLOADED", 100_000), rec(2, "INVOKED", 0), rec(3, "RECORDING", 0), rec(4, "UPLOADING", 0),
		rec(5, "PAUSED", 0), rec(6, "ERRORED", 0), rec(7, "SOMETHING_NEW", 0),
	)
	ids := []string{fetchtest.UUID(1), fetchtest.UUID(2), fetchtest.UUID(3), fetchtest.UUID(4), fetchtest.UUID(5), fetchtest.UUID(6), fetchtest.UUID(7), fetchtest.UUID(99)}
	sum, entries := e.run(false, ids...)
	want := map[archiver.Outcome]int{"archived": 1, "pending": 4, "skipped": 1, "failed": 2}
	for k, v := range want {
		if sum.Recordings[k] != v {
			t.Errorf("%s recordings = %d, want %d (all: %v)", k, sum.Recordings[k], v, sum.Recordings)
		}
	}
	got := byStatus(entries)
	if got["media/archived"] != 1 || got["metadata/archived"] != 1 || got["media/pending"] != 4 || got["media/skipped"] != 1 || got["media/failed"] != 2 {
		t.Fatalf("manifest lines by status: %v", got)
	}
	for _, en := range entries {
		if en.RecordingID == fetchtest.UUID(99) && !strings.Contains(en.Error, "not found") {
			t.Fatalf("unknown id's line: %+v", en)
		}
		if en.Status == manifest.StatusArchived && (en.SHA256 == "" || en.Destination == "") {
			t.Fatalf("archived line without checksum or destination: %+v", en)
		}
	}
	media := filepath.Join(e.dir, fetchtest.UUID(1), "meeting.mp4")
	if fi, err := os.Stat(media); err != nil || fi.Size() != 100_000 {
		t.Fatalf("archived media: %v", err)
	}
	for _, en := range entries {
		if en.Kind == manifest.KindMedia && en.Status == manifest.StatusArchived {
			if want := fetchtest.ContentSHA256(fetchtest.UUID(1), fetchtest.MediaFile, 100_000); en.SHA256 != want {
				t.Fatalf("manifest sha256 %s, want the content's %s", en.SHA256, want)
			}
		}
	}
}

func TestAudioAndTracksAreArchived(t *testing.T) {
	withAudio := rec(1, "UPLOADED", 5000)
	withAudio.AudioSize = 3000
	tracks := fetchtest.Recording{ID: fetchtest.UUID(2), Status: "UPLOADED", Tracks: []fetchtest.Track{
		{Layer: "alice", File: "video.webm", Size: 4000}, {Layer: "bob", File: "video.webm", Size: 4500}}}
	e := newEnv(t, withAudio, tracks)
	_, entries := e.run(false, withAudio.ID, tracks.ID)
	got := byStatus(entries)
	if got["media/archived"] != 1 || got["audio/archived"] != 1 || got["track/archived"] != 2 || got["metadata/archived"] != 2 {
		t.Fatalf("lines: %v", got)
	}
	for _, p := range []string{
		filepath.Join(withAudio.ID, "meeting.mp4"), filepath.Join(withAudio.ID, "audio.m4a"),
		filepath.Join(tracks.ID, "tracks", "alice", "video.webm"), filepath.Join(tracks.ID, "tracks", "bob", "video.webm"),
	} {
		if _, err := os.Stat(filepath.Join(e.dir, p)); err != nil {
			t.Errorf("missing %s", p)
		}
	}
}

func TestRerunDoesNotDownloadAgain(t *testing.T) {
	r := rec(1, "UPLOADED", 200_000)
	e := newEnv(t, r)
	e.run(false, r.ID)
	route := fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile)
	before := e.api.Requests(route)
	// The manifest holds it as complete: earlier, with no request at all.
	sum, entries := e.run(false, r.ID)
	if n := e.api.Requests(route); n != before || len(entries) != 0 || sum.Recordings["earlier"] != 1 {
		t.Fatalf("re-run: %d downloads (was %d), lines %v, recordings %v", n, before, byStatus(entries), sum.Recordings)
	}
	// An archived file that went missing at the destination is archived again by a run that does not
	// take the manifest's word for the recording (its details line gone): what is recorded is looked at.
	os.Remove(filepath.Join(e.dir, r.ID, "meeting.mp4"))
	all, _ := manifest.Read(e.manifest)
	e.manifest = filepath.Join(t.TempDir(), "fresh.jsonl")
	w, _ := manifest.Create(e.manifest)
	for _, l := range all {
		if l.Kind != manifest.KindMetadata {
			w.Write(l)
		}
	}
	w.Close()
	_, entries = e.run(false, r.ID)
	if got := byStatus(entries); got["media/archived"] != 1 {
		t.Fatalf("after deleting the archived copy: %v", got)
	}
}

func TestDifferentObjectAtTheKeyIsNeverOverwrittenSilently(t *testing.T) {
	r := rec(1, "UPLOADED", 50_000)
	e := newEnv(t, r)
	path := filepath.Join(e.dir, r.ID, "meeting.mp4")
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("someone else's file"), 0o644)

	sum, entries := e.run(false, r.ID)
	if sum.Failed() != 1 || !strings.Contains(sum.Failures[0].Reason, "refusing to overwrite") {
		t.Fatalf("summary %+v", sum.Failures)
	}
	if data, _ := os.ReadFile(path); string(data) != "someone else's file" {
		t.Fatal("the existing object was overwritten")
	}
	if got := byStatus(entries); got["metadata/archived"] != 0 {
		t.Fatalf("metadata was written for a failed recording: %v", got)
	}

	_, entries = e.run(true, r.ID)
	if got := byStatus(entries); got["media/archived"] != 1 {
		t.Fatalf("with overwrite: %v", got)
	}
}

func TestIdenticalObjectWithoutManifestIsPresent(t *testing.T) {
	r := rec(1, "UPLOADED", 50_000)
	e := newEnv(t, r)
	e.run(false, r.ID)
	os.Remove(e.manifest) // the manifest is lost, the archive is not
	_, entries := e.run(false, r.ID)
	if got := byStatus(entries); got["media/present"] != 1 {
		t.Fatalf("lines %v", got)
	}
}

func TestBrokenDownloadsLeaveNothingAndAreRetried(t *testing.T) {
	flaky, html, short := rec(1, "UPLOADED", 300_000), rec(2, "UPLOADED", 300_000), rec(3, "UPLOADED", 300_000)
	short.WrongFileSize = 400_000 // the API's file_size disagrees with what the host serves
	e := newEnv(t, flaky, html, short)
	e.api.Inject(fetchtest.DownloadRoute(flaky.ID, fetchtest.MediaFile), fetchtest.Fault{TruncateAfter: 1000})
	for range 3 {
		e.api.Inject(fetchtest.DownloadRoute(html.ID, fetchtest.MediaFile), fetchtest.Fault{HTMLPage: true})
	}
	sum, _ := e.run(false, flaky.ID, html.ID, short.ID)
	if sum.Recordings["archived"] != 1 || sum.Failed() != 2 {
		t.Fatalf("recordings %v failures %+v", sum.Recordings, sum.Failures)
	}
	for _, id := range []string{html.ID, short.ID} {
		entries, _ := os.ReadDir(filepath.Join(e.dir, id))
		if len(entries) != 0 {
			t.Fatalf("a rejected download left %v behind", entries)
		}
	}
}

func TestNamesCannotEscapeTheDestination(t *testing.T) {
	evil := []fetchtest.Recording{
		{ID: fetchtest.UUID(1), Status: "UPLOADED", OutputFileName: "../../../etc/evil.mp4", MediaSize: 10},
		{ID: fetchtest.UUID(2), Status: "UPLOADED", OutputFileName: "..", MediaSize: 10},
		{ID: fetchtest.UUID(3), Status: "UPLOADED", OutputFileName: "a/../../b\\..\\c\x00.mp4", MediaSize: 10,
			StorageConfig: map[string]any{"type": "aws", "path": "../../../../tmp/x"}},
		{ID: fetchtest.UUID(4), Status: "UPLOADED", Tracks: []fetchtest.Track{{Layer: "../..", File: "../../x.webm", Size: 10}}},
	}
	e := newEnv(t, evil...)
	sum, _ := e.run(false, evil[0].ID, evil[1].ID, evil[2].ID, evil[3].ID)
	if sum.Recordings["archived"] != 4 {
		t.Fatalf("recordings %v, failures %+v", sum.Recordings, sum.Failures)
	}
	root := filepath.Dir(e.dir)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if !d.IsDir() && !strings.HasPrefix(p, e.dir+string(filepath.Separator)) && p != e.manifest && p != e.manifest+".sha256" {
			t.Errorf("file written outside the destination: %s", p)
		}
		return nil
	})
}

func TestSecretsStayOutOfLogsManifestAndMetadata(t *testing.T) {
	r := rec(1, "UPLOADED", 1000)
	r.StorageConfig = map[string]any{"type": "aws", "bucket": "b", "path": "p", "access_key": "AKIASECRET", "secret": "TOPSECRETVALUE", "password": "PWSECRET", "private_key": "KEYSECRET"}
	failing := rec(2, "UPLOADED", 1000)
	e := newEnv(t, r, failing)
	e.api.SetNow(func() time.Time { return time.Now() })
	for range 3 {
		e.api.Inject(fetchtest.DownloadRoute(failing.ID, fetchtest.MediaFile), fetchtest.Fault{Status: 500, Body: "oops", ContentType: "text/plain"})
	}
	e.run(false, r.ID, failing.ID)
	var all bytes.Buffer
	all.Write(e.logs.Bytes())
	m, _ := os.ReadFile(e.manifest)
	all.Write(m)
	filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
		if strings.HasSuffix(p, ".json") {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		return nil
	})
	for _, secret := range []string{"AKIASECRET", "TOPSECRETVALUE", "PWSECRET", "KEYSECRET", "SIGNATURE-", e.api.Token} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("%q appears in the logs, manifest or metadata", secret)
		}
	}
	if !strings.Contains(all.String(), "recording failed") {
		t.Fatal("the failing download was not logged")
	}
}

func TestRecordingsWithoutADestinationFailAlone(t *testing.T) {
	nowhere := rec(1, "UPLOADED", 100)
	nowhere.StorageConfig = map[string]any{"type": "nowhere"}
	ok := rec(2, "UPLOADED", 100)
	e := newEnv(t, nowhere, ok)
	sum, _ := e.run(false, nowhere.ID, ok.ID)
	if sum.Failed() != 1 || sum.Recordings["archived"] != 1 || !strings.Contains(sum.Failures[0].Reason, "destinations.nowhere") {
		t.Fatalf("recordings %v failures %+v", sum.Recordings, sum.Failures)
	}
}

func TestA403FetchesAFreshURLOnce(t *testing.T) {
	r := rec(1, "UPLOADED", 10_000)
	e := newEnv(t, r)
	e.api.Inject(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile), fetchtest.Fault{Status: 403, ContentType: "application/xml",
		Body: `<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>`})
	sum, _ := e.run(false, r.ID)
	if sum.Recordings["archived"] != 1 {
		t.Fatalf("recordings %v failures %+v", sum.Recordings, sum.Failures)
	}
	if n := e.api.Requests(fetchtest.DetailRoute(r.ID)); n != 2 {
		t.Fatalf("details fetched %d times, want 2 (one refresh)", n)
	}
}

func TestAnExpiredRecordingIsLostAndTheOthersAtRisk(t *testing.T) {
	r := rec(1, "UPLOADED", 10_000)
	r.AudioSize = 500
	r.Expiry = time.Now().Add(-time.Minute)
	soon := rec(2, "UPLOADED", 10_000)
	soon.Expiry = time.Now().Add(10 * time.Hour)
	late := rec(3, "UPLOADED", 10_000)
	e := newEnv(t, r, soon, late)
	for range 3 {
		e.api.Inject(fetchtest.DownloadRoute(soon.ID, fetchtest.MediaFile), fetchtest.Fault{Status: 500, Body: "x", ContentType: "text/plain"})
		e.api.Inject(fetchtest.DownloadRoute(late.ID, fetchtest.MediaFile), fetchtest.Fault{Status: 500, Body: "x", ContentType: "text/plain"})
	}
	sum, entries := e.run(false, r.ID, soon.ID, late.ID)
	if sum.Failed() != 3 || sum.Recordings[archiver.OutcomeLost] != 1 || len(sum.Lost) != 1 || sum.Lost[0].RecordingID != r.ID {
		t.Fatalf("recordings %v lost %+v: want two failures and the expired one lost", sum.Recordings, sum.Lost)
	}
	if n := e.api.Requests(fetchtest.DetailRoute(r.ID)); n != 1 {
		t.Fatalf("details of the expired recording fetched %d times, want 1: its expiry says it is gone", n)
	}
	if n := e.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile)); n != 0 {
		t.Fatalf("%d downloads of media RealtimeKit says it deleted", n)
	}
	lines := 0
	for _, en := range entries {
		if en.RecordingID == r.ID {
			lines++
			if en.Status != manifest.StatusFailed || !strings.Contains(en.Error, "expired") {
				t.Fatalf("the manifest does not say plainly that the recording expired: %+v", en)
			}
		}
	}
	if lines != 1 {
		t.Fatalf("%d lines for the lost recording, want 1", lines)
	}
	var atRisk, urgent []string
	for _, f := range sum.AtRisk {
		atRisk = append(atRisk, f.RecordingID)
		if f.Urgent {
			urgent = append(urgent, f.RecordingID)
		}
	}
	if len(atRisk) != 2 || slices.Contains(atRisk, r.ID) {
		t.Fatalf("at risk: %v; want the two failed ones: the lost one is no longer at risk, it is lost", atRisk)
	}
	if len(urgent) != 1 || !slices.Contains(urgent, soon.ID) {
		t.Fatalf("urgent: %v; want the one expiring in 10 h, not the one with 7 days left", urgent)
	}
	if !strings.Contains(e.logs.String(), "recording at risk") {
		t.Fatal("no warning logged for recordings at risk")
	}
}

func TestARefusedDownloadURLFailsWithoutRetries(t *testing.T) {
	e := newEnv(t, rec(1, "UPLOADED", 1000))
	strict, err := fetch.New(fetch.Config{BaseURL: e.api.URL, AccountID: e.api.AccountID, AppID: e.api.AppID, Token: e.api.Token, RequestsPerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	e.client = strict // the fake's download URLs are http://127.0.0.1
	_, entries := e.run(false, fetchtest.UUID(1))
	var media *manifest.Entry
	for i := range entries {
		if entries[i].Kind == manifest.KindMedia {
			media = &entries[i]
		}
	}
	if media == nil || media.Status != manifest.StatusFailed || !strings.Contains(media.Error, "download URL refused") {
		t.Fatalf("media line %+v, want failed naming the refusal", media)
	}
	if strings.Contains(e.logs.String(), "retrying file") {
		t.Fatalf("a refused URL was retried:\n%s", e.logs.String())
	}
}
