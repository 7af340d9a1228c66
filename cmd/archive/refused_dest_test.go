package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// TestARefusedDestinationFailsFastWithoutDownloads: six recordings to a bucket that does not exist, or
// with a secret the server refuses, fail in seconds with the server's own words, and nothing is
// downloaded for them: the destination is checked once before the first upload.
func TestARefusedDestinationFailsFastWithoutDownloads(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	for _, tc := range []struct {
		name, bucket, secret, want string
	}{
		{"missing bucket", "rtk-never-made-" + strings.ToLower(rand.Text()[:8]), secret, "does not exist"},
		{"wrong secret", "rtk-any", "not-the-secret", "refused these credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var recs []fetchtest.Recording
			for i := range 6 {
				recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(700 + i), Status: "UPLOADED", OutputFileName: "m.mp4", MediaSize: 100_000, AudioSize: 1000,
					StorageConfig: map[string]any{"type": "aws", "bucket": tc.bucket}, Invoked: time.Now().Add(-time.Duration(i+1) * time.Hour)})
			}
			c := newCLI(t, recs...)
			c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"] = key, tc.secret
			config := fmt.Sprintf("destinations:\n  aws:\n    endpoint: %s\n    path_style: true\n    region: us-east-1\n", endpoint)
			os.WriteFile(filepath.Join(c.dir, "config.yaml"), []byte(config), 0o644)
			start := time.Now()
			code, out, errOut := c.run("run", "--config", "config.yaml", "--log-format", "json")
			took := time.Since(start)
			if code != 1 || !strings.Contains(out, "6 failed") {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			downloads := 0
			for _, r := range recs {
				downloads += c.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile)) + c.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.AudioFile))
			}
			if downloads != 0 {
				t.Fatalf("%d downloads for recordings whose destination was refused", downloads)
			}
			entries, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
			for _, e := range entries {
				if e.Status != manifest.StatusFailed || !strings.Contains(e.Error, tc.want) {
					t.Fatalf("line %+v: want failed, saying %q", e, tc.want)
				}
			}
			t.Logf("%s: 6 recordings failed in %v, 0 downloads", tc.name, took.Round(time.Millisecond))
		})
	}
}
