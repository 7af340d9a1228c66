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
	"strings"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// ManifestCopy keeps a copy of the local manifest at the config's manifest_destination: under a
// run-unique name (an audit trail of every run) and as the latest manifest, from which a run on a fresh
// pod takes its skip list.
type ManifestCopy struct {
	sink   sinks.Sink
	runKey string // <prefix>/runs/<time>-<shard>-<random>.jsonl
	latest string // <prefix>/latest[-shard-K-of-N].jsonl
	log    *slog.Logger
}

// NewManifestCopy copies into sink below prefix, under names that tell the shard apart.
func NewManifestCopy(sink sinks.Sink, prefix string, sh Shard, log *slog.Logger) *ManifestCopy {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	prefix = strings.Trim(prefix, "/")
	suffix := ""
	if sh.N > 1 {
		suffix = fmt.Sprintf("-shard-%d-of-%d", sh.K, sh.N)
	}
	random := make([]byte, 4)
	rand.Read(random)
	join := func(name string) string {
		if prefix == "" {
			return name
		}
		return prefix + "/" + name
	}
	return &ManifestCopy{
		sink:   sink,
		runKey: join(fmt.Sprintf("runs/%s%s-%s.jsonl", time.Now().UTC().Format("20060102T150405Z"), suffix, hex.EncodeToString(random))),
		latest: join("latest" + suffix + ".jsonl"),
		log:    log,
	}
}

// seed fetches the latest remote manifest into path when there is no local one (a fresh pod).
func (c *ManifestCopy) seed(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	rc, err := c.sink.Open(ctx, c.latest)
	if errors.Is(err, sinks.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fetching the latest manifest %s: %w", c.sink.URL(c.latest), err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".manifest-seed-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, rc); err != nil {
		tmp.Close()
		return fmt.Errorf("fetching the latest manifest %s: %w", c.sink.URL(c.latest), err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	c.log.Info("took the skip list from the latest manifest", "from", c.sink.URL(c.latest))
	return os.Rename(tmp.Name(), path)
}

// upload copies the manifest's whole lines so far, with a sha256sum sidecar, to the run's name and
// to the latest name.
func (c *ManifestCopy) upload(ctx context.Context, w *manifest.Writer) error {
	size, err := w.Flushed()
	if err != nil {
		return err
	}
	for _, key := range []string{c.runKey, c.latest} {
		f, err := os.Open(w.Path())
		if err != nil {
			return err
		}
		obj, err := c.sink.Put(ctx, key, io.NewSectionReader(f, 0, size), sinks.PutOptions{Size: size})
		f.Close()
		if err != nil {
			return fmt.Errorf("copying the manifest to %s: %w", c.sink.URL(key), err)
		}
		side := []byte(obj.SHA256 + "  " + key[strings.LastIndex(key, "/")+1:] + "\n")
		if _, err := c.sink.Put(ctx, key+".sha256", strings.NewReader(string(side)), sinks.PutOptions{Size: int64(len(side))}); err != nil {
			return fmt.Errorf("copying the manifest's checksum to %s: %w", c.sink.URL(key+".sha256"), err)
		}
	}
	return nil
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

// every uploads the manifest every interval until ctx ends, so a long run killed midway still leaves
// a recent copy.
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
