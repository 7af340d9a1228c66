package gcs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/gcs"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sinktest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

func TestConformance(t *testing.T) {
	endpoint := testenv.Require(t, "RTK_TEST_GCS_ENDPOINT")
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			bucket := newBucket(t, endpoint)
			s, err := gcs.New(t.Context(), gcs.Config{Bucket: bucket, Endpoint: endpoint})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return &recorder{Sink: s, bucket: bucket}
		},
		WriteOnce: func(t *testing.T) sinks.Sink {
			arch := gcs.Archive{StorageClass: "COLDLINE", Retention: gcs.Retention{Mode: "Unlocked", RetainPeriod: sinks.RetainPeriod{RetainFor: "1d"}}, TemporaryHold: true}
			s, err := gcs.New(t.Context(), gcs.Config{Bucket: newBucket(t, endpoint), Endpoint: endpoint, Archive: arch})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
		// fake-gcs-server keeps retention only from single-request uploads, and no holds: the
		// round trip and the upload requests are checked in archive_test.go.
		StoresLocks: false,
		Leftovers: func(t *testing.T, s sinks.Sink) []string {
			r := s.(*recorder)
			return unexpected(t, endpoint, r.bucket, r.written())
		},
		Faults: &sinktest.Faults{
			Upstream: func(t *testing.T) string { return hostOf(t, endpoint) },
			New: func(t *testing.T, addr string) sinks.Sink {
				s, err := gcs.New(t.Context(), gcs.Config{Bucket: newBucket(t, endpoint), Endpoint: strings.Replace(endpoint, hostOf(t, endpoint), addr, 1), Deadlines: sinktest.FaultDeadlines})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			},
			Bound: 10 * time.Second,
			HTTP:  true,
		},
		Missing: func(t *testing.T) sinks.Sink {
			s, err := gcs.New(t.Context(), gcs.Config{Bucket: fmt.Sprintf("rtk-missing-%d", time.Now().UnixNano()), Endpoint: endpoint})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func hostOf(t *testing.T, endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// recorder remembers the keys of successful Puts and Creates: anything else in the bucket was left by a
// failed one.
type recorder struct {
	*gcs.Sink
	bucket string
	mu     sync.Mutex
	keys   []string
}

func (r *recorder) Put(ctx context.Context, key string, body io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	obj, err := r.Sink.Put(ctx, key, body, opts)
	r.record(key, err)
	return obj, err
}

func (r *recorder) Create(ctx context.Context, key string, body io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	obj, err := r.Sink.Create(ctx, key, body, opts)
	r.record(key, err)
	return obj, err
}

func (r *recorder) record(key string, err error) {
	if err == nil {
		r.mu.Lock()
		r.keys = append(r.keys, key)
		r.mu.Unlock()
	}
}

func (r *recorder) written() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.keys)
}

var buckets atomic.Int64

// newBucket creates an empty bucket of its own for one test.
func newBucket(t *testing.T, endpoint string) string {
	t.Helper()
	name := fmt.Sprintf("rtk-test-%d-%d", time.Now().UnixNano(), buckets.Add(1))
	c := adminClient(t, endpoint)
	if err := c.Bucket(name).Create(t.Context(), "rtk-test", nil); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// unexpected lists the objects of bucket that are not among keep.
func unexpected(t *testing.T, endpoint, bucket string, keep []string) []string {
	t.Helper()
	var left []string
	it := adminClient(t, endpoint).Bucket(bucket).Objects(t.Context(), nil)
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return left
		}
		if err != nil {
			t.Fatalf("list %s: %v", bucket, err)
		}
		if !slices.Contains(keep, a.Name) {
			left = append(left, a.Name)
		}
	}
}

func adminClient(t *testing.T, endpoint string) *storage.Client {
	t.Helper()
	c, err := storage.NewClient(t.Context(), option.WithEndpoint(endpoint), option.WithoutAuthentication())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
