package sinks

import (
	"io/fs"
	"strings"
	"sync"
	"time"
)

// The local and SFTP drivers write a file under a temporary name in its final folder and move it to
// its final name only once it is complete and verified. A write that fails cleans up after itself; one
// whose process is killed (SIGKILL, OOM, a lost pod) cannot, and leaves its temporary file behind.
// The next write into that folder sweeps such leftovers away.

// TempPrefix starts the name of every temporary file.
const TempPrefix = ".rtk-partial-"

// StaleTempAge is how long a temporary file must have been left untouched before it is taken for the
// leftover of a dead write. A live write touches its file with every chunk and gives up on a stalled
// source within minutes, so an hour leaves a wide margin for a slow link or another run at work.
const StaleTempAge = time.Hour

// StaleTemps returns the names of the leftover temporary files among a folder's entries. written is
// the entry of a file just written into that folder: its modification time is "now" by the clock of
// the machine that keeps the files, so a remote server's clock skew cannot make a live file look old.
func StaleTemps(entries []fs.FileInfo, written fs.FileInfo) []string {
	var stale []string
	for _, e := range entries {
		if e.Mode().IsRegular() && strings.HasPrefix(e.Name(), TempPrefix) && written.ModTime().Sub(e.ModTime()) >= StaleTempAge {
			stale = append(stale, e.Name())
		}
	}
	return stale
}

// Sweeps remembers the folders already swept, so a run lists a folder once however many files it
// writes there. It forgets them all after maxSweeps, so a backfill of millions of recordings does not
// keep a name per folder: writes come folder by folder, and forgetting costs at most one more listing.
// The zero value is ready to use.
type Sweeps struct {
	mu   sync.Mutex
	done map[string]struct{}
}

const maxSweeps = 4096

// First reports whether dir has not been swept (recently), and marks it swept.
func (s *Sweeps) First(dir string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.done[dir]; ok {
		return false
	}
	if s.done == nil || len(s.done) >= maxSweeps {
		s.done = make(map[string]struct{})
	}
	s.done[dir] = struct{}{}
	return true
}
