package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// appendLines adds manifest lines naming objects, as a tampered manifest copied back would.
func appendLines(t *testing.T, path string, entries ...manifest.Entry) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, e := range entries {
		line, _ := json.Marshal(e)
		f.Write(append(line, '\n'))
	}
}

// bait is an archived line for content that verify would find correct if it read it.
func bait(dest, target string, content []byte) manifest.Entry {
	sum := sha256.Sum256(content)
	return manifest.Entry{RecordingID: "3f2b8c1e-0000-4000-8000-0000000000ff", Kind: manifest.KindMedia, Status: manifest.StatusArchived,
		Destination: dest, Target: target, Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:])}
}

func TestVerifyReadsOnlyUnderTheConfiguredDestinations(t *testing.T) {
	c := newCLI(t, uploaded(1, 1000))
	if code, out, errOut := c.run("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errOut)
	}
	secret := []byte("not the archive's\n")
	outside := filepath.Join(c.dir, "secret")
	os.WriteFile(outside, secret, 0o600)
	os.WriteFile(outside+"2", secret, 0o600)
	lines := map[string]manifest.Entry{
		"/etc/shadow":           bait("file:///etc/shadow", "local", secret),
		"a file beside it":      bait("file://"+outside, "local", secret),
		"a climb out":           bait("file://"+filepath.Join(c.dir, "archive")+"/../secret", "local", secret),
		"an unconfigured type":  bait("s3://elsewhere/secret", "aws", secret),
		"a scheme not its type": bait("file://"+outside+"2", "aws", secret),
	}
	for _, e := range lines {
		appendLines(t, c.env["ARCHIVE_MANIFEST"], e)
	}
	code, out, errOut := c.run("verify")
	if code != 1 {
		t.Fatalf("verify: exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	for name, e := range lines {
		if !strings.Contains(out, "FAILED "+e.Destination+": outside the configured destinations") {
			t.Errorf("%s: %s not reported outside:\n%s", name, e.Destination, out)
		}
	}
	if !strings.Contains(out, fmt.Sprintf("%d ok, %d failed", 2, len(lines))) {
		t.Fatalf("the archived objects are not verified beside them:\n%s", out)
	}
}

// A bucket other than the configured one is not read, although the credentials reach it.
func TestVerifyDoesNotReadAnotherBucket(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secretKey := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	client := s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secretKey, "")})
	suffix := strings.ToLower(rand.Text()[:10])
	configured, other := "verify-in-"+suffix, "verify-other-"+suffix
	secret := []byte("another team's object\n")
	for _, b := range []string{configured, other} {
		if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(other), Key: aws.String("x/secret"), Body: bytes.NewReader(secret)}); err != nil {
		t.Fatal(err)
	}
	c := newCLI(t)
	c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"] = key, secretKey
	config := fmt.Sprintf("default: aws\ndestinations:\n  aws:\n    bucket: %s\n    region: us-east-1\n    endpoint: %s\n    path_style: true\n", configured, endpoint)
	os.WriteFile(filepath.Join(c.dir, "config.yaml"), []byte(config), 0o600)
	os.WriteFile(c.env["ARCHIVE_MANIFEST"], nil, 0o600)
	e := bait("s3://"+other+"/x/secret", "aws", secret)
	appendLines(t, c.env["ARCHIVE_MANIFEST"], e)
	code, out, errOut := c.run("verify", "--config", "config.yaml")
	if code != 1 || !strings.Contains(out, "FAILED "+e.Destination+": outside the configured destinations") {
		t.Fatalf("verify: exit %d, want 1 and the object outside\n%s\n%s", code, out, errOut)
	}
}
