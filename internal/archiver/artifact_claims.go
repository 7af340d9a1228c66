package archiver

import (
	"context"
	"sync"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// sessionClaims makes each session artifact one piece of work per run and destination, however many
// of the run's recordings belong to the session: the first recording to ask does it, the others wait
// for its result and reuse it. The zero value is ready to use.
//
// It cannot deadlock: a worker holds at most one claim at a time and waits for nothing while holding
// it, and a waiter waits only for a claim whose holder is working.
type sessionClaims struct {
	mu sync.Mutex
	m  map[claimKey]*claim
}

// claimKey is one artifact at one destination: the URL of the session's folder there, and the kind.
type claimKey struct{ dir, kind string }

type claim struct {
	done  chan struct{}
	owner string          // the recording doing the work
	res   artifactOutcome // valid once done is closed, if ok
	ok    bool            // false: the owner was interrupted, there is no result to reuse
}

// artifactOutcome is what became of one artifact for one recording.
type artifactOutcome struct {
	entry  manifest.Entry
	found  string    // for recording.json: archived, none, expired, pending or failed
	expiry time.Time // of the URL, when the API gave one
}

// do returns the result for key: work's, run now, when this recording is the first to ask, else the
// first one's, reused (reused is then the recording that did the work). ok is false when ctx ended.
func (c *sessionClaims) do(ctx context.Context, key claimKey, recordingID string, work func() (artifactOutcome, bool)) (res artifactOutcome, reusedFrom string, ok bool) {
	for {
		c.mu.Lock()
		if c.m == nil {
			c.m = map[claimKey]*claim{}
		}
		cl, held := c.m[key]
		if !held {
			cl = &claim{done: make(chan struct{}), owner: recordingID}
			c.m[key] = cl
		}
		c.mu.Unlock()
		if !held {
			cl.res, cl.ok = work()
			if !cl.ok {
				c.mu.Lock()
				delete(c.m, key) // the next recording to ask does the work itself
				c.mu.Unlock()
			}
			close(cl.done)
			return cl.res, "", cl.ok
		}
		select {
		case <-ctx.Done():
			return artifactOutcome{}, "", false
		case <-cl.done:
		}
		if cl.ok {
			return cl.res, cl.owner, true
		}
	}
}
