package archiver_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/s3"
	"github.com/rtk-archive/rtk-archive/internal/sinks/sinktest"
	"github.com/rtk-archive/rtk-archive/internal/testenv"
)

type oneTarget struct{ t archiver.Target }

func (r oneTarget) Route(context.Context, *fetch.Recording) (archiver.Target, error) { return r.t, nil }

// TestHeldUploadsDoNotStallTheRun: with --concurrency 4, the first 4 uploads reach the real S3 server
// and are never answered (the connections that carried them stay held for good). Each held request
// ends at its deadline and is sent again (finding the bytes the server stored meanwhile), and every one
// of the 8 recordings is archived in the same run, in seconds rather than at the next signal.
func TestHeldUploadsDoNotStallTheRun(t *testing.T) {
	t.Parallel() // mostly waiting out deadlines
	proxy, sink := s3ViaProxy(t, sinktest.FaultDeadlines)

	const n, concurrency = 8, 4
	var recs []string
	e := newEnv(t)
	for i := range n {
		e.api.Add(rec(i, "UPLOADED", 200_000))
		recs = append(recs, rec(i, "UPLOADED", 0).ID)
	}
	proxy.Set(sinktest.Hold)
	go func() {
		for proxy.Held() < concurrency {
			time.Sleep(10 * time.Millisecond)
		}
		proxy.Set(sinktest.Pass) // the held connections stay held; new ones pass
	}()
	w, err := manifest.Create(e.manifest)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []archiver.Job
	for _, id := range recs {
		jobs = append(jobs, archiver.Job{ID: id})
	}
	start := time.Now()
	_, err = archiver.Run(context.Background(), archiver.Config{
		Client: e.client, Router: oneTarget{archiver.Target{Name: "s3", Sink: sinks.Guard(sink)}}, Manifest: w,
		Concurrency: concurrency, RetryDelay: 10 * time.Millisecond, FileTimeout: time.Minute,
		Logger: slog.New(slog.NewJSONHandler(&e.logs, nil)),
	}, jobs)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	entries, err := manifest.Read(e.manifest)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d recordings, %d uploads held: the run ended after %v", n, proxy.Held(), took.Round(10*time.Millisecond))
	// A held upload was carried out by the server: its retry finds those very bytes at the key (present).
	done := 0
	for _, en := range entries {
		if en.Kind == manifest.KindMedia && en.Done() {
			done++
		}
	}
	if done != n {
		t.Fatalf("%d of %d recordings archived: %v\n%s", done, n, byStatus(entries), e.logs.String())
	}
	if proxy.Held() < concurrency {
		t.Fatalf("only %d uploads were held", proxy.Held())
	}
	if took > 30*time.Second {
		t.Fatalf("the run took %v", took)
	}
}

// s3ViaProxy returns a sink on a fresh bucket of the test S3 server, reached through a FaultProxy.
func s3ViaProxy(t *testing.T, d sinks.Deadlines) (*sinktest.FaultProxy, sinks.Sink) {
	endpoint := testenv.Require(t, "RTK_TEST_S3_ENDPOINT")
	key, secret := testenv.Require(t, "RTK_TEST_S3_ACCESS_KEY"), testenv.Require(t, "RTK_TEST_S3_SECRET_KEY")
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	bucket := "held-" + strings.ToLower(rand.Text()[:10])
	admin := s3sdk.New(s3sdk.Options{BaseEndpoint: aws.String(endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	if _, err := admin.CreateBucket(t.Context(), &s3sdk.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	proxy := sinktest.NewFaultProxy(t, u.Host)
	sink, err := s3.New(t.Context(), s3.Config{Bucket: bucket, Endpoint: "http://" + proxy.Addr, PathStyle: true,
		AccessKeyID: key, SecretAccessKey: secret, Deadlines: d})
	if err != nil {
		t.Fatal(err)
	}
	return proxy, sinks.Guard(sink)
}

// TestFileTimeoutCoversTheUpload: --file-timeout bounds the upload as it bounds the download. With
// request deadlines far longer than it, a black-holed upload ends at the file's timeout, is reported as
// such and is not tried again.
func TestFileTimeoutCoversTheUpload(t *testing.T) {
	t.Parallel()
	proxy, sink := s3ViaProxy(t, sinks.Deadlines{Floor: time.Hour})
	e := newEnv(t, rec(1, "UPLOADED", 200_000))
	w, err := manifest.Create(e.manifest)
	if err != nil {
		t.Fatal(err)
	}
	proxy.Set(sinktest.BlackHole)
	start := time.Now()
	_, err = archiver.Run(context.Background(), archiver.Config{
		Client: e.client, Router: oneTarget{archiver.Target{Name: "s3", Sink: sink}}, Manifest: w,
		RetryDelay: 10 * time.Millisecond, FileTimeout: 2 * time.Second, Logger: slog.New(slog.NewJSONHandler(&e.logs, nil)),
	}, []archiver.Job{{ID: rec(1, "", 0).ID}})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	entries, err := manifest.Read(e.manifest)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a black-holed upload with --file-timeout 2s ended after %v", took.Round(10*time.Millisecond))
	var media *manifest.Entry
	for i := range entries {
		if entries[i].Kind == manifest.KindMedia {
			media = &entries[i]
		}
	}
	switch {
	case media == nil || media.Status != manifest.StatusFailed || !strings.Contains(media.Error, "file timeout"):
		t.Fatalf("media line %+v, want failed for the file timeout", media)
	case took > 4*time.Second:
		t.Fatalf("the run took %v with --file-timeout 2s (tried again?)", took)
	}
}
