package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// ManifestCopy keeps the manifest at the config's manifest_destination, so that it outlives the pod:
//
//   - runs/<start>-<random>[-shard-K-of-N]/<seq>.jsonl: this run's lines, in segments written once
//     (every interval and at the end, each holding the lines appended since the last), each with a
//     sha256sum sidecar. The segments of every run, concatenated in key order, are the whole ledger.
//   - state[-shard-K-of-N]/<YYYY-MM-DD>-<NNNN>.index: the derived index at the end of the run, written
//     once: what a run on a fresh pod starts from instead of the history.
//
// No key is written twice, so a destination under retention or a lock can hold the copy, and each run
// sends its own lines and one bounded state, whatever the history.
type ManifestCopy struct {
	sink     sinks.Sink
	runDir   string // <prefix>/runs/<start>-<random>[-shard-K-of-N]/
	stateDir string // <prefix>/state[-shard-K-of-N]/
	legacy   string // <prefix>/latest[-shard-K-of-N].jsonl: the whole manifest, as releases before states kept it
	log      *slog.Logger

	mu       sync.Mutex
	from     int64 // manifest offset the next segment starts at
	seq      int
	sentPath string // <manifest>.sent: the manifest offset the segments sent so far end at
	// Fetched is the bytes a fresh pod read from the destination to start: the state, never the history.
	Fetched int64
	// foundState says whether the destination held a state of earlier runs: without one, the first
	// segment starts at the manifest's beginning, so that lines older than the copy are kept too.
	foundState bool
}

// NewManifestCopy copies into sink below prefix, under names that tell the shard apart.
func NewManifestCopy(sink sinks.Sink, prefix string, sh Shard, log *slog.Logger) *ManifestCopy {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	suffix := ""
	if sh.N > 1 {
		suffix = fmt.Sprintf("-shard-%d-of-%d", sh.K, sh.N)
	}
	random := make([]byte, 4)
	rand.Read(random)
	return &ManifestCopy{
		sink:     sink,
		runDir:   fmt.Sprintf("%sruns/%s-%s%s/", prefix, time.Now().UTC().Format("20060102T150405.000000Z"), hex.EncodeToString(random), suffix),
		stateDir: prefix + "state" + suffix + "/",
		legacy:   prefix + "latest" + suffix + ".jsonl",
		log:      log,
	}
}

// stateSearchDays is how far back a fresh pod looks for a state: a state older than the catch-up
// window holds nothing a run can skip by.
const stateSearchDays = int(CatchUpWindow/(24*time.Hour)) + 2

// stateKey names the n-th state written on day.
func (c *ManifestCopy) stateKey(day time.Time, n int) string {
	return fmt.Sprintf("%s%s-%04d.index", c.stateDir, day.UTC().Format("2006-01-02"), n)
}

// latestState finds the newest state, by day and then number: a Stat per day back to the newest one
// found, and one per state of that day. "" when there is none.
func (c *ManifestCopy) latestState(ctx context.Context, now time.Time) (string, error) {
	for d := 0; d <= stateSearchDays; d++ {
		day := now.AddDate(0, 0, -d)
		last := ""
		for n := 1; ; n++ {
			key := c.stateKey(day, n)
			_, err := c.sink.Stat(ctx, key)
			if errors.Is(err, sinks.ErrNotFound) {
				break
			}
			if err != nil {
				return "", fmt.Errorf("looking for the manifest's state at %s: %w", c.sink.URL(key), err)
			}
			last = key
		}
		if last != "" {
			return last, nil
		}
	}
	return "", nil
}

// seed starts a fresh pod (no local manifest) from the newest state at the destination: it becomes
// the local index, which the run extends with its own lines. A pod that has its manifest only looks
// whether a state exists.
func (c *ManifestCopy) seed(ctx context.Context, path string, now time.Time) error {
	key, err := c.latestState(ctx, now)
	if err != nil {
		return err
	}
	if key == "" {
		return c.seedLegacy(ctx, path)
	}
	c.foundState = true
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	rc, err := c.sink.Open(ctx, key)
	if err != nil {
		return fmt.Errorf("fetching the manifest's state %s: %w", c.sink.URL(key), err)
	}
	defer rc.Close()
	n, err := manifest.SeedIndex(path, rc)
	c.Fetched += n
	if err != nil {
		return fmt.Errorf("fetching the manifest's state %s: %w", c.sink.URL(key), err)
	}
	c.log.Info("took the skip list from the manifest's state", "from", c.sink.URL(key), "bytes", n)
	return nil
}

