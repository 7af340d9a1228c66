package runner

import (
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// Whatever the server's paging does, the shards' slices tile the window: every instant belongs to
// exactly one shard, shards that start at different moments of the same hour agree, and walking its
// slices each shard finds its recordings, whether the API's bounds include their instant or not.
func TestShardSlicesTileTheWindow(t *testing.T) {
	end := time.Now().Truncate(time.Hour).Add(40 * time.Minute).Add(-time.Hour)
	const window = 9 * 24 * time.Hour
	var recs []fetchtest.Recording
	for i := range 300 {
		at := end.Add(-window + time.Second + time.Duration(i*i)*(window/(300*300))) // denser at the start: boundaries by count, not by time
		if i >= 100 && i < 130 {
			at = end.Add(-window + 100*100*(window/(300*300))) // thirty at one instant
		}
		recs = append(recs, fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", Invoked: at})
	}
	for name, paging := range map[string]fetchtest.Paging{
		"per_page honoured":    {},
		"pages of its own":     {Sizes: []int{7, 3}},
		"no paging object":     {NoPaging: true},
		"drifting totals":      {TotalDrift: func(page int) int { return page % 3 }},
		"pages of at most 5":   {MaxPerPage: 5},
		"bounds the other way": {StartExclusive: true, EndInclusive: true},
	} {
		t.Run(name, func(t *testing.T) {
			api, err := fetchtest.New(recs...)
			if err != nil {
				t.Fatal(err)
			}
			defer api.Close()
			api.SetPaging(paging)
			c, err := fetch.New(fetch.Config{BaseURL: api.URL, AccountID: api.AccountID, AppID: api.AppID, Token: api.Token, RequestsPerSecond: -1})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range []int{2, 3, 4, 7} {
				parts := make([][]slice, n)
				for k := range n {
					until := end.Add(time.Duration(k) * time.Minute) // a later pod, same hour
					base := fetch.ListOptions{Since: until.Add(-window), Until: until}
					if parts[k], err = shardSlices(t.Context(), c, Shard{K: k, N: n}, base, until); err != nil {
						t.Fatal(err)
					}
				}
				instants := []time.Time{end.Add(-window), end.Add(-time.Millisecond), end, end.Add(3 * time.Minute)}
				for _, r := range recs {
					instants = append(instants, r.Invoked, r.Invoked.Add(-time.Millisecond), r.Invoked.Add(time.Millisecond))
				}
				for i := range 200 {
					instants = append(instants, end.Add(-window+time.Duration(i)*window/200))
				}
				found := map[string]int{}
				for k := range n {
					if n != 3 {
						break // walking the slices once is enough; the tiling is checked for every N
					}
					until := end.Add(time.Duration(k) * time.Minute)
					base := fetch.ListOptions{Since: until.Add(-window), Until: until}
					for _, part := range parts[k] {
						opt := part.query(base)
						opt.OnPage = func(fresh []fetch.Recording, _ []fetch.Invalid) error {
							for _, r := range fresh {
								if part.owns(r.InvokedTime) {
									found[r.ID]++
								}
							}
							return nil
						}
						if _, err := c.List(t.Context(), opt); err != nil {
							t.Fatal(err)
						}
					}
				}
				for _, r := range recs {
					if n == 3 && found[r.ID] != 1 {
						t.Fatalf("N=%d: recording invoked at %s found by %d shards", n, r.Invoked.Format(time.RFC3339Nano), found[r.ID])
					}
				}
				for _, at := range instants {
					owners := 0
					for k := range n {
						for _, s := range parts[k] {
							if s.owns(at) {
								owners++
							}
						}
					}
					if owners != 1 {
						t.Fatalf("N=%d: %s is in %d slices: %v", n, at.Format(time.RFC3339Nano), owners, parts)
					}
				}
			}
		})
	}
}

// A slice asks the API for a second more on each side, whatever its bounds include, and keeps only
// what was invoked within it.
func TestASliceAsksForASecondMoreOnEachSide(t *testing.T) {
	from := time.Date(2026, 12, 1, 10, 0, 0, 500_000_000, time.UTC)
	to := time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)
	s := slice{from: from, to: to}
	q := s.query(fetch.ListOptions{Since: from.Add(-24 * time.Hour), Until: to.Add(24 * time.Hour)})
	if want := time.Date(2026, 12, 1, 9, 59, 59, 0, time.UTC); !q.Since.Equal(want) {
		t.Errorf("since %v, want %v", q.Since, want)
	}
	if want := to.Add(2 * time.Second); !q.Until.Equal(want) {
		t.Errorf("until %v, want %v", q.Until, want)
	}
	for at, want := range map[time.Time]bool{from: true, from.Add(-time.Millisecond): false, to: false, to.Add(-time.Millisecond): true, {}: true} {
		if s.owns(at) != want {
			t.Errorf("owns(%v) = %v", at, !want)
		}
	}
	if q := s.query(fetch.ListOptions{Since: from, Until: to.Add(-time.Hour)}); !q.Since.Equal(from) || !q.Until.Equal(to.Add(-time.Hour)) {
		t.Errorf("a slice asks beyond the window: %v..%v", q.Since, q.Until)
	}
}
