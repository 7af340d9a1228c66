package runner_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/runner"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
	"github.com/rtk-archive/rtk-archive/internal/sinks/local"
)

// The token's budget in these tests: the real one (4 calls a second, a burst of 60) ten times faster,
// so a test takes seconds. The clients pace at what the archiver's defaults spend of it.
var (
	testLimit              = fetchtest.RateLimit{PerSecond: 40, Burst: 60}
	testRate, testBurst    = 35.0, 60
	shardWindowEnd         = time.Now().Truncate(time.Hour).Add(-30 * time.Minute) // half an hour into a closed hour
	shardWindow            = 6 * 24 * time.Hour
	recordingsAtOneInstant = 30
)

// shardFixture is a window of recordings spread over six days and the first half of the current hour,
// with recordingsAtOneInstant of them invoked at the same millisecond at every quarter of the window:
// wherever a boundary falls among them, they must go to one shard together.
func shardFixture(n int) []fetchtest.Recording {
	var recs []fetchtest.Recording
	for i := range n {
		at := shardWindowEnd.Add(-shardWindow + time.Duration(i+1)*shardWindow/time.Duration(n+1)).Add(-time.Second)
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", OutputFileName: "m.mp4", MediaSize: 64, Invoked: at})
	}
	for q := 1; q <= 3; q++ {
		same := recs[q*n/4].Invoked
		for i := range recordingsAtOneInstant {
			recs[q*n/4-recordingsAtOneInstant/2+i].Invoked = same
		}
	}
	return recs
}

type shardRun struct {
	api  *fetchtest.Server
	sink sinks.Sink
	dir  string
}

func newShardRun(t *testing.T, recs []fetchtest.Recording) *shardRun {
	api, err := fetchtest.New(recs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	api.SetRateLimit(testLimit)
	dir := t.TempDir()
	sink, err := local.New(filepath.Join(dir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	return &shardRun{api: api, sink: sinks.Guard(sink), dir: dir}
}

// run archives shard k of n (n <= 1: unsharded) with a window ending skew after shardWindowEnd, as a
// pod started a little later would, and returns the recordings it archived.
func (s *shardRun) run(t *testing.T, k, n int, skew time.Duration) ([]string, error) {
	shard := runner.Shard{K: k, N: n}
	rate, burst := shard.Budget(testRate, testBurst)
	client, err := fetch.New(fetch.Config{BaseURL: s.api.URL, AccountID: s.api.AccountID, AppID: s.api.AppID, Token: s.api.Token,
		RequestsPerSecond: rate, Burst: burst, AllowPrivateDownloads: true, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		return nil, err
	}
	until := shardWindowEnd.Add(skew)
	path := filepath.Join(s.dir, fmt.Sprintf("manifest-%d-of-%d.jsonl", k, n))
	_, err = runner.Run(context.Background(), runner.Config{Client: client, Router: localRouter{s.sink}, Manifest: path,
		Selection: runner.Selection{Since: until.Add(-shardWindow), Until: until, Shard: shard},
		Pipeline:  archiver.Config{Concurrency: 4}, Grace: time.Minute})
	if err != nil {
		return nil, err
	}
	entries, err := manifest.Read(path)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.Kind == manifest.KindMedia && e.Status == manifest.StatusArchived {
			ids = append(ids, e.RecordingID)
		}
	}
	return ids, nil
}

// N shards started at once, each a few seconds after the other, share one token: together they
// archive every recording exactly once, make about the list calls of one run (each walks its slice of
// the window), and never exceed the token's rate. Meanwhile new recordings arrive and the totals the
// API reports move.
func TestShardsAtOnceArchiveEachRecordingOnceWithinTheTokensBudget(t *testing.T) {
	const n, shards = 400, 4
	recs := shardFixture(n)

	began := time.Now()
	one := newShardRun(t, recs)
	if ids, err := one.run(t, 0, 1, 0); err != nil || len(ids) != n {
		t.Fatalf("one run: archived %d of %d: %v", len(ids), n, err)
	}
	oneRun := one.api.Requests(fetchtest.ListRoute)
	t.Logf("one run took %v", time.Since(began))

	s := newShardRun(t, recs)
	stopArrivals := make(chan struct{})
	arrived := make(chan int)
	go func() { // recordings keep starting while the shards walk, in the hour still filling up
		i := 0
		defer func() { arrived <- i }()
		for {
			select {
			case <-stopArrivals:
				return
			case <-time.After(20 * time.Millisecond):
				s.api.Add(fetchtest.Recording{ID: fetchtest.UUID(n + i), Status: "UPLOADED", OutputFileName: "m.mp4", MediaSize: 64,
					Invoked: shardWindowEnd.Add(-time.Duration(i+1) * time.Second)})
				i++
			}
		}
	}()
	var wg sync.WaitGroup
	got := make([][]string, shards)
	errs := make([]error, shards)
	for k := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[k], errs[k] = s.run(t, k, shards, time.Duration(k)*3*time.Second)
		}()
	}
	wg.Wait()
	close(stopArrivals)
	added := <-arrived

	seen := map[string]int{}
	for k := range shards {
		if errs[k] != nil {
			t.Fatalf("shard %d: %v", k, errs[k])
		}
		if len(got[k]) < n/shards/2 || len(got[k]) > 2*n/shards {
			t.Errorf("shard %d archived %d of %d: not balanced", k, len(got[k]), n)
		}
		for _, id := range got[k] {
			seen[id]++
		}
	}
	for i := range n {
		if c := seen[fetchtest.UUID(i)]; c != 1 {
			t.Errorf("recording %d archived by %d shards", i, c)
		}
	}
	for i := range added {
		if c := seen[fetchtest.UUID(n+i)]; c > 1 {
			t.Errorf("recording %d, arrived during the run, archived by %d shards", n+i, c)
		}
	}
	calls := s.api.Requests(fetchtest.ListRoute)
	if limit := oneRun*11/10 + 10*shards; calls > limit {
		t.Errorf("%d shards made %d list calls, one run %d: want at most %d", shards, calls, oneRun, limit)
	}
	if th := s.api.Throttled(); th != 0 {
		t.Errorf("%d calls answered 429", th)
	}
	t.Logf("one run: %d list calls; %d shards: %d list calls; %d recordings arrived meanwhile", oneRun, shards, calls, added)
}
