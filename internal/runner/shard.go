package runner

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/rtk-archive/rtk-archive/internal/archiver"
)

// Shard is this process's part of the work: recording IDs are spread over N shards by a stable hash,
// so every recording lands in exactly one shard whatever the order or source of the IDs.
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
