package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// hostileClient is a client for a host under test, with short backoffs; the API is never called unless
// cfg names one.
func hostileClient(t *testing.T, cfg fetch.Config) *fetch.Client {
	t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.invalid/client/v4"
	}
	cfg.AccountID, cfg.AppID, cfg.Token = "a", "b", "tok"
	cfg.MinBackoff, cfg.MaxBackoff, cfg.RequestsPerSecond = time.Millisecond, 5*time.Millisecond, -1
	c, err := fetch.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDownloadsToThePodsNetworkAreRefused(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("internal secrets"))
	}))
	defer srv.Close()
	c := hostileClient(t, fetch.Config{HTTPClient: srv.Client()})
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{
		srv.URL + "/a.mp4",                    // an address literal: refused before dialling
		"https://localhost" + port + "/a.mp4", // a name: refused at dial time, on the resolved address
		"http://localhost" + port + "/a.mp4",  // plain http
	} {
		_, err := c.OpenMedia(t.Context(), u, -1)
		if !errors.Is(err, fetch.ErrRefusedURL) || !strings.Contains(err.Error(), "--allow-private-downloads") {
			t.Errorf("%s: err = %v, want ErrRefusedURL with the way around it", u, err)
		}
		if !strings.Contains(u, "http://") && !strings.Contains(err.Error(), "is a loopback address") {
			t.Errorf("%s: %v does not name the loopback rule", u, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("the internal host got %d requests", n)
	}

	open := hostileClient(t, fetch.Config{HTTPClient: srv.Client(), AllowPrivateDownloads: true})
	m, err := open.OpenMedia(t.Context(), srv.URL+"/a.mp4", -1)
	if err != nil {
		t.Fatalf("with AllowPrivateDownloads: %v", err)
	}
	m.Close()
}

// startBody writes the headers of size bytes, or of the rest when r asks for a range, as an object
// store does, and returns the offset the body starts at.
func startBody(w http.ResponseWriter, r *http.Request, size int64) int64 {
	w.Header().Set("ETag", `"v1"`)
	w.Header().Set("Content-Type", "video/mp4")
	start, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(r.Header.Get("Range"), "bytes="), "-"), 10, 64)
	w.Header().Set("Content-Length", strconv.FormatInt(size-start, 10))
	if start > 0 {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, size-1, size))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	return start
}

func content(n int) []byte { return bytes.Repeat([]byte("0123456789"), n/10) }

func TestAStallAfterTheFirstBytesIsResumed(t *testing.T) {
	body := content(1000)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := startBody(w, r, int64(len(body)))
		if requests.Add(1) == 1 { // headers and 10 bytes, then nothing
			w.Write(body[:10])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
			return
		}
		w.Write(body[start:])
	}))
	defer srv.Close()
	c := hostileClient(t, fetch.Config{AllowPrivateDownloads: true, StallTimeout: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	m, err := c.OpenMedia(ctx, srv.URL+"/a.mp4", int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got, err := io.ReadAll(m)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if m.Resumes != 1 {
		t.Fatalf("resumes = %d, want 1", m.Resumes)
	}
}

func TestATrickleBelowTheMinimumRateIsCut(t *testing.T) {
	const size = 100_000
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		startBody(w, r, size)
		w.Write(content(600)) // enough for the first look at the body, then a byte every 20 ms
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
				w.Write([]byte("x"))
			}
		}
	}))
	defer srv.Close()
	c := hostileClient(t, fetch.Config{AllowPrivateDownloads: true, StallTimeout: 300 * time.Millisecond, MinRate: 500, MaxResumes: 1})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	m, err := c.OpenMedia(ctx, srv.URL+"/a.mp4", size)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, err = io.Copy(io.Discard, m)
	if !errors.Is(err, fetch.ErrTooSlow) || !strings.Contains(err.Error(), "below the minimum of 500 bytes/s") {
		t.Fatalf("err = %v, want ErrTooSlow", err)
	}
	if n := requests.Load(); n != 2 {
		t.Fatalf("%d requests, want 2 (a trickle is resumed like a stall)", n)
	}
}

