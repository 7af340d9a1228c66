package fetchtest

import "time"

// Paging makes the list route as awkward as the API's documentation allows: the maximum page size is
// undocumented, so the fake sends fewer items than asked for by default; pages can vary in size; the
// total can move while the walk goes on; a broken server may ignore page_no altogether.
type Paging struct {
	MaxPerPage   int                // the most items one page holds, whatever per_page asks; default 25
	Sizes        []int              // when set, page k holds Sizes[(k-1) % len(Sizes)] items
	IgnorePageNo bool               // every request is answered with the first page
	TotalDrift   func(page int) int // added to total_count on the given page
	NoPaging     bool               // the response carries no paging object
	// Whether start_time and end_time include their instant is undocumented: by default start_time
	// does and end_time does not.
	StartExclusive bool // start_time excludes its instant
	EndInclusive   bool // end_time includes its instant
}

// DefaultMaxPerPage is the fake's page size when the client asks for more: smaller than the client's
// default, so every test walks short pages.
const DefaultMaxPerPage = 25

// SetPaging changes how the list route pages.
func (s *Server) SetPaging(p Paging) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.paging = p
}

// window returns the [start, end) of page (1-based) among n items when the client asked for perPage.
func (p Paging) window(page, perPage, n int) (start, end int) {
	if p.IgnorePageNo {
		page = 1
	}
	size := func(k int) int {
		if len(p.Sizes) > 0 {
			return p.Sizes[(k-1)%len(p.Sizes)]
		}
		limit := p.MaxPerPage
		if limit <= 0 {
			limit = DefaultMaxPerPage
		}
		return min(perPage, limit)
	}
	for k := 1; k < page && start < n; k++ {
		start += size(k)
	}
	start = min(start, n)
	return start, min(start+size(page), n)
}

// inWindow reports whether a recording invoked at t is listed for start_time since and end_time until
// (zero: unbounded).
func (p Paging) inWindow(t, since, until time.Time) bool {
	after := since.IsZero() || t.After(since) || (!p.StartExclusive && t.Equal(since))
	before := until.IsZero() || t.Before(until) || (p.EndInclusive && t.Equal(until))
	return after && before
}
