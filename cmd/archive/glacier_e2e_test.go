package main

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// TestGlacierEndToEnd runs the job through a shim in front of versitygw that behaves like S3 GLACIER:
// HEAD reports the class, GET of an object answers 403 InvalidObjectState. A run archives (no write
// needs a read), a run with a fresh manifest proves every object by what S3 keeps (the SHA-256 in
// metadata, or the multipart media's full-object CRC32C against the source's) without one GET, and
// verify proves them without reading; --read always says a restore is required.
func TestGlacierEndToEnd(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	target, _ := url.Parse(endpoint)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodHead && r.StatusCode == http.StatusOK {
			r.Header.Set("X-Amz-Storage-Class", "GLACIER")
		}
		return nil
	}
	var gets atomic.Int64
	shim := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1 && !r.URL.Query().Has("uploads") {
			gets.Add(1)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message></Error>`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer shim.Close()
	bucket := "e2e-glacier-" + strings.ToLower(rand.Text()[:10])
	client := s3.New(s3.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	rec := fetchtest.Recording{ID: fetchtest.UUID(780), Status: "UPLOADED", OutputFileName: "call.mp4",
		MediaSize: 13<<20 + 7, AudioSize: 3000, Invoked: time.Now().Add(-time.Hour)} // the media takes a multipart upload
	c := newCLI(t, rec)
	c.env["AWS_ACCESS_KEY_ID"], c.env["AWS_SECRET_ACCESS_KEY"] = key, secret
	config := filepath.Join(c.dir, "config.yaml")
	os.WriteFile(config, fmt.Appendf(nil, "default: aws\ndestinations:\n  aws:\n    bucket: %s\n    region: us-east-1\n    endpoint: %s\n    path_style: true\n    storage_class: GLACIER\n", bucket, shim.URL), 0o644)

	if code, out, errOut := c.run("run", "--config", config); code != 0 {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	c.stdin = rec.ID + "\n"
	fresh := filepath.Join(c.dir, "fresh.jsonl")
	if code, out, errOut := c.run("run", "--config", config, "--ids", "-", "--manifest", fresh); code != 0 || countLines(t, fresh, `"status":"present"`) != 3 {
		t.Fatalf("a run with a fresh manifest: %d, want 3 objects present\n%s\n%s", code, out, errOut)
	}
	for _, m := range []string{c.env["ARCHIVE_MANIFEST"], fresh} {
		code, out, _ := c.run("verify", "--config", config, "--manifest", m)
		if code != 0 || strings.Count(out, "class GLACIER") != 3 || strings.Contains(out, "proven by read") {
			t.Fatalf("verify %s: %d\n%s", m, code, out)
		}
	}
	if n := gets.Load(); n != 0 {
		t.Fatalf("%d GETs of GLACIER objects", n)
	}
	if code, out, _ := c.run("verify", "--config", config, "--read", "always"); code != 1 || strings.Count(out, "restore required") != 3 {
		t.Fatalf("verify --read always: %d\n%s", code, out)
	}
}
