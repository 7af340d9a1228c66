package runner_test

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/manifest/manifesttest"
	"github.com/rtk-archive/rtk-archive/internal/runner"
)

// A run's memory follows the window, not the history: over a manifest of 200,000 lines of history its
// heap stays small, and over one four times longer it stays within a few MiB of that. The run measured
// is the costliest one: no index file, so the whole manifest is read.
func TestMemoryFollowsTheWindowNotTheHistory(t *testing.T) {
	small := peakHeapOfARun(t, 200_000)
	large := peakHeapOfARun(t, 800_000)
	t.Logf("peak heap over 200,000 lines of history: %.1f MiB live, %.1f MiB in use; over 800,000: %.1f live, %.1f in use",
		mib(small.live), mib(small.inUse), mib(large.live), mib(large.inUse))
	for _, p := range []heapPeak{small, large} {
		if p.inUse > 48<<20 {
			t.Errorf("a run over history peaked at %.1f MiB of heap in use, want at most 48", mib(p.inUse))
		}
	}
	if large.live > small.live+4<<20 {
		t.Errorf("a run over 800,000 lines of history held %.1f MiB, %.1f more than over 200,000", mib(large.live), mib(large.live-small.live))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// peakHeapOfARun archives a window of 20 recordings, puts lines of history (older than the window)
// before them in the manifest, removes the index and measures the peak heap of a run over it, which
// finds every recording archived.
func peakHeapOfARun(t *testing.T, lines int) heapPeak {
	e := newEnv(t, 20)
	if _, err := runner.Run(context.Background(), e.cfg); err != nil {
		t.Fatal(err)
	}
	window, err := os.ReadFile(e.manifest)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(e.manifest)
	if err != nil {
		t.Fatal(err)
	}
	end := time.Now().Add(-runner.CatchUpWindow - runner.IndexMargin - time.Hour)
	if _, err := manifesttest.History(f, "file:///old", 0, lines/2, end.AddDate(-1, 0, 0), end); err != nil {
		t.Fatal(err)
	}
	f.Write(window)
	f.Close()
	os.Remove(manifest.IndexPath(e.manifest))

	runtime.GC()
	debug.FreeOSMemory()
	stop, peak := sampleHeap()
	res, err := runner.Run(context.Background(), e.cfg)
	stop()
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Summary.Recordings[archiver.OutcomeEarlier]; n != 20 {
		t.Fatalf("%d of the 20 archived recordings found earlier", n)
	}
	return *peak
}

// heapPeak is the largest heap seen: live (what the last collection found reachable: what the run
// holds) and in use (with the garbage not collected yet).
type heapPeak struct{ live, inUse uint64 }

// sampleHeap records the heap's peak until stop returns.
func sampleHeap() (stop func(), peak *heapPeak) {
	peak = new(heapPeak)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}}
		read := func() {
			metrics.Read(sample)
			peak.live = max(peak.live, sample[0].Value.Uint64())
			peak.inUse = max(peak.inUse, sample[1].Value.Uint64())
		}
		for {
			read()
			select {
			case <-done:
				runtime.GC()
				read()
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }, peak
}
