package archiver

import (
	"maps"
	"slices"
)

// PlanTotal is what a dry run would write to one destination.
type PlanTotal struct {
	Recordings   int
	Files        int   // metadata included
	Bytes        int64 // of the files whose size is known
	UnknownFiles int   // files whose size the API does not say (recording.json always)
}

func (s *Summary) addPlan(destination string, files []file) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Plans == nil {
		s.Plans = map[string]PlanTotal{}
	}
	p := s.Plans[destination]
	p.Recordings++
	for _, f := range files {
		p.Files++
		if f.Size >= 0 {
			p.Bytes += f.Size
		} else {
			p.UnknownFiles++
		}
	}
	s.Plans[destination] = p
}

// PlanDestinations are the destinations of a dry run's plan, sorted.
func (s *Summary) PlanDestinations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.Plans))
}
