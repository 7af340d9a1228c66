package gcs_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/gcs"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

// TestStorageClassAndRetentionRoundTrip: on fake-gcs-server the class, per-object retention and
// temporary hold go on the upload itself and come back in the object's attributes.
func TestStorageClassAndRetentionRoundTrip(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_GCS_ENDPOINT")
	arch := gcs.Archive{StorageClass: "ARCHIVE", Retention: gcs.Retention{Mode: "Unlocked", RetainPeriod: sinks.RetainPeriod{RetainFor: "2d"}}, TemporaryHold: true}
	s, err := gcs.New(t.Context(), gcs.Config{Bucket: newBucket(t, endpoint), Endpoint: endpoint, Archive: arch, Setting: "destinations.gcs"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := time.Now()
	data := make([]byte, 3000)
	rand.Read(data)
	if _, err := sinks.Guard(s).Put(t.Context(), "a/call.mp4", bytes.NewReader(data), sinks.PutOptions{Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	d, err := s.Describe(t.Context(), "a/call.mp4")
	if err != nil {
		t.Fatal(err)
	}
	want := before.Add(48 * time.Hour)
	if d.Class != "ARCHIVE" || d.Lock.Mode != "Unlocked" || d.Lock.RetainUntil.Before(want.Add(-time.Second)) || d.Lock.RetainUntil.After(want.Add(time.Minute)) || d.Checksum == "" {
		t.Fatalf("described %+v, want class ARCHIVE, Unlocked retention until about %s, a CRC32C", d, want)
	}
	// fake-gcs-server keeps no per-object retention setting on buckets: the preflight refuses it.
	err = sinks.Guard(s).(sinks.Checker).Check(t.Context())
	if !errors.Is(err, sinks.ErrPermanent) || !strings.Contains(err.Error(), "destinations.gcs.retention") {
		t.Fatalf("Check = %v, want a permanent error naming destinations.gcs.retention", err)
	}
}

// TestMissingChecksumIsNotAMismatch: GCS leaves crc32c and md5Hash out of the attributes of an object
// under a customer-supplied key when the request lacks the key. A shim strips them from every answer:
// the Put fails (nothing checks the bytes), but nothing is deleted.
func TestMissingChecksumIsNotAMismatch(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_GCS_ENDPOINT")
	u, _ := url.Parse(endpoint)
	u.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(r *http.Response) error {
		if !strings.Contains(r.Header.Get("Content-Type"), "json") {
			return nil
		}
		var b bytes.Buffer
		b.ReadFrom(r.Body)
		r.Body.Close()
		out := b.String()
		for _, field := range []string{"crc32c", "md5Hash"} {
			for {
				i := strings.Index(out, `"`+field+`":`)
				if i < 0 {
					break
				}
				j := strings.IndexAny(out[i+len(field)+3:], ",}") + i + len(field) + 3
				if out[j] == ',' {
					j++
				}
				out = out[:i] + out[j:]
			}
		}
		out = strings.ReplaceAll(out, ",}", "}")
		r.Body = http.NoBody
		r.Body = ioNopCloser(strings.NewReader(out))
		r.ContentLength = int64(len(out))
		r.Header.Del("Content-Length")
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
	bucket := newBucket(t, endpoint)
	s, err := gcs.New(t.Context(), gcs.Config{Bucket: bucket, Endpoint: srv.URL + "/storage/v1/"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = sinks.Guard(s).Put(t.Context(), "csek.mp4", bytes.NewReader([]byte("recording bytes")), sinks.PutOptions{Size: 15})
	if err == nil || errors.Is(err, sinks.ErrChecksumMismatch) || !strings.Contains(err.Error(), "no CRC32C") {
		t.Fatalf("Put = %v, want a failure saying no checksum was reported, not a mismatch", err)
	}
	if deletes != 0 {
		t.Fatalf("%d DELETEs of an object whose checksum was only missing", deletes)
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

func ioNopCloser(r *strings.Reader) nopCloser { return nopCloser{r} }

// TestUploadsCarryTheSettings: the class, KMS key, retention and hold are in the request that creates
// the object, for a single-request upload and a resumable one alike (fake-gcs-server keeps only some
// of them, so the requests are checked here).
func TestUploadsCarryTheSettings(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_GCS_ENDPOINT")
	u, _ := url.Parse(endpoint)
	u.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(u)
	var mu sync.Mutex
	var inits []string // the object resource of each upload: query and JSON metadata
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/upload/") && !r.URL.Query().Has("upload_id") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			head := body
			if len(head) > 4096 {
				head = head[:4096]
			}
			mu.Lock()
			inits = append(inits, r.URL.RawQuery+" "+string(head))
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	key := "projects/p/locations/l/keyRings/r/cryptoKeys/k"
	arch := gcs.Archive{StorageClass: "ARCHIVE", KMSKeyName: key, Retention: gcs.Retention{Mode: "Locked", RetainPeriod: sinks.RetainPeriod{RetainUntil: "2033-12-31T00:00:00Z"}}, TemporaryHold: true}
	s, err := gcs.New(t.Context(), gcs.Config{Bucket: newBucket(t, endpoint), Endpoint: srv.URL + "/storage/v1/", Archive: arch, ChunkSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for name, size := range map[string]int{"small": 100, "resumable": 600 << 10} {
		data := make([]byte, size)
		rand.Read(data)
		// fake-gcs-server can't use a KMS key: the request is what is checked, not the answer.
		sinks.Guard(s).Put(t.Context(), name, bytes.NewReader(data), sinks.PutOptions{Size: -1})
	}
	if len(inits) < 2 { // or more: fake-gcs-server may refuse the KMS key and the SDK try again
		t.Fatalf("%d upload requests, want one per object at least", len(inits))
	}
	for _, in := range inits {
		for _, want := range []string{`"storageClass":"ARCHIVE"`, `"temporaryHold":true`, `"retention":{"mode":"Locked","retainUntilTime":"2033-12-31T00:00:00Z"}`, "kmsKeyName=" + url.QueryEscape(key)} {
			if !strings.Contains(in, want) {
				t.Errorf("upload request without %s:\n%.600s", want, in)
			}
		}
	}
}

// TestWrongObjectIsLeftUnderRetention: an object whose stored CRC32C differs from the body (a shim
// alters the upload's answer) is reported, and on a destination with retention it is left: GCS would
// answer the delete with 403 (the shim does too), and no DELETE is sent.
func TestWrongObjectIsLeftUnderRetention(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_GCS_ENDPOINT")
	u, _ := url.Parse(endpoint)
	u.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(u)
	crc := regexp.MustCompile(`"crc32c":\s*"[^"]*"`)
	proxy.ModifyResponse = func(r *http.Response) error {
		if !strings.Contains(r.Request.URL.Path, "/upload/") {
			return nil
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		out := crc.ReplaceAllString(string(b), `"crc32c":"AAAAAA=="`)
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(out)), int64(len(out))
		r.Header.Del("Content-Length")
		return nil
	}
	var deletes atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			deletes.Add(1)
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"error":{"code":403,"message":"Object is subject to bucket's retention policy or object retention and cannot be deleted, overwritten or archived until ...","errors":[{"reason":"retentionPolicyNotMet"}]}}`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	arch := gcs.Archive{Retention: gcs.Retention{Mode: "Locked", RetainPeriod: sinks.RetainPeriod{RetainFor: "1d"}}}
	s, err := gcs.New(t.Context(), gcs.Config{Bucket: newBucket(t, endpoint), Endpoint: srv.URL + "/storage/v1/", Archive: arch})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = sinks.Guard(s).Put(t.Context(), "wrong.mp4", bytes.NewReader([]byte("the recording")), sinks.PutOptions{Size: 13})
	if !errors.Is(err, sinks.ErrChecksumMismatch) || !strings.Contains(err.Error(), "left in place") {
		t.Fatalf("Put = %v, want a mismatch saying the object is left in place", err)
	}
	if n := deletes.Load(); n != 0 {
		t.Fatalf("%d DELETEs of an object under retention", n)
	}
}