func TestEveryFileHasADeadline(t *testing.T) {
	const size = 1_000_000
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		startBody(w, r, size)
		for { // 100 kB/s: fast enough for the minimum rate, too slow to finish in time
			if _, err := w.Write(content(1000)); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
	}))
	defer srv.Close()
	c := hostileClient(t, fetch.Config{AllowPrivateDownloads: true, FileTimeout: 300 * time.Millisecond})
	start := time.Now()
	m, err := c.OpenMedia(t.Context(), srv.URL+"/a.mp4", size)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, err = io.Copy(io.Discard, m)
	if !errors.Is(err, fetch.ErrFileTimeout) || !strings.Contains(err.Error(), "300ms") {
		t.Fatalf("err = %v, want ErrFileTimeout naming the timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the deadline took %v", d)
	}
}

func TestGzipIsArchivedAsServed(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(content(10_000))
	zw.Close()
	var asked atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip") // whether asked for or not
		w.Header().Set("Content-Type", "video/mp4")
		w.Write(gz.Bytes())
	}))
	defer srv.Close()
	c := hostileClient(t, fetch.Config{AllowPrivateDownloads: true})
	m, err := c.OpenMedia(t.Context(), srv.URL+"/a.mp4", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got, err := io.ReadAll(m)
	if err != nil || !bytes.Equal(got, gz.Bytes()) {
		t.Fatalf("read %d bytes (%v), want the %d gzip bytes as served", len(got), err, gz.Len())
	}
	if a := asked.Load(); a != "identity" {
		t.Fatalf("Accept-Encoding %q, want identity", a)
	}
}

func TestAnEndlessBodyIsCappedByMaxFileSize(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		if r.URL.Path == "/huge.mp4" {
			w.Header().Set("Content-Length", "1099511627776")
		}
		for { // no Content-Length: chunked, without end
			if _, err := w.Write(content(64 << 10)); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := hostileClient(t, fetch.Config{AllowPrivateDownloads: true, MaxFileSize: 1 << 20})
	m, err := c.OpenMedia(t.Context(), srv.URL+"/endless.mp4", -1)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	n, err := io.Copy(io.Discard, m)
	if !errors.Is(err, fetch.ErrTooLarge) || !strings.Contains(err.Error(), "--max-file-size") || n > 1<<20+64<<10 {
		t.Fatalf("read %d bytes, err = %v; want ErrTooLarge naming --max-file-size", n, err)
	}
	if _, err := c.OpenMedia(t.Context(), srv.URL+"/huge.mp4", -1); !errors.Is(err, fetch.ErrTooLarge) {
		t.Fatalf("an announced 1 TiB: err = %v, want ErrTooLarge", err)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	var requests atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			w.Header().Set("Retry-After", "86400")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"success":true,"data":{"id":"0f0e0d0c-0b0a-4908-8706-050403020100","status":"INVOKED"}}`))
	}))
	defer api.Close()
	var logs bytes.Buffer
	c := hostileClient(t, fetch.Config{BaseURL: api.URL, MaxRetryAfter: 50 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := c.Recording(ctx, "0f0e0d0c-0b0a-4908-8706-050403020100"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "retry_after=24h0m0s") {
		t.Fatalf("no warning about the capped Retry-After:\n%s", logs.String())
	}
}

func TestOversizedAPIAnswersAreRefusedOnce(t *testing.T) {
	pad := strings.Repeat("x", 2<<20)
	var detail atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/recordings") { // a list page may be larger than a detail
			fmt.Fprintf(w, `{"success":true,"data":[{"id":"0f0e0d0c-0b0a-4908-8706-050403020100","status":"INVOKED","pad":%q}],"paging":{"total_count":1}}`, pad)
			return
		}
		detail.Add(1)
		fmt.Fprintf(w, `{"success":true,"data":{"id":"0f0e0d0c-0b0a-4908-8706-050403020100","status":"INVOKED","pad":%q}}`, pad)
	}))
	defer api.Close()
	c := hostileClient(t, fetch.Config{BaseURL: api.URL})
	_, err := c.Recording(t.Context(), "0f0e0d0c-0b0a-4908-8706-050403020100")
	if !errors.Is(err, fetch.ErrTooLarge) || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("a 2 MiB detail: err = %v, want ErrTooLarge naming the 1 MiB cap", err)
	}
	if n := detail.Load(); n != 1 {
		t.Fatalf("the oversized detail was requested %d times, want 1", n)
	}
	if l, err := c.List(t.Context(), fetch.ListOptions{}); err != nil || len(l.Recordings) != 1 {
		t.Fatalf("a 2 MiB list page: %+v, %v", l, err)
	}
}