// seedLegacy starts a fresh pod on a destination that a release before states wrote to: its latest
// copy of the whole manifest becomes the local manifest, once. Having found no state, the run sends it
// all as its first segment, so the segments hold the whole ledger from then on.
func (c *ManifestCopy) seedLegacy(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	rc, err := c.sink.Open(ctx, c.legacy)
	if errors.Is(err, sinks.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fetching the latest manifest %s: %w", c.sink.URL(c.legacy), err)
	}
	defer rc.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-seed-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := io.Copy(tmp, rc)
	c.Fetched += n
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("fetching the latest manifest %s: %w", c.sink.URL(c.legacy), err)
	}
	c.log.Info("took the skip list from the latest manifest of an earlier release", "from", c.sink.URL(c.legacy), "bytes", n)
	return os.Rename(tmp.Name(), path)
}

// start sets where this run's first segment begins: where the segments sent so far from this manifest
// end (a run killed before its last segment left lines only here), else at the manifest's end as the
// run found it; at its beginning when the destination holds nothing of earlier runs (or the end can't
// be told: more lines sent twice is better than one line never sent).
func (c *ManifestCopy) start(w *manifest.Writer) {
	size, err := w.Flushed()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sentPath = w.Path() + ".sent"
	if !c.foundState || err != nil {
		return
	}
	c.from = size
	if b, err := os.ReadFile(c.sentPath); err == nil {
		if sent, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && sent >= 0 && sent < size {
			c.from = sent
		}
	}
}

// upload sends the manifest's whole lines not sent yet as the run's next segment, with its sidecar.
func (c *ManifestCopy) upload(ctx context.Context, w *manifest.Writer) error {
	size, err := w.Flushed()
	if err != nil {
		return err
	}
	return c.segment(ctx, w.Path(), size)
}

func (c *ManifestCopy) segment(ctx context.Context, path string, size int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if size <= c.from {
		return nil
	}
	key := fmt.Sprintf("%s%06d.jsonl", c.runDir, c.seq+1)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := c.put(ctx, key, io.NewSectionReader(f, c.from, size-c.from), size-c.from, true); err != nil {
		return err
	}
	c.from, c.seq = size, c.seq+1
	// Where the segments end, for the next run on this manifest; a failure here only sends lines twice.
	os.WriteFile(c.sentPath, []byte(strconv.FormatInt(size, 10)+"\n"), 0o644)
	return nil
}

// put writes key once, with a sha256sum sidecar when sidecar is set.
func (c *ManifestCopy) put(ctx context.Context, key string, r io.Reader, size int64, sidecar bool) error {
	obj, err := c.sink.Put(ctx, key, r, sinks.PutOptions{Size: size})
	if err != nil {
		return fmt.Errorf("copying the manifest to %s: %w", c.sink.URL(key), err)
	}
	if !sidecar {
		return nil
	}
	side := obj.SHA256 + "  " + key[strings.LastIndex(key, "/")+1:] + "\n"
	if _, err := c.sink.Put(ctx, key+".sha256", strings.NewReader(side), sinks.PutOptions{Size: int64(len(side))}); err != nil {
		return fmt.Errorf("copying the manifest's checksum to %s: %w", c.sink.URL(key+".sha256"), err)
	}
	return nil
}

// finish sends the last segment of the closed manifest and the state: the index file as the run
// leaves it, under the next free number of the day.
func (c *ManifestCopy) finish(ctx context.Context, path string, now time.Time) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if err := c.segment(ctx, path, fi.Size()); err != nil {
		return err
	}
	f, err := os.Open(manifest.IndexPath(path))
	if err != nil {
		return fmt.Errorf("the manifest's state: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	for n := 1; ; n++ {
		key := c.stateKey(now, n)
		if _, err := c.sink.Stat(ctx, key); err == nil {
			continue
		} else if !errors.Is(err, sinks.ErrNotFound) {
			return fmt.Errorf("copying the manifest's state to %s: %w", c.sink.URL(key), err)
		}
		return c.put(ctx, key, f, st.Size(), false)
	}
}

// startEvery runs every in the background; the returned stop cancels it and waits until it returned.
func (c *ManifestCopy) startEvery(ctx context.Context, interval time.Duration, w *manifest.Writer) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.every(ctx, interval, w)
	}()
	return func() {
		cancel()
		<-done
	}
}

// every uploads the lines written since the last segment every interval until ctx ends, so a long run
// killed midway still leaves most of its lines.
func (c *ManifestCopy) every(ctx context.Context, interval time.Duration, w *manifest.Writer) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.upload(ctx, w); err != nil && ctx.Err() == nil {
				c.log.Warn("periodic manifest copy failed; will try again", "error", err)
			}
		}
	}
}
