package runner

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
)

// Shard is this process's part of the work. A listing is split by time (see slices.go): each shard
// walks its part of the window. A backfill's IDs, which have no time order, are spread over the shards
// by a stable hash of the ID. Either way every recording lands in exactly one shard.
type Shard struct {
	K, N int // 0 <= K < N; N <= 1 means unsharded
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Owns reports whether the recording belongs to this shard. A refused list item without an ID goes
// to shard 0, so it is reported exactly once.
func (s Shard) Owns(id string) bool {
	if s.N <= 1 {
		return true
	}
	if id == "" {
		return s.K == 0
	}
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(id)))
	return h.Sum64()%uint64(s.N) == uint64(s.K)
}

func (s Shard) filter(jobs []archiver.Job) []archiver.Job {
	if s.N <= 1 {
		return jobs
	}
	var mine []archiver.Job
	for _, j := range jobs {
		if s.Owns(j.ID) {
			mine = append(mine, j)
		}
	}
	return mine
}

// Budget is this shard's share of the API token's budget (a sustained rate, 0 for unpaced, and a
// burst): shards that run at once share one token, so each paces at 1/N of both, and together they
// stay within what one run may spend.
func (s Shard) Budget(rate float64, burst int) (float64, int) {
	if s.N <= 1 {
		return rate, burst
	}
	return rate / float64(s.N), max(1, burst/s.N)
}
