package main

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
)

// shard is this process's part of the work: recording IDs are spread over N shards by a stable hash,
// so every recording lands in exactly one shard whatever the order or source of the IDs.
type shard struct {
	K, N int // 0 <= K < N; N == 0 means unsharded
}

func (s shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// owns reports whether the recording belongs to this shard.
func (s shard) owns(id string) bool {
	if s.N <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(id)))
	return h.Sum64()%uint64(s.N) == uint64(s.K)
}

func (s shard) filter(jobs []archiver.Job) []archiver.Job {
	if s.N <= 1 {
		return jobs
	}
	var mine []archiver.Job
	for _, j := range jobs {
		if s.owns(j.ID) {
			mine = append(mine, j)
		}
	}
	return mine
}

// parseShard reads --shard K/N, or --shards N with K from JOB_COMPLETION_INDEX (a Kubernetes Indexed
// Job sets it in every pod).
func parseShard(flagValue, shards string, getenv func(string) string) (shard, error) {
	if flagValue != "" {
		k, n, ok := strings.Cut(flagValue, "/")
		if !ok {
			return shard{}, usagef("--shard %q: want K/N, e.g. 0/4", flagValue)
		}
		return makeShard("--shard", k, n)
	}
	if shards == "" {
		return shard{}, nil
	}
	k := getenv("JOB_COMPLETION_INDEX")
	if k == "" {
		return shard{}, usagef("--shards %s without --shard K/N needs JOB_COMPLETION_INDEX (set by an Indexed Job) for K", shards)
	}
	return makeShard("JOB_COMPLETION_INDEX with --shards", k, shards)
}

func makeShard(what, kText, nText string) (shard, error) {
	k, err1 := strconv.Atoi(strings.TrimSpace(kText))
	n, err2 := strconv.Atoi(strings.TrimSpace(nText))
	if err1 != nil || err2 != nil || n < 1 || k < 0 || k >= n {
		return shard{}, usagef("%s: shard %q of %q: want 0 <= K < N", what, kText, nText)
	}
	return shard{K: k, N: n}, nil
}
