package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

func TestListedURLsAreUsedWithoutADetailCall(t *testing.T) {
	far := uploaded(1, 5000)
	far.MeetingID = fetchtest.UUID(501)
	near := uploaded(2, 5000)
	near.Expiry = time.Now().Add(20 * time.Minute) // urgent: a detail call first would only delay it
	refused := uploaded(3, 5000)
	c := newCLI(t, far, near, refused)
	// The listed URL of the third is refused once, as an URL revoked before its expiry would be.
	c.api.Inject(fetchtest.DownloadRoute(refused.ID, fetchtest.MediaFile), fetchtest.Fault{Status: 403, Body: "<Error><Code>AccessDenied</Code></Error>", ContentType: "application/xml"})
	code, stdout, stderr := c.run("run")
	if code != 0 || !strings.Contains(stdout, "3 archived") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, tc := range []struct {
		id   string
		want int
		why  string
	}{
		{far.ID, 0, "its listed URL had days left"},
		{near.ID, 0, "its listed URL was still valid: a fresh one could not outlive the media"},
		{refused.ID, 1, "its listed URL was refused, so one refresh"},
	} {
		if n := c.api.Requests(fetchtest.DetailRoute(tc.id)); n != tc.want {
			t.Errorf("%d detail calls for %s, want %d: %s", n, tc.id, tc.want, tc.why)
		}
	}
	// The metadata file keeps the meeting that only the listing carries.
	doc, err := os.ReadFile(filepath.Join(c.dir, "archive", far.ID, "recording.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `"title": "Meeting `) {
		t.Fatalf("recording.json lacks the listing's meeting:\n%s", doc)
	}
}
