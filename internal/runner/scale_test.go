package runner_test

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
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
	t.Logf("peak heap in use: %.1f MiB over 200,000 lines of history, %.1f MiB over 800,000", mib(small), mib(large))
	if small > 48<<20 {
		t.Errorf("a run over 200,000 lines of history peaked at %.1f MiB of heap, want at most 48", mib(small))
	}
	if large > small+6<<20 {
		t.Errorf("a run over 800,000 lines of history peaked at %.1f MiB of heap, %.1f more than over 200,000", mib(large), mib(large-small))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// peakHeapOfARun archives a window of 20 recordings, puts lines of history (older than the window)
// before them in the manifest, removes the index and measures the peak heap of a run over it, which
// finds every recording archived.
func peakHeapOfARun(t *testing.T, lines int) uint64 {
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

// sampleHeap records the largest HeapInuse until stop returns.
func sampleHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); wg.Wait() }, peak
}
