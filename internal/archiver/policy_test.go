package archiver_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

// refusing is a destination whose writes fail with err after reading the body: a refusal the driver
// has classified, as every driver does through sinks.Guard.
type refusing struct {
	sinks.Sink
	err  error
	puts atomic.Int64
}

func (r *refusing) Put(ctx context.Context, key string, body io.Reader, opts sinks.PutOptions) (sinks.Object, error) {
	r.puts.Add(1)
	io.Copy(io.Discard, body)
	return sinks.Object{}, r.err
}

type oneRouter struct{ sink sinks.Sink }

func (r oneRouter) Route(ctx context.Context, rec *fetch.Recording) (archiver.Target, error) {
	return archiver.Target{Name: "test", Sink: r.sink}, nil
}

func TestFailurePolicyByKind(t *testing.T) {
	for _, tc := range []struct {
		name      string
		err       error
		wantPuts  int64 // for the recording's first file
		wantAudio int   // downloads of its second file
	}{
		// Permanent: one try, and the recording's other file is not downloaded at all.
		{"permanent", sinks.Permanent(errors.New("AccessDenied: no PutObject for you")), 1, 0},
		// Transient: one more try (a second download), then the other file is tried too.
		{"transient", sinks.Transient(errors.New("503 SlowDown")), 2, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rec(1, "UPLOADED", 10_000)
			r.AudioSize = 500
			e := newEnv(t, r)
			l, _ := local.New(e.dir)
			sink := &refusing{Sink: l, err: tc.err}
			w, err := manifest.Create(filepath.Join(t.TempDir(), "m.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			sum, err := archiver.Run(context.Background(), archiver.Config{Client: e.client, Router: oneRouter{sink}, Manifest: w, RetryDelay: time.Millisecond}, []archiver.Job{{ID: r.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Failed() != 1 {
				t.Fatalf("recordings %v", sum.Recordings)
			}
			media := e.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.MediaFile))
			audio := e.api.Requests(fetchtest.DownloadRoute(r.ID, fetchtest.AudioFile))
			if int64(media) != tc.wantPuts || audio != tc.wantAudio {
				t.Fatalf("media downloaded %d times, audio %d; want %d and %d", media, audio, tc.wantPuts, tc.wantAudio)
			}
			if len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Reason, tc.err.Error()) {
				t.Fatalf("failures %+v: want the destination's own words, %q", sum.Failures, tc.err)
			}
		})
	}
}
