package main

import (
	"crypto/rand"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// On a real S3 server: a run leaves its lines and its state as new objects, and a fresh pod starts
// from the state alone and skips what is archived.
func TestTheManifestDestinationOnS3(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	bucket := "manifests-" + strings.ToLower(rand.Text()[:10])
	client := s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	r := uploaded(1, 3000)
	c := newCLI(t, r)
	c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"] = key, secret
	os.WriteFile(c.dir+"/c.yaml", []byte(fmt.Sprintf("destinations:\n  local:\n    dir: archive\nmanifest_destination:\n  type: aws\n  bucket: %s\n  region: us-east-1\n  endpoint: %s\n  path_style: true\n  prefix: m/\n", bucket, endpoint)), 0o644)
	if code, out, errOut := c.run("run", "--config", "c.yaml"); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	os.Remove(c.env["ARCHIVE_MANIFEST"])
	os.Remove(c.env["ARCHIVE_MANIFEST"] + ".index")
	details := c.api.Requests(fetchtest.DetailRoute(r.ID))
	downloads := c.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile))
	if code, out, errOut := c.run("run", "--config", "c.yaml"); code != 0 || !strings.Contains(out, "1 earlier") {
		t.Fatalf("fresh pod: %d\n%s\n%s", code, out, errOut)
	}
	if c.api.Requests(fetchtest.DetailRoute(r.ID)) != details || c.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile)) != downloads {
		t.Fatal("the fresh pod asked again for a recording the state holds")
	}
	list, err := client.ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, *o.Key)
	}
	sort.Strings(keys)
	var segments, states int
	for _, k := range keys {
		switch {
		case strings.HasPrefix(k, "m/runs/") && strings.HasSuffix(k, "/000001.jsonl"):
			segments++
		case strings.HasPrefix(k, "m/state/") && strings.HasSuffix(k, ".index"):
			states++
		}
	}
	// The second run wrote no line: one segment, from the first; a state from each run.
	if segments != 1 || states != 2 {
		t.Fatalf("objects at the manifest destination: %v", keys)
	}
}
