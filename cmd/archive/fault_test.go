package main

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// faultProxies puts one toxiproxy in front of the API and another in front of the download host.
func faultProxies(t *testing.T, c *cli) (api, download *toxiproxy.Proxy) {
	t.Helper()
	tp := toxiproxy.NewClient(testenv.Require(t, "RTK_TEST_TOXIPROXY_URL"))
	u, _ := url.Parse(c.api.URL)
	mk := func(name string) *toxiproxy.Proxy {
		p, err := tp.CreateProxy(fmt.Sprintf("%s-%d", name, time.Now().UnixNano()), "127.0.0.1:0", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Delete() })
		return p
	}
	api, download = mk("api"), mk("download")
	c.env["CLOUDFLARE_API_URL"] = "http://" + api.Listen + "/client/v4"
	c.api.DownloadHost = download.Listen
	return api, download
}

func toxic(t *testing.T, p *toxiproxy.Proxy, name, typ, stream string, attrs toxiproxy.Attributes) {
	t.Helper()
	if _, err := p.AddToxic(name, typ, stream, 1, attrs); err != nil {
		t.Fatal(err)
	}
}

// assertArchivedTrue checks the end state: every recording archived with its true SHA-256, the file at
// the destination complete, the manifest whole.
func assertArchivedTrue(t *testing.T, c *cli, recs []fetchtest.Recording) {
	t.Helper()
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		if e.Kind == manifest.KindMedia && e.Done() {
			got[e.RecordingID] = e.SHA256
		}
	}
	for _, r := range recs {
		want := fetchtest.ContentSHA256(r.ID, fetchtest.MediaFile, r.MediaSize)
		if got[r.ID] != want {
			t.Fatalf("recording %s: manifest says %q, the content's SHA-256 is %s", r.ID, got[r.ID], want)
		}
		if fi, err := os.Stat(filepath.Join(c.dir, "archive", r.ID, r.OutputFileName)); err != nil || fi.Size() != r.MediaSize {
			t.Fatalf("recording %s is not complete at the destination", r.ID)
		}
	}
	sidecar(t, c)
}

func faultRecordings(n int, size int64) []fetchtest.Recording {
	var recs []fetchtest.Recording
	for i := range n {
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(200 + i), Status: "UPLOADED", OutputFileName: "m.mp4",
			MediaSize: size, Invoked: time.Now().Add(-time.Duration(i+1) * time.Minute)})
	}
	return recs
}

func TestFaultLatencyAndBandwidth(t *testing.T) {
	recs := faultRecordings(4, 300_000)
	c := newCLI(t, recs...)
	api, download := faultProxies(t, c)
	toxic(t, api, "latency", "latency", "downstream", toxiproxy.Attributes{"latency": 50, "jitter": 20})
	toxic(t, download, "slow", "bandwidth", "downstream", toxiproxy.Attributes{"rate": 2000}) // KB/s
	if code, out, errOut := c.run("run"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	assertArchivedTrue(t, c, recs)
}

func TestFaultConnectionResetMidDownloadResumes(t *testing.T) {
	recs := faultRecordings(3, 400_000)
	c := newCLI(t, recs...)
	_, download := faultProxies(t, c)
	// Every download connection is cut after 150 kB: each file needs two resumed ranges.
	toxic(t, download, "cut", "limit_data", "downstream", toxiproxy.Attributes{"bytes": 150_000})
	code, out, errOut := c.run("run", "--concurrency", "3")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "resuming") {
		t.Fatal("no download was resumed: the cut did not happen")
	}
	assertArchivedTrue(t, c, recs)
}

func TestFaultBlackHoledDownloadHostFailsTrulyThenRecovers(t *testing.T) {
	recs := faultRecordings(1, 200_000)
	c := newCLI(t, recs...)
	_, download := faultProxies(t, c)
	// The host accepts connections but never answers.
	toxic(t, download, "hole", "timeout", "upstream", toxiproxy.Attributes{"timeout": 0})
	start := time.Now()
	code, out, _ := c.run("run", "--stall-timeout", "300ms")
	if code != 1 || !strings.Contains(out, "timeout") {
		t.Fatalf("exit %d, want 1 with a reason naming the timeout:\n%s", code, out)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("a black-holed host held the run for %v", d)
	}
	if entries, _ := os.ReadDir(filepath.Join(c.dir, "archive", recs[0].ID)); len(entries) != 0 {
		t.Fatalf("the failed download left %v", entries)
	}
	download.RemoveToxic("hole")
	if code, out, errOut := c.run("run"); code != 0 {
		t.Fatalf("after the host recovered: exit %d\n%s\n%s", code, out, errOut)
	}
	assertArchivedTrue(t, c, recs)
}

func TestFaultSlowAPIWithResets(t *testing.T) {
	recs := faultRecordings(3, 50_000)
	c := newCLI(t, recs...)
	api, _ := faultProxies(t, c)
	// The first API connection is reset after a little traffic; later ones go through.
	toxic(t, api, "reset", "limit_data", "downstream", toxiproxy.Attributes{"bytes": 2_000})
	time.AfterFunc(300*time.Millisecond, func() { api.RemoveToxic("reset") })
	if code, out, errOut := c.run("run"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	assertArchivedTrue(t, c, recs)
}

func TestFaultS3DestinationResetsMidUpload(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	recs := faultRecordings(2, 20<<20) // multipart: several parts per file
	c := newCLI(t, recs...)
	d := s3Dest(t, "aws")
	d.setup(t, c)
	tp := toxiproxy.NewClient(testenv.Require(t, "RTK_TEST_TOXIPROXY_URL"))
	u, _ := url.Parse(endpoint)
	proxy, err := tp.CreateProxy(fmt.Sprintf("s3-%d", time.Now().UnixNano()), "127.0.0.1:0", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Delete() })
	// Connections to the S3 server are cut after 3 MB until the toxic goes away: parts fail mid-body
	// and the SDK's retryer sends them again.
	toxic(t, proxy, "cut", "limit_data", "upstream", toxiproxy.Attributes{"bytes": 3_000_000})
	time.AfterFunc(1500*time.Millisecond, func() { proxy.RemoveToxic("cut") })
	bucket := d.sc["bucket"].(string)
	config := fmt.Sprintf("default: aws\ndestinations:\n  aws:\n    bucket: %s\n    region: us-east-1\n    endpoint: http://%s\n    path_style: true\n", bucket, proxy.Listen)
	os.WriteFile(filepath.Join(c.dir, "c.yaml"), []byte(config), 0o644)
	c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"] = key, secret
	code, out, errOut := c.run("run", "--config", "c.yaml")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	entries, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	for _, r := range recs {
		found := false
		for _, e := range entries {
			if e.RecordingID == r.ID && e.Kind == manifest.KindMedia && e.Status == manifest.StatusArchived &&
				e.SHA256 == fetchtest.ContentSHA256(r.ID, fetchtest.MediaFile, r.MediaSize) {
				found = true
			}
		}
		if !found {
			t.Fatalf("recording %s not archived with its true checksum", r.ID)
		}
	}
	// Read every object back from the server itself, not through the proxy.
	os.WriteFile(filepath.Join(c.dir, "direct.yaml"), []byte(strings.Replace(config, "http://"+proxy.Listen, endpoint, 1)), 0o644)
	if code, out, _ := c.run("verify", "--config", "direct.yaml"); code != 0 {
		t.Fatalf("verify: %d\n%s", code, out)
	}
}
