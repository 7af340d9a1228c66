package s3

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// lockedSink returns a sink with arch on a fresh bucket created with Object Lock, at endpoint.
func lockedSink(t *testing.T, endpoint string, arch Archive, lockBucket bool) *Sink {
	t.Helper()
	s, err := New(t.Context(), Config{
		Bucket:   strings.ToLower(fmt.Sprintf("rtk-lock-%d-%s", buckets.Add(1), rand.Text()[:8])),
		Endpoint: endpoint, PathStyle: true,
		AccessKeyID: testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), SecretAccessKey: testenv.Require(t, "RTK_TEST_S3_SECRET_KEY"),
		CAFile:   testenv.Require(t, "RTK_TEST_S3_CA_FILE"),
		PartSize: minPartSize, Buffers: 3, Archive: arch, Setting: "destinations.aws",
	})
	if err != nil {
		t.Fatal(err)
	}
	in := &s3sdk.CreateBucketInput{Bucket: &s.bucket}
	if lockBucket {
		in.ObjectLockEnabledForBucket = aws.Bool(true)
	}
	if _, err := s.client.CreateBucket(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	return s
}

var governance = Archive{
	StorageClass: "DEEP_ARCHIVE",
	ObjectLock:   ObjectLock{Mode: "GOVERNANCE", RetainPeriod: sinks.RetainPeriod{RetainFor: "1d"}, LegalHold: true},
	Tags:         "team=support",
}

// TestObjectLockOnEveryObject: on versitygw with an Object Lock bucket, every object written (one
// PutObject, one multipart upload) carries the configured retention and legal hold, set on the
// creating request; a second write to the key is refused and leaves the first.
func TestObjectLockOnEveryObject(t *testing.T) {
	s := lockedSink(t, testenv.Require(t, "RTK_TEST_S3_ENDPOINT"), governance, true)
	if err := s.Check(t.Context()); err != nil {
		t.Fatalf("preflight of a bucket with Object Lock: %v", err)
	}
	reqs := capture(s)
	g := sinks.Guard(s).(sinks.Creator)
	before := time.Now()
	for key, size := range map[string]int{"small.mp4": 1000, "multi.mp4": 2*minPartSize + 3} {
		data := make([]byte, size)
		rand.Read(data)
		if _, err := g.Create(t.Context(), key, bytes.NewReader(data), sinks.PutOptions{Size: int64(size)}); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		d, err := s.Describe(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		wantUntil := before.Add(24 * time.Hour)
		if d.Lock.Mode != "GOVERNANCE" || !d.Lock.Hold || d.Lock.RetainUntil.Before(wantUntil.Add(-time.Second)) || d.Lock.RetainUntil.After(wantUntil.Add(time.Minute)) {
			t.Errorf("%s: lock %+v, want GOVERNANCE until about %s with a legal hold", key, d.Lock, wantUntil)
		}
		if _, err := g.Create(t.Context(), key, bytes.NewReader([]byte("other")), sinks.PutOptions{Size: 5}); !errors.Is(err, sinks.ErrExists) {
			t.Errorf("%s: a second Create = %v, want ErrExists", key, err)
		}
		if st, err := s.Stat(t.Context(), key); err != nil || st.Size != int64(size) {
			t.Errorf("%s after the refused write: %+v, %v", key, st, err)
		}
	}
	// The options travel on the creating requests, which no test server checks for us.
	creating := 0
	for _, r := range reqs.all() {
		q := r.URL.Query()
		isCreate := (r.Method == http.MethodPut && !q.Has("partNumber")) || (r.Method == http.MethodPost && q.Has("uploads"))
		if !isCreate {
			continue
		}
		creating++
		for h, want := range map[string]string{"X-Amz-Storage-Class": "DEEP_ARCHIVE", "X-Amz-Object-Lock-Mode": "GOVERNANCE", "X-Amz-Object-Lock-Legal-Hold": "ON", "X-Amz-Tagging": "team=support"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s %s: %s = %q, want %q", r.Method, r.URL.Path, h, got, want)
			}
		}
		if r.Header.Get("X-Amz-Object-Lock-Retain-Until-Date") == "" {
			t.Errorf("%s %s: no retain-until date", r.Method, r.URL.Path)
		}
	}
	if creating < 2 {
		t.Fatalf("saw %d creating requests, want a PutObject and a CreateMultipartUpload at least", creating)
	}
	// Object Lock needs a checksum header on every PutObject and UploadPart.
	for _, r := range reqs.all() {
		if r.Method == http.MethodPut && r.Header.Get("X-Amz-Checksum-Crc32c") == "" && r.Header.Get("Content-Md5") == "" {
			t.Errorf("PUT %s without a checksum header", r.URL)
		}
	}
}

