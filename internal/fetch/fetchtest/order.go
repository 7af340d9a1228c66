package fetchtest

import "slices"

// DownloadOrder returns the IDs of the recordings (or sessions) downloaded so far, each once, in the
// order of its first download request: what a run chose to save first.
func (s *Server) DownloadOrder() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var order []string
	for _, id := range s.downloads {
		if !slices.Contains(order, id) {
			order = append(order, id)
		}
	}
	return order
}

// Events returns what the fake served, in order: "list" for each list page (after any injected delay),
// "download" for each download request.
func (s *Server) Events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}
