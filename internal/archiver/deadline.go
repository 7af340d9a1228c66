package archiver

import (
	"container/heap"
	"context"
	"time"
)

// deadlineQueue holds every job the selection has handed over and no worker has taken yet, the one
// whose media expires first on top: a free worker always takes the most urgent recording known, whatever
// page or line of an ID file it came from. Unknown expiries go last, in the order they came.
type deadlineQueue struct {
	jobs []queued
	seq  int
}

type queued struct {
	job    Job
	expiry time.Time
	seq    int // arrival order: the tie-break, so equal expiries keep the selection's order
}

// before orders two jobs by deadline. time.Time.Compare, not UnixNano: an expiry past 2262 (a hostile
// or mistyped year 9999) overflows nanoseconds and would look like the most urgent of all.
func (a queued) before(b queued) bool {
	switch {
	case a.expiry.IsZero() != b.expiry.IsZero():
		return b.expiry.IsZero()
	case !a.expiry.Equal(b.expiry):
		return a.expiry.Before(b.expiry)
	}
	return a.seq < b.seq
}

func (q *deadlineQueue) Len() int           { return len(q.jobs) }
func (q *deadlineQueue) Less(i, j int) bool { return q.jobs[i].before(q.jobs[j]) }
func (q *deadlineQueue) Swap(i, j int)      { q.jobs[i], q.jobs[j] = q.jobs[j], q.jobs[i] }
func (q *deadlineQueue) Push(x any)         { q.jobs = append(q.jobs, x.(queued)) }
func (q *deadlineQueue) Pop() any {
	last := q.jobs[len(q.jobs)-1]
	q.jobs[len(q.jobs)-1] = queued{} // let the job go once a worker has it
	q.jobs = q.jobs[:len(q.jobs)-1]
	return last
}

func (q *deadlineQueue) add(j Job) {
	q.seq++
	heap.Push(q, queued{job: j, expiry: j.expiry(), seq: q.seq})
}

func (q *deadlineQueue) next() Job { return q.jobs[0].job }

func (q *deadlineQueue) take() Job { return heap.Pop(q).(queued).job }

// dispatch moves jobs from in to the workers through feed, earliest deadline first, until in is closed
// and every job is taken, or the run stops. It owns the queue, so no lock is needed: before offering a
// job it takes everything the selection has already sent, and feed is unbuffered, so the choice is made
// at the moment a worker is free. received is called for each job taken from in. It returns the jobs
// no worker took.
func dispatch(ctx context.Context, stop <-chan struct{}, in <-chan Job, feed chan<- Job, received func()) (held []Job) {
	defer close(feed)
	q := &deadlineQueue{}
	takeIn := func(j Job, ok bool) {
		if !ok {
			in = nil
			return
		}
		received()
		q.add(j)
	}
	for {
		for drained := in == nil; !drained; { // everything already sent, without waiting for more
			select {
			case j, ok := <-in:
				takeIn(j, ok)
				drained = in == nil
			default:
				drained = true
			}
		}
		var out chan<- Job // nil, so never chosen, while the queue is empty
		var next Job
		if q.Len() > 0 {
			out, next = feed, q.next()
		} else if in == nil {
			return nil
		}
		select {
		case j, ok := <-in:
			takeIn(j, ok)
		case out <- next:
			q.take()
		case <-ctx.Done():
			return q.rest()
		case <-stop:
			return q.rest()
		}
	}
}

// rest empties the queue, soonest deadline first.
func (q *deadlineQueue) rest() []Job {
	out := make([]Job, 0, q.Len())
	for q.Len() > 0 {
		out = append(out, q.take())
	}
	return out
}
