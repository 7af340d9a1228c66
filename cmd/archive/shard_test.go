package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

func TestEveryRecordingLandsInExactlyOneShard(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7} {
		counts := make([]int, n)
		for i := range 2000 {
			owners := 0
			for k := range n {
				if (shard{K: k, N: n}).Owns(fetchtest.UUID(i)) {
					owners++
					counts[k]++
				}
			}
			if owners != 1 {
				t.Fatalf("N=%d: recording %d is in %d shards", n, i, owners)
			}
		}
		for k, c := range counts {
			if c < 2000/n/2 {
				t.Fatalf("N=%d: shard %d got only %d of 2000 recordings", n, k, c)
			}
		}
	}
}

func TestShardedBackfillArchivesEachRecordingOnce(t *testing.T) {
	var recs []fetchtest.Recording
	var ids []string
	for i := range 12 {
		recs = append(recs, uploaded(i+1, 1000))
		ids = append(ids, fetchtest.UUID(i+1))
	}
	c := newCLI(t, recs...)
	delete(c.env, "ARCHIVE_MANIFEST")
	os.WriteFile(filepath.Join(c.dir, "ids.txt"), []byte(strings.Join(ids, "\n")), 0o644)
	seen := map[string]int{}
	for k := range 3 {
		c.env["JOB_COMPLETION_INDEX"] = fmt.Sprint(k)
		if code, out, errOut := c.run("run", "--ids", "ids.txt", "--shards", "3"); code != 0 {
			t.Fatalf("shard %d: %d\n%s\n%s", k, code, out, errOut)
		}
		entries, err := manifest.Read(filepath.Join(c.dir, fmt.Sprintf("manifest.shard-%d-of-3.jsonl", k)))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Kind == manifest.KindMedia && e.Status == manifest.StatusArchived {
				seen[e.RecordingID]++
			}
		}
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Fatalf("recording %s archived by %d shards", id, seen[id])
		}
	}
	if code, _, errOut := c.run("run", "--shard", "3/3"); code != 2 || !strings.Contains(errOut, "0 <= K < N") {
		t.Fatalf("--shard 3/3: %d %s", code, errOut)
	}
}
