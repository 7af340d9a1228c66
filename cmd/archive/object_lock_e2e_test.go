package main

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// TestObjectLockEndToEnd runs the job against versitygw with a bucket created with Object Lock:
// every object gets the configured retention and legal hold (verify reports them); a second run after
// a session artifact settled, and a run with a fresh manifest, overwrite nothing (versitygw refuses
// any write onto a locked key, so a rewrite would fail them); an object already at a key, different
// from the recording, is reported and left as it is; and verify fails a retention shorter than the
// config now asks.
func TestObjectLockEndToEnd(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	bucket := "e2e-lock-" + strings.ToLower(rand.Text()[:10])
	client := s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &bucket, ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	sid := fetchtest.UUID(960)
	good := fetchtest.Recording{ID: fetchtest.UUID(760), SessionID: sid, Status: "UPLOADED", OutputFileName: "call.mp4",
		MediaSize: 13<<20 + 5, AudioSize: 4000, Invoked: time.Now().Add(-2 * time.Hour)} // the media takes a multipart upload
	taken := fetchtest.Recording{ID: fetchtest.UUID(761), Status: "UPLOADED", OutputFileName: "call.mp4", MediaSize: 6000,
		Invoked: time.Now().Add(-time.Hour)}
	c := newCLI(t, good, taken)
	c.api.AddSession(fetchtest.Session{ID: sid, ChatSize: 300}) // the transcript comes later
	c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"] = key, secret

	// Someone else's object is already where the second recording's media goes.
	intruder := []byte("not the recording")
	intruderKey := "rec/" + taken.ID + "/call.mp4"
	if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: &bucket, Key: &intruderKey, Body: bytes.NewReader(intruder)}); err != nil {
		t.Fatal(err)
	}
	writeConfig := func(retainFor string) string {
		path := filepath.Join(c.dir, "config-"+retainFor+".yaml")
		os.WriteFile(path, fmt.Appendf(nil, `default: aws
destinations:
  aws:
    bucket: %s
    region: us-east-1
    endpoint: %s
    path_style: true
    prefix: rec
    storage_class: STANDARD_IA
    object_lock: {mode: GOVERNANCE, retain_for: %s, legal_hold: true}
    tags: {team: support}
`, bucket, endpoint, retainFor), 0o644)
		return path
	}
	config := writeConfig("1d")
	arts := "transcript,chat"
	code, out, errOut := c.run("run", "--config", config, "--artifacts", arts)
	if code != 1 || !strings.Contains(errOut, "a different object") {
		t.Fatalf("first run: exit %d, want 1 for the taken key\n%s\n%s", code, out, errOut)
	}
	got, err := client.GetObject(t.Context(), &s3.GetObjectInput{Bucket: &bucket, Key: &intruderKey})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(got.Body); !bytes.Equal(b, intruder) {
		t.Fatalf("the object that was in the way changed: %q", b)
	}

	code, out, _ = c.run("verify", "--config", config, "--read", "never")
	if code != 0 || strings.Count(out, "locked GOVERNANCE until") != 4 || strings.Count(out, "legal hold") != 4 {
		t.Fatalf("verify: exit %d, want 4 objects, each locked with a legal hold\n%s", code, out)
	}
	if !strings.Contains(out, "call.mp4: proven by stored checksum") {
		t.Errorf("the multipart media was not proven by the full-object checksum the manifest kept:\n%s", out)
	}

	// The transcript settles; the second run archives it and leaves recording.json as it is.
	c.api.UpdateSession(sid, func(s *fetchtest.Session) { s.TranscriptSize = 2500 })
	c.stdin = good.ID + "\n"
	code, out, errOut = c.run("run", "--config", config, "--artifacts", arts, "--ids", "-")
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	fresh := filepath.Join(c.dir, "fresh.jsonl")
	code, out, errOut = c.run("run", "--config", config, "--artifacts", arts, "--ids", "-", "--manifest", fresh)
	if code != 0 || countLines(t, fresh, `"status":"archived"`) != 0 || countLines(t, fresh, `"status":"present"`) != 5 {
		t.Fatalf("a run with a fresh manifest: exit %d, want every object present, none written\n%s\n%s", code, out, errOut)
	}

	code, out, _ = c.run("verify", "--config", writeConfig("30d"), "--read", "never")
	if code != 1 || !strings.Contains(out, "shorter than configured") {
		t.Fatalf("verify against a longer retention: exit %d, want the short locks failed\n%s", code, out)
	}
}
