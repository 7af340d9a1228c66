package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sinktest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

var buckets atomic.Int64

// newSink returns a sink on a fresh bucket of the server at endpoint. Small parts and few buffers
// make the suite cross part boundaries and contend for the pool.
func newSink(t *testing.T, endpoint string) *Sink {
	return newSinkWith(t, endpoint, sinks.Deadlines{})
}

func newSinkWith(t *testing.T, endpoint string, d sinks.Deadlines) *Sink {
	t.Helper()
	s, err := New(t.Context(), Config{
		Deadlines:       d,
		Bucket:          strings.ToLower(fmt.Sprintf("rtk-%d-%s", buckets.Add(1), rand.Text()[:8])),
		Endpoint:        endpoint,
		PathStyle:       true,
		AccessKeyID:     testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"),
		SecretAccessKey: testenv.Require(t, "RTK_TEST_S3_SECRET_KEY"),
		CAFile:          testenv.Require(t, "RTK_TEST_S3_CA_FILE"),
		PartSize:        minPartSize,
		Buffers:         3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.CreateBucket(t.Context(), &s3sdk.CreateBucketInput{Bucket: &s.bucket}); err != nil {
		t.Fatal(err)
	}
	return s
}

func harness(endpointVar string) sinktest.Harness {
	return sinktest.Harness{
		New: func(t *testing.T) sinks.Sink { return newSink(t, testenv.Require(t, endpointVar)) },
		Leftovers: func(t *testing.T, sk sinks.Sink) []string {
			s := sk.(*Sink)
			out, err := s.client.ListMultipartUploads(context.Background(), &s3sdk.ListMultipartUploadsInput{Bucket: &s.bucket})
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, u := range out.Uploads {
				left = append(left, fmt.Sprintf("multipart upload %s of %s", aws.ToString(u.UploadId), aws.ToString(u.Key)))
			}
			return left
		},
		BigSize: 12 << 20,
		Faults: &sinktest.Faults{
			Upstream: func(t *testing.T) string { return hostPort(t, testenv.Require(t, endpointVar)) },
			New: func(t *testing.T, addr string) sinks.Sink {
				return newSinkWith(t, "http://"+addr, sinktest.FaultDeadlines)
			},
			Bound: 10 * time.Second,
			HTTP:  true,
		},
		WriteOnce:   func(t *testing.T) sinks.Sink { return lockedSink(t, testenv.Require(t, endpointVar), governance, true) },
		StoresLocks: true,
		Missing: func(t *testing.T) sinks.Sink {
			s, err := New(t.Context(), Config{
				Bucket: "rtk-missing-" + strings.ToLower(rand.Text()[:8]), Endpoint: testenv.Require(t, endpointVar), PathStyle: true,
				AccessKeyID: testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), SecretAccessKey: testenv.Require(t, "RTK_TEST_S3_SECRET_KEY"),
				CAFile: testenv.Require(t, "RTK_TEST_S3_CA_FILE"),
			})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

func TestConformanceHTTP(t *testing.T) { sinktest.Run(t, harness("RTK_TEST_S3_ENDPOINT")) }
func TestConformanceHTTPS(t *testing.T) {
	h := harness("RTK_TEST_S3_HTTPS_ENDPOINT")
	h.Faults = nil // the proxy's cases run over plain http; TLS changes nothing in how a request ends
	sinktest.Run(t, h)
}

func hostPort(t *testing.T, endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestMultipartWritesOnce checks that a multipart object is written once, straight to its key: no
// copy onto itself (which fails on GLACIER and leaves a second version under Object Lock). The Put
// reports the full-object CRC32C the server verified and reports on a HEAD; a SHA-256 known before the
// body goes into the object's metadata at creation. The key needs escaping in any copy source.
func TestMultipartWritesOnce(t *testing.T) {
	s := newSink(t, testenv.Require(t, "RTK_TEST_S3_ENDPOINT"))
	reqs := capture(s)
	data := make([]byte, 2*minPartSize+7)
	rand.Read(data)
	key := "odd/会議 a+b%20&c?.mp4"
	obj, err := sinks.Guard(s).Put(t.Context(), key, bytes.NewReader(data), sinks.PutOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Describe(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	whole := "crc32c:" + b64crc(crc32.Checksum(data, castagnoli))
	if d.Size != int64(len(data)) || obj.Checksum != whole || d.Checksum != whole {
		t.Fatalf("Put = %+v, Describe = %+v, want size %d and checksum %s on both", obj, d, len(data), whole)
	}
	for _, r := range reqs.all() {
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			t.Fatalf("the Put copied an object: %s %s", r.Method, r.URL)
		}
	}
	known := "known/" + key
	if _, err := sinks.Guard(s).Put(t.Context(), known, bytes.NewReader(data), sinks.PutOptions{Size: -1, SHA256: sha(data)}); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Stat(t.Context(), known); err != nil || st.SHA256 != sha(data) {
		t.Fatalf("Stat of a multipart object whose SHA-256 was known = %+v, %v; want the SHA-256 in its metadata", st, err)
	}
}

// TestServerRefusesWrongChecksum shows the checksums the driver sends are checked by the server: a
// PutObject or part with a wrong one is refused and stores nothing.
func TestServerRefusesWrongChecksum(t *testing.T) {
	for _, v := range []string{"RTK_TEST_S3_ENDPOINT", "RTK_TEST_S3_HTTPS_ENDPOINT"} {
		t.Run(v, func(t *testing.T) {
			s := newSink(t, testenv.Require(t, v))
			ctx := t.Context()
			data := []byte("the recording")
			wrong := sha([]byte("another recording"))
			_, err := s.client.PutObject(ctx, &s3sdk.PutObjectInput{
				Bucket: &s.bucket, Key: aws.String("single"), Body: bytes.NewReader(data),
				ChecksumSHA256: aws.String(b64hex(wrong)),
			})
			if err == nil {
				t.Fatal("PutObject with a wrong x-amz-checksum-sha256 was accepted")
			}
			if _, err := s.Stat(ctx, "single"); !errors.Is(err, sinks.ErrNotFound) {
				t.Fatalf("after a refused PutObject, Stat: %v", err)
			}
			mpu, err := s.client.CreateMultipartUpload(ctx, &s3sdk.CreateMultipartUploadInput{Bucket: &s.bucket, Key: aws.String("multi"), ChecksumAlgorithm: "CRC32C"})
			if err != nil {
				t.Fatal(err)
			}
			defer s.client.AbortMultipartUpload(context.Background(), &s3sdk.AbortMultipartUploadInput{Bucket: &s.bucket, Key: aws.String("multi"), UploadId: mpu.UploadId})
			_, err = s.client.UploadPart(ctx, &s3sdk.UploadPartInput{
				Bucket: &s.bucket, Key: aws.String("multi"), UploadId: mpu.UploadId, PartNumber: aws.Int32(1),
				Body: bytes.NewReader(data), ChecksumCRC32C: aws.String(b64crc(12345)),
			})
			if err == nil {
				t.Fatal("UploadPart with a wrong x-amz-checksum-crc32c was accepted")
			}
		})
	}
}

// TestVerifyCatchesMismatch shows the post-upload check fails when the server holds other bytes
// than were sent.
func TestVerifyCatchesMismatch(t *testing.T) {
	s := newSink(t, testenv.Require(t, "RTK_TEST_S3_ENDPOINT"))
	data := []byte("stored bytes")
	if _, err := sinks.Guard(s).Put(t.Context(), "v", bytes.NewReader(data), sinks.PutOptions{Size: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.verify(t.Context(), "v", want{size: int64(len(data)) + 1, sha256: sha(data)}); !errors.Is(err, sinks.ErrSizeMismatch) {
		t.Fatalf("wrong size: %v", err)
	}
	other := sha([]byte("other bytes!"))
	if _, err := s.verify(t.Context(), "v", want{size: int64(len(data)), sha256: other, checksumSHA256: b64hex(other)}); !errors.Is(err, sinks.ErrChecksumMismatch) {
		t.Fatalf("wrong checksum: %v", err)
	}
}

// TestPutObjectReportsChecksum shows what a single-part Put relies on to skip its HEAD: the server
// answers a PutObject with the CRC32C of what it stored, the one that was sent.
func TestPutObjectReportsChecksum(t *testing.T) {
	for _, v := range []string{"RTK_TEST_S3_ENDPOINT", "RTK_TEST_S3_HTTPS_ENDPOINT"} {
		t.Run(v, func(t *testing.T) {
			s := newSink(t, testenv.Require(t, v))
			data := []byte("the recording")
			sent := b64crc(crc32.Checksum(data, castagnoli))
			out, err := s.client.PutObject(t.Context(), &s3sdk.PutObjectInput{
				Bucket: &s.bucket, Key: aws.String("single"), Body: bytes.NewReader(data), ChecksumCRC32C: aws.String(sent),
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(out.ChecksumCRC32C); got != sent {
				t.Fatalf("PutObject answered CRC32C %q, sent %q: every single-part Put would need its HEAD", got, sent)
			}
		})
	}
}

// b64hex re-encodes a hex digest in base64, as x-amz-checksum-* headers carry it.
func b64hex(h string) string {
	b, _ := hex.DecodeString(h)
	return base64.StdEncoding.EncodeToString(b)
}
