package s3

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// minioSink returns a sink with arch on a fresh MinIO bucket (over TLS), created with Object Lock
// and, with days > 0, a default GOVERNANCE retention of that many days.
func minioSink(t *testing.T, arch Archive, lock bool, days int32) *Sink {
	t.Helper()
	s, err := New(t.Context(), Config{
		Bucket:   strings.ToLower(fmt.Sprintf("rtk-minio-%d-%s", buckets.Add(1), rand.Text()[:8])),
		Endpoint: testenv.Require(t, "RTK_TEST_MINIO_ENDPOINT"), PathStyle: true,
		AccessKeyID: testenv.Require(t, "RTK_TEST_MINIO_ACCESS_KEY"), SecretAccessKey: testenv.Require(t, "RTK_TEST_MINIO_SECRET_KEY"),
		CAFile:   testenv.Require(t, "RTK_TEST_MINIO_CA_FILE"),
		PartSize: minPartSize, Buffers: 3, Archive: arch, Setting: "destinations.aws",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CreateBucket(t.Context(), &s3sdk.CreateBucketInput{Bucket: &s.bucket, ObjectLockEnabledForBucket: aws.Bool(lock)}); err != nil {
		t.Fatal(err)
	}
	if days > 0 {
		_, err := s.client.PutObjectLockConfiguration(t.Context(), &s3sdk.PutObjectLockConfigurationInput{Bucket: &s.bucket,
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(days)}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestMinIODefaultRetentionOneVersionPerKey: in a bucket with a default retention, which MinIO stamps on
// every object as S3 does, a run and a re-run leave exactly one version per key, multipart objects
// included (no copy onto itself, no rewrite), and every object is locked.
func TestMinIODefaultRetentionOneVersionPerKey(t *testing.T) {
	s := minioSink(t, Archive{}, true, 1)
	g := sinks.Guard(s).(sinks.Creator)
	sizes := map[string]int{"small.mp4": 1000, "multi.mp4": 2*minPartSize + 1}
	for round := range 2 {
		for key, size := range sizes {
			data := make([]byte, size)
			rand.Read(data)
			_, err := g.Create(t.Context(), key, bytes.NewReader(data), sinks.PutOptions{Size: -1})
			if round == 1 && !errors.Is(err, sinks.ErrExists) {
				t.Fatalf("re-run Create of %s = %v, want ErrExists", key, err)
			} else if round == 0 && err != nil {
				t.Fatal(err)
			}
		}
	}
	out, err := s.client.ListObjectVersions(t.Context(), &s3sdk.ListObjectVersionsInput{Bucket: &s.bucket})
	if err != nil {
		t.Fatal(err)
	}
	versions := map[string]int{}
	for _, v := range out.Versions {
		versions[aws.ToString(v.Key)]++
	}
	if len(out.DeleteMarkers) != 0 || versions["small.mp4"] != 1 || versions["multi.mp4"] != 1 {
		t.Fatalf("versions %v, %d delete markers; want exactly one version per key", versions, len(out.DeleteMarkers))
	}
	for key := range sizes {
		d, err := s.Describe(t.Context(), key)
		if err != nil || d.Lock.Mode != "GOVERNANCE" || d.Lock.RetainUntil.IsZero() {
			t.Errorf("%s: %+v %v, want the bucket's default retention stamped on it", key, d.Lock, err)
		}
	}
}

// TestMinIOObjectLockPreflight: object_lock with a MinIO bucket made without Object Lock fails the
// check, with one made with it passes.
func TestMinIOObjectLockPreflight(t *testing.T) {
	if err := minioSink(t, governance, false, 0).Check(t.Context()); !errors.Is(err, sinks.ErrPermanent) || !strings.Contains(err.Error(), "object_lock") {
		t.Errorf("without Object Lock: %v", err)
	}
	if err := minioSink(t, governance, true, 0).Check(t.Context()); err != nil {
		t.Errorf("with Object Lock: %v", err)
	}
}

// TestMinIOSSEKMS: objects are encrypted with the configured KMS key (MinIO's static key), read back
// and proven; a key MinIO doesn't have is refused for good.
func TestMinIOSSEKMS(t *testing.T) {
	s := minioSink(t, Archive{SSE: "aws:kms", SSEKMSKeyID: testenv.Require(t, "RTK_TEST_MINIO_KMS_KEY")}, false, 0)
	g := sinks.Guard(s)
	for key, size := range map[string]int{"small": 100, "multi": minPartSize + 3} {
		data := make([]byte, size)
		rand.Read(data)
		obj, err := g.Put(t.Context(), key, bytes.NewReader(data), sinks.PutOptions{Size: -1})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		head, err := s.client.HeadObject(t.Context(), &s3sdk.HeadObjectInput{Bucket: &s.bucket, Key: &key})
		if err != nil || head.ServerSideEncryption != types.ServerSideEncryptionAwsKms || !strings.HasSuffix(aws.ToString(head.SSEKMSKeyId), s.cfg.Archive.SSEKMSKeyID) {
			t.Errorf("%s: HEAD %v %v, want aws:kms with the configured key", key, head, err)
		}
		if _, how, err := sinks.Prove(t.Context(), g, key, obj, sinks.ReadAuto); err != nil || how != sinks.ProvenByRead {
			t.Errorf("%s: Prove %q %v", key, how, err)
		}
	}
	if err := s.Check(t.Context()); err != nil {
		t.Errorf("the check with a key MinIO has: %v", err)
	}
	bad := minioSink(t, Archive{SSE: "aws:kms", SSEKMSKeyID: "no-such-key"}, false, 0)
	// The check tries the key before anything is downloaded, and names the setting.
	if err := bad.Check(t.Context()); !errors.Is(err, sinks.ErrPermanent) || !strings.Contains(err.Error(), "sse_kms_key_id") {
		t.Errorf("the check with a key MinIO doesn't have: %v, want a permanent refusal naming sse_kms_key_id", err)
	}
	uploads, err := s.client.ListMultipartUploads(t.Context(), &s3sdk.ListMultipartUploadsInput{Bucket: &s.bucket})
	if err != nil || len(uploads.Uploads) != 0 {
		t.Errorf("the check left %d multipart uploads (%v), want none", len(uploads.Uploads), err)
	}
	if _, err := sinks.Guard(bad).Put(t.Context(), "x", bytes.NewReader([]byte("x")), sinks.PutOptions{Size: 1}); !errors.Is(err, sinks.ErrPermanent) {
		t.Errorf("a key the store doesn't have: %v, want a permanent refusal", err)
	}
}

// TestMinIOSSEC: an SSE-C object can't even be described without its key; with it, HEAD, GET and
// Prove work.
func TestMinIOSSEC(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "sse-c.key")
	key := make([]byte, 32)
	rand.Read(key)
	os.WriteFile(keyFile, key, 0o600)
	s := minioSink(t, Archive{SSECustomerKeyFile: keyFile}, false, 0)
	g := sinks.Guard(s)
	for name, size := range map[string]int{"small": 100, "multi": minPartSize + 3} {
		data := make([]byte, size)
		rand.Read(data)
		obj, err := g.Put(t.Context(), name, bytes.NewReader(data), sinks.PutOptions{Size: -1})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, how, err := sinks.Prove(t.Context(), g, name, obj, sinks.ReadAuto); err != nil || how != sinks.ProvenByRead {
			t.Errorf("%s with the key: %q %v", name, how, err)
		}
		if _, err := s.client.HeadObject(t.Context(), &s3sdk.HeadObjectInput{Bucket: &s.bucket, Key: &name}); err == nil {
			t.Errorf("%s: HEAD without the key succeeded", name)
		}
	}
}