// TestPreflightRefusesObjectLockWithoutLockedBucket: object_lock on a bucket created without Object
// Lock fails the destination check, naming the setting.
func TestPreflightRefusesObjectLockWithoutLockedBucket(t *testing.T) {
	s := lockedSink(t, testenv.Require(t, "RTK_TEST_S3_ENDPOINT"), governance, false)
	err := sinks.Guard(s).(sinks.Checker).Check(t.Context())
	if err == nil || !errors.Is(err, sinks.ErrPermanent) || !strings.Contains(err.Error(), "destinations.aws.object_lock") {
		t.Fatalf("Check = %v, want a permanent error naming destinations.aws.object_lock", err)
	}
}

// TestSSECustomerKeyOnEveryRequest: with sse_customer_key_file, every request on an object carries the
// key (versitygw accepts and ignores SSE-C, so this is asserted on the requests), and KeyID names the
// key by its MD5, never the key.
func TestSSECustomerKeyOnEveryRequest(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "sse-c.key")
	key := make([]byte, 32)
	rand.Read(key)
	os.WriteFile(keyFile, key, 0o600)
	s := lockedSink(t, testenv.Require(t, "RTK_TEST_S3_HTTPS_ENDPOINT"), Archive{SSECustomerKeyFile: keyFile}, false)
	reqs := capture(s)
	g := sinks.Guard(s)
	for name, size := range map[string]int{"small": 100, "multi": minPartSize + 1} {
		data := make([]byte, size)
		rand.Read(data)
		if _, err := g.Put(t.Context(), name, bytes.NewReader(data), sinks.PutOptions{Size: int64(size)}); err != nil {
			t.Fatal(err)
		}
		if _, err := sinks.ReadBack(t.Context(), g, name); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Describe(t.Context(), "small"); err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs.all() {
		if r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key") == "" || r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "AES256" {
			t.Errorf("%s %s without the SSE-C key", r.Method, r.URL)
		}
	}
	if id := s.KeyID(); !strings.HasPrefix(id, "sse-c:md5:") || strings.Contains(id, s.ssec.key) {
		t.Errorf("KeyID = %q", id)
	}
}

// glacierShim stands in front of versitygw and makes every object look like S3 GLACIER: HEAD reports
// the class, GET answers 403 InvalidObjectState, as S3 does before a restore. Everything else passes.
func glacierShim(t *testing.T, endpoint string) (string, *int) {
	u, _ := url.Parse(endpoint)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodHead && r.StatusCode == http.StatusOK {
			r.Header.Set("X-Amz-Storage-Class", "GLACIER")
		}
		return nil
	}
	gets := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1 {
			*gets++
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidObjectState</Code><Message>The operation is not valid for the object's storage class</Message></Error>`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, gets
}

// TestGlacierIsProvenWithoutReading: through a shim that makes objects GLACIER, Prove proves them by
// their stored checksums (a multipart object by the full-object CRC32C the manifest kept), never GETs
// them, and "read always" says a restore is required.
func TestGlacierIsProvenWithoutReading(t *testing.T) {
	shim, gets := glacierShim(t, testenv.Require(t, "RTK_TEST_S3_ENDPOINT"))
	s := lockedSink(t, shim, Archive{StorageClass: "GLACIER"}, false)
	g := sinks.Guard(s)
	small, multi := make([]byte, 1000), make([]byte, minPartSize+5)
	rand.Read(small)
	rand.Read(multi)
	objs := map[string]sinks.Object{}
	for key, data := range map[string][]byte{"small": small, "multi": multi} {
		obj, err := g.Put(t.Context(), key, bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data))})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		objs[key] = obj
	}
	for key, want := range objs {
		for _, mode := range []sinks.ReadMode{sinks.ReadNever, sinks.ReadIfUnproven, sinks.ReadAuto} {
			d, how, err := sinks.Prove(t.Context(), g, key, want, mode)
			if err != nil || !d.Cold || how == sinks.ProvenByRead {
				t.Errorf("%s mode %d: %+v %q %v, want proven cold without reading", key, mode, d, how, err)
			}
		}
		if _, _, err := sinks.Prove(t.Context(), g, key, want, sinks.ReadAlways); !errors.Is(err, sinks.ErrRestoreRequired) {
			t.Errorf("%s read always: %v, want restore required", key, err)
		}
		wrong := want
		wrong.SHA256, wrong.Checksum = strings.Repeat("0", 64), "crc32c:AAAAAA=="
		if _, _, err := sinks.Prove(t.Context(), g, key, wrong, sinks.ReadAuto); !errors.Is(err, sinks.ErrChecksumMismatch) {
			t.Errorf("%s against a wrong record: %v, want a mismatch", key, err)
		}
	}
	if _, _, err := sinks.Prove(t.Context(), g, "multi", sinks.Object{Size: int64(len(multi)), SHA256: sha(multi)}, sinks.ReadIfUnproven); !errors.Is(err, sinks.ErrRestoreRequired) {
		t.Errorf("Prove on a cold object without its SHA-256 in metadata or a recorded checksum: %v, want restore required, nothing read", err)
	}
	if *gets != 0 {
		t.Fatalf("%d GETs of cold objects", *gets)
	}
}

