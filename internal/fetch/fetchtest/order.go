package fetchtest

import "slices"

// event is one thing the fake served: a list page ("list", after any injected delay) or a download
// request ("download", with the recording's or session's ID).
type event struct{ kind, id string }

// DownloadOrder returns the IDs of the recordings (or sessions) downloaded so far, each once, in the
// order of its first download request: what a run chose to save first.
func (s *Server) DownloadOrder() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var order []string
	for _, e := range s.events {
		if e.kind == "download" && !slices.Contains(order, e.id) {
			order = append(order, e.id)
		}
	}
	return order
}

// Events returns what the fake served, in order: "list" for each list page (after any injected delay),
// "download" for each download request.
func (s *Server) Events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	kinds := make([]string, len(s.events))
	for i, e := range s.events {
		kinds[i] = e.kind
	}
	return kinds
}
