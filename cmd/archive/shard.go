package main

import (
	"strconv"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/runner"
)

// shard is runner.Shard: parsed here from the flags and the environment.
type shard = runner.Shard

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