// TestWrongObjectIsLeftInPlaceUnderLock: when the object stored fails its check after the upload
// (here a shim reports a wrong CRC32C on HEAD), a write-once sink reports it and leaves it: no DELETE.
func TestWrongObjectIsLeftInPlaceUnderLock(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	u, _ := url.Parse(endpoint)
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(r *http.Response) error {
		if r.Request.Method == http.MethodHead && r.Header.Get("X-Amz-Checksum-Crc32c") != "" {
			r.Header.Set("X-Amz-Checksum-Crc32c", "AAAAAA==")
		}
		return nil
	}
	deletes := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			deletes++
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	s := lockedSink(t, srv.URL, governance, true)
	data := make([]byte, minPartSize+9) // multipart: its check is a HEAD after completion
	rand.Read(data)
	_, err := sinks.Guard(s).Put(t.Context(), "wrong.mp4", bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data))})
	if !errors.Is(err, sinks.ErrChecksumMismatch) || !strings.Contains(err.Error(), "left in place") {
		t.Fatalf("Put = %v, want a mismatch that says the object is left in place", err)
	}
	if deletes != 0 {
		t.Fatalf("%d DELETEs of a locked object", deletes)
	}
	if st, err := s.Stat(t.Context(), "wrong.mp4"); err != nil || st.Size != int64(len(data)) {
		t.Fatalf("the object is gone: %+v %v", st, err)
	}
}

// TestSSECNeedsHTTPS: an SSE-C key is never sent over plain http; the error names the setting.
func TestSSECNeedsHTTPS(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "k")
	os.WriteFile(keyFile, make([]byte, 32), 0o600)
	_, err := New(t.Context(), Config{Bucket: "b", Endpoint: "http://127.0.0.1:1", Archive: Archive{SSECustomerKeyFile: keyFile}, Setting: "destinations.aws"})
	if err == nil || !strings.Contains(err.Error(), "destinations.aws.sse_customer_key_file") {
		t.Fatalf("New = %v", err)
	}
	os.WriteFile(keyFile, make([]byte, 31), 0o600)
	_, err = New(t.Context(), Config{Bucket: "b", Endpoint: "https://127.0.0.1:1", Archive: Archive{SSECustomerKeyFile: keyFile}, Setting: "destinations.aws"})
	if err == nil || !strings.Contains(err.Error(), "32 raw bytes") {
		t.Fatalf("New with a short key = %v", err)
	}
}

// TestContentMD5MultipartIsProvenByItsETag: with Content-MD5 instead of CRCs (Spaces), a multipart
// object keeps no checksum but its ETag (the MD5 of its parts' MD5s, which the store checked): the Put
// reports it, and it proves the object later without a read.
func TestContentMD5MultipartIsProvenByItsETag(t *testing.T) {
	s := newSink(t, testenv.Require(t, "RTK_TEST_S3_ENDPOINT"))
	s.cfg.ContentMD5 = true
	data := make([]byte, minPartSize+11)
	rand.Read(data)
	obj, err := sinks.Guard(s).Put(t.Context(), "spaces.mp4", bytes.NewReader(data), sinks.PutOptions{Size: -1})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(obj.Checksum, "etag:") {
		t.Fatalf("Put = %+v, want the multipart ETag as its checksum", obj)
	}
	if _, how, err := sinks.Prove(t.Context(), sinks.Guard(s), "spaces.mp4", obj, sinks.ReadNever); err != nil || how != sinks.ProvenByChecksum {
		t.Fatalf("Prove = %q, %v", how, err)
	}
}
