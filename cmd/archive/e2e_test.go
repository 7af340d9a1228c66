package main

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// destinations of the end-to-end test: each storage_config type on its own real server.
type e2eDest struct {
	typ    string
	config string                     // the destinations entry, YAML, indented under its type
	sc     map[string]any             // the recording's storage_config (secrets included, as the API may send)
	env    map[string]string          // credentials for the run
	setup  func(t *testing.T, c *cli) // creates the bucket or container
}

func s3Dest(t *testing.T, typ string) e2eDest {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	bucket := "e2e-" + typ + "-" + strings.ToLower(rand.Text()[:10])
	env := map[string]string{"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}
	if typ == "digitalocean" {
		env = map[string]string{"SPACES_ACCESS_KEY_ID": key, "SPACES_SECRET_ACCESS_KEY": secret}
	}
	return e2eDest{
		typ:    typ,
		config: fmt.Sprintf("    endpoint: %s\n    path_style: true\n    region: us-east-1\n", endpoint),
		// The bucket comes from the recording's storage_config, as the contract allows.
		sc:  map[string]any{"type": typ, "bucket": bucket, "region": "us-east-1", "path": "rtk/" + typ, "access_key": "AKIA-FROM-API", "secret": "SECRET-FROM-API"},
		env: env,
		setup: func(t *testing.T, c *cli) {
			client := s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
				Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
			if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func azureDest(t *testing.T) e2eDest {
	cs := testenv.Require(t, "RTK_TEST_AZURE_CONNECTION_STRING")
	container := "e2e-" + strings.ToLower(rand.Text()[:10])
	return e2eDest{
		typ:    "azure",
		config: fmt.Sprintf("    container: %s\n", container),
		sc:     map[string]any{"type": "azure", "bucket": "ignored-when-configured", "path": "azure-recordings"},
		env:    map[string]string{"AZURE_STORAGE_CONNECTION_STRING": cs},
		setup: func(t *testing.T, c *cli) {
			client, err := azblob.NewClientFromConnectionString(cs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.CreateContainer(t.Context(), container, nil); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func sftpDest(t *testing.T) e2eDest {
	addr := testenv.Require(t, "RTK_TEST_SFTP_ADDR")
	host, port, _ := strings.Cut(addr, ":")
	dir := t.TempDir()
	return e2eDest{
		typ: "sftp",
		config: fmt.Sprintf("    dir: %s\n    private_key_file: %s\n    known_hosts_file: %s\n", dir,
			testenv.Require(t, "RTK_TEST_SFTP_KEY"), testenv.Require(t, "RTK_TEST_SFTP_KNOWN_HOSTS")),
		// Host, port and user come from the recording's storage_config.
		sc:    map[string]any{"type": "sftp", "host": host, "port": port, "username": testenv.Require(t, "RTK_TEST_SFTP_USER"), "password": "FROM-API", "path": "sftp-recordings"},
		env:   map[string]string{},
		setup: func(t *testing.T, c *cli) {},
	}
}

func gcsDest(t *testing.T) e2eDest {
	endpoint := testenv.Require(t, "RTK_TEST_GCS_ENDPOINT")
	bucket := "e2e-gcs-" + strings.ToLower(rand.Text()[:10])
	return e2eDest{
		typ:    "gcs",
		config: fmt.Sprintf("    endpoint: %s\n", endpoint),
		sc:     map[string]any{"type": "gcs", "bucket": bucket, "path": "gcs-recordings"},
		env:    map[string]string{},
		setup: func(t *testing.T, c *cli) {
			resp, err := http.Post(endpoint+"b?project=rtk", "application/json", strings.NewReader(`{"name":"`+bucket+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("creating bucket %s: HTTP %d", bucket, resp.StatusCode)
			}
		},
	}
}

func TestEndToEndEveryDestinationType(t *testing.T) {
	dests := []e2eDest{s3Dest(t, "aws"), s3Dest(t, "digitalocean"), gcsDest(t), azureDest(t), sftpDest(t)}
	var recs []fetchtest.Recording
	for i, d := range dests {
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(300 + i), Status: "UPLOADED", OutputFileName: d.typ + " call.mp4",
			MediaSize: 9<<20 + int64(i), AudioSize: 100_000, StorageConfig: d.sc, Invoked: time.Now().Add(-time.Duration(i+1) * time.Hour)})
	}
	recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(399), Status: "UPLOADED", OutputFileName: "local.mp4", MediaSize: 1 << 20,
		Invoked: time.Now().Add(-30 * time.Minute)})
	c := newCLI(t, recs...)
	config := "default: local\ndestinations:\n  local:\n    dir: archive\n"
	for _, d := range dests {
		config += "  " + d.typ + ":\n" + d.config
		for k, v := range d.env {
			c.env[k] = v
		}
		d.setup(t, c)
	}
	os.WriteFile(filepath.Join(c.dir, "config.yaml"), []byte(config), 0o644)

	code, out, errOut := c.run("run", "--config", "config.yaml", "--log-format", "json")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, secret := range []string{"SECRET-FROM-API", "AKIA-FROM-API", "FROM-API"} {
		if strings.Contains(out+errOut, secret) {
			t.Fatalf("%s leaked into the output", secret)
		}
	}
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Kind != manifest.KindMedia {
			continue
		}
		seen[e.Target] = true
		for _, r := range recs {
			if r.ID == e.RecordingID && e.SHA256 != fetchtest.ContentSHA256(r.ID, fetchtest.MediaFile, r.MediaSize) {
				t.Fatalf("%s: manifest SHA-256 %s is not the media's", e.Destination, e.SHA256)
			}
		}
	}
	for _, d := range append(dests, e2eDest{typ: "local"}) {
		if !seen[d.typ] {
			t.Errorf("nothing was archived to %s", d.typ)
		}
	}
	// Every object is read back from its server and checked against the manifest.
	code, out, errOut = c.run("verify", "--config", "config.yaml")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("verified %d of %d", 3*len(dests)+2, 3*len(dests)+2)) {
		t.Fatalf("verify: exit %d\n%s\n%s", code, out, errOut)
	}
	// A second run takes everything from the manifest as archived earlier: nothing is asked of the
	// destinations.
	code, out, _ = c.run("run", "--config", "config.yaml")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("0 archived, 0 present, %d earlier", len(recs))) {
		t.Fatalf("re-run: exit %d\n%s", code, out)
	}
	// With a new manifest, every destination refuses the create-only writes and the objects there are
	// compared and found to be the same: present.
	code, out, _ = c.run("run", "--config", "config.yaml", "--manifest", "fresh.jsonl")
	if code != 0 || !strings.Contains(out, fmt.Sprintf("0 archived, %d present", len(recs))) {
		t.Fatalf("run with a new manifest: exit %d\n%s", code, out)
	}
}
