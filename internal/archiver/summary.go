package archiver

import (
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Summary counts what a run did.
type Summary struct {
	mu sync.Mutex

	Recordings map[Outcome]int         // recordings by outcome
	Files      map[manifest.Status]int // file lines by manifest status
	Bytes      int64                   // bytes archived this run
	Failures   []Failure               // every failed recording with its reason
	AtRisk     []Failure               // recordings RealtimeKit may still hold that this run leaves unarchived
	// Lost are the losses this run alarms for: recordings whose media expired before any run archived
	// them, seen for the first time (or named by a backfill). Recordings[OutcomeLost] counts known ones too.
	Lost     []Failure
	Plans    map[string]PlanTotal // a dry run's plan, by destination name
	Started  time.Time
	Finished time.Time
	planned  atomic.Int64 // recordings selected for the run
	moved    atomic.Int64 // bytes downloaded so far, including files still in flight
	done     atomic.Int64 // recordings finished, whatever their outcome

	// ArtifactCalls is the session artifact API calls made (in a dry run: that the run would make).
	ArtifactCalls int
}

// Progress is a consistent-enough snapshot for a progress display, safe to call during the run.
func (s *Summary) Progress() (done, planned int, bytes int64) {
	return int(s.done.Load()), int(s.planned.Load()), s.moved.Load()
}

// counting counts the bytes read through it into the summary's progress.
type counting struct {
	r io.Reader
	s *Summary
}

func (c counting) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.s.moved.Add(int64(n))
	return n, err
}

// Failure is one failed recording.
type Failure struct {
	RecordingID string
	Reason      string
	Expiry      time.Time // download_url_expiry, zero when unknown
	Urgent      bool      // the media expires within the run's horizon (or already has)
}

// NewSummary returns an empty summary, started now.
func NewSummary() *Summary {
	return &Summary{Recordings: map[Outcome]int{}, Files: map[manifest.Status]int{}, Started: time.Now()}
}

func (s *Summary) addFile(status manifest.Status, bytes int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Files[status]++
	s.Bytes += bytes
}

func (s *Summary) addRecording(outcome Outcome, id, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Recordings[outcome]++
	s.done.Add(1)
	if outcome == OutcomeFailed {
		s.Failures = append(s.Failures, Failure{RecordingID: id, Reason: reason})
	}
}

// Failed is the number of recordings this run fails for: failures and the losses it alarms for.
func (s *Summary) Failed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Recordings[OutcomeFailed] + len(s.Lost)
}

// addLost counts a lost recording; alarm says this run reports it as a new loss.
func (s *Summary) addLost(id, reason string, expiry time.Time, alarm bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Recordings[OutcomeLost]++
	s.done.Add(1)
	if alarm {
		s.Lost = append(s.Lost, Failure{RecordingID: id, Reason: reason, Expiry: expiry, Urgent: true})
	}
}

// Total is the number of recordings handled.
func (s *Summary) Total() int {
	n := 0
	for _, c := range s.Recordings {
		n += c
	}
	return n
}

func (s *Summary) addAtRisk(id, reason string, expiry time.Time, urgent bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.AtRisk = append(s.AtRisk, Failure{RecordingID: id, Reason: reason, Expiry: expiry, Urgent: urgent})
}

// Urgent is the number of at-risk recordings whose media expires within the horizon.
func (s *Summary) Urgent() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.AtRisk {
		if f.Urgent {
			n++
		}
	}
	return n
}
