package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

// How shards split a listing. N shards must each walk a part of the window, together once, and agree
// on the parts without talking to each other while recordings keep arriving. So:
//
//   - The closed hours of the window (from the hour the window starts in, up to the hour the run
//     starts in) hold recordings that no longer change. A probe of one recording per call finds the
//     total there and the invoked time of the recording at every N-th of it; those times are the
//     boundaries, the same for every shard that starts in the same hour, whatever arrives meanwhile.
//     Shard K walks from boundary K to boundary K+1: about 1/N of the recordings, and of the calls.
//   - The current hour, still filling up, is cut by the clock into N equal parts, shard K taking part K.
//
// A recording belongs to the part its invoked time falls in, boundaries included in the part they
// start: two recordings invoked at the same instant go to the same shard. Each part is asked of the API
// a second wider on both sides (whether the API's start_time and end_time include their instant is
// undocumented) and the recordings outside it are dropped. A shard so costs its part's pages, one or
// two short pages, and three probes.

// sliceHour is the grid the shards' boundaries are counted on: shards that start within the same
// hour agree on every boundary.
const sliceHour = time.Hour

// slice is a part of the window: recordings invoked in [from, to). A zero from or to is open: the
// window's own since or until.
type slice struct{ from, to time.Time }

// owns reports whether a recording invoked at t belongs to the slice. A recording without an invoked
// time can't be placed: the shard whose walk met it keeps it.
func (s slice) owns(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	return (s.from.IsZero() || !t.Before(s.from)) && (s.to.IsZero() || t.Before(s.to))
}

// empty reports whether no instant of the window [since, until) is in the slice.
func (s slice) empty(since, until time.Time) bool {
	from, to := s.from, s.to
	if from.IsZero() || from.Before(since) {
		from = since
	}
	if to.IsZero() || (!until.IsZero() && to.After(until)) {
		to = until
	}
	return !to.IsZero() && !from.Before(to)
}

// query is the listing's options for the slice within the window: a second wider on each side.
func (s slice) query(base fetch.ListOptions) fetch.ListOptions {
	q := base
	if !s.from.IsZero() {
		if from := s.from.Truncate(time.Second).Add(-time.Second); from.After(q.Since) {
			q.Since = from
		}
	}
	if !s.to.IsZero() {
		to := s.to.Truncate(time.Second).Add(2 * time.Second) // ceiling, plus a second
		if q.Until.IsZero() || to.Before(q.Until) {
			q.Until = to
		}
	}
	return q
}

func (s slice) String() string {
	side := func(t time.Time, open string) string {
		if t.IsZero() {
			return open
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	return "[" + side(s.from, "since") + ", " + side(s.to, "until") + ")"
}

// shardSlices returns the parts of the window [since, until) that shard walks: one slice for an
// unsharded run, else its part of the closed hours and its part of the current one.
func shardSlices(ctx context.Context, c *fetch.Client, shard Shard, base fetch.ListOptions, now time.Time) ([]slice, error) {
	if shard.N <= 1 {
		return []slice{{}}, nil
	}
	until := base.Until
	if until.IsZero() {
		until = now
	}
	cut := until.Truncate(sliceHour) // the start of the hour still filling up
	start := base.Since.Truncate(sliceHour)
	var mine []slice
	if start.Before(cut) {
		b, err := boundaries(ctx, c, shard, fetch.ListOptions{Since: start, Until: cut, MeetingID: base.MeetingID})
		if err != nil {
			return nil, err
		}
		mine = append(mine, slice{from: b[0], to: b[1]})
	}
	part := func(k int) time.Time {
		return cut.Add(time.Duration(k) * sliceHour / time.Duration(shard.N)).Truncate(time.Second)
	}
	tail := slice{from: part(shard.K)}
	if shard.K < shard.N-1 {
		tail.to = part(shard.K + 1)
	}
	mine = append(mine, tail)
	var walk []slice
	for _, s := range mine {
		if !s.empty(base.Since, until) {
			walk = append(walk, s)
		}
	}
	return walk, nil
}

// boundaries returns where shard's part of the closed hours starts and ends: the invoked time of the
// recording at K/N of them, and at (K+1)/N. The first shard's part is open below (it takes anything
// earlier in its window), the last one's ends at the current hour.
func boundaries(ctx context.Context, c *fetch.Client, shard Shard, closed fetch.ListOptions) ([2]time.Time, error) {
	b := [2]time.Time{{}, closed.Until}
	total, err := c.ProbeAt(ctx, closed, 0)
	if err != nil {
		return b, fmt.Errorf("counting the recordings of the closed hours: %w", err)
	}
	at := func(k int) (time.Time, error) {
		if total.Total < 0 {
			// No count to balance by: equal stretches of time, which every shard still agrees on.
			span := closed.Until.Sub(closed.Since)
			return closed.Since.Add(span * time.Duration(k) / time.Duration(shard.N)).Truncate(time.Second), nil
		}
		pos := k*total.Total/shard.N + 1
		if pos > total.Total {
			return closed.Until, nil
		}
		p, err := c.ProbeAt(ctx, closed, pos)
		if err != nil {
			return time.Time{}, fmt.Errorf("finding the recording at %d of %d: %w", pos, total.Total, err)
		}
		if p.Invoked.IsZero() || !p.Invoked.Before(closed.Until) {
			return closed.Until, nil
		}
		return p.Invoked, nil
	}
	if shard.K > 0 {
		if b[0], err = at(shard.K); err != nil {
			return b, err
		}
	}
	if shard.K < shard.N-1 {
		if b[1], err = at(shard.K + 1); err != nil {
			return b, err
		}
	}
	return b, nil
}
