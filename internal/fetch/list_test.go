package fetch_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
)

// The rules under test are the documentation's, not the client's: the maximum page size is
// undocumented, a short page is not the end, totals move, and a page adding nothing new before the
// total is reached means the walk is not progressing.

func manyUploaded(n int) []fetchtest.Recording {
	recs := make([]fetchtest.Recording, n)
	for i := range recs {
		recs[i] = fetchtest.Recording{ID: fetchtest.UUID(i), Status: "UPLOADED", MediaSize: 10, Invoked: time.Now().Add(-time.Duration(n-i) * time.Minute)}
	}
	return recs
}

func listAll(t *testing.T, c *fetch.Client) *fetch.Listing {
	t.Helper()
	got, err := c.List(t.Context(), fetch.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func assertAll(t *testing.T, got *fetch.Listing, n int) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range got.Recordings {
		if seen[r.ID] {
			t.Fatalf("recording %s listed twice", r.ID)
		}
		seen[r.ID] = true
	}
	for i := range n {
		if !seen[fetchtest.UUID(i)] {
			t.Fatalf("recording %d of %d missing: listed %d", i, n, len(got.Recordings))
		}
	}
}

func TestListDoesNotTakeAShortPageForTheEnd(t *testing.T) {
	srv, c := newFake(t, manyUploaded(130)...)
	srv.SetPaging(fetchtest.Paging{MaxPerPage: 25}) // the client asks for 100
	assertAll(t, listAll(t, c), 130)
	if n := srv.Requests(fetchtest.ListRoute); n != 6 {
		t.Fatalf("made %d list requests, want 6 (pages of 25, the last holding 5)", n)
	}
}

func TestListWithPageSizesThatVary(t *testing.T) {
	srv, c := newFake(t, manyUploaded(50)...)
	srv.SetPaging(fetchtest.Paging{Sizes: []int{7, 1, 13, 3}})
	assertAll(t, listAll(t, c), 50)
}

func TestListWithATotalThatMovesDuringTheWalk(t *testing.T) {
	srv, c := newFake(t, manyUploaded(60)...)
	// The total first says more than there are, then fewer: the walk must still see all 60 and end.
	srv.SetPaging(fetchtest.Paging{MaxPerPage: 10, TotalDrift: func(page int) int {
		if page < 3 {
			return 15
		}
		return -2
	}})
	assertAll(t, listAll(t, c), 58) // once 58 are seen the total (60-2) says the walk is done
	if n := srv.Requests(fetchtest.ListRoute); n > 7 {
		t.Fatalf("made %d list requests for 60 recordings in pages of 10", n)
	}
}

func TestListWithoutPagingWalksToTheEmptyPage(t *testing.T) {
	srv, c := newFake(t, manyUploaded(30)...)
	srv.SetPaging(fetchtest.Paging{MaxPerPage: 10, NoPaging: true})
	assertAll(t, listAll(t, c), 30)
	if n := srv.Requests(fetchtest.ListRoute); n != 4 {
		t.Fatalf("made %d list requests, want 4 (3 pages and the empty one)", n)
	}
}

func TestListFailsLoudlyWhenTheServerIgnoresPageNo(t *testing.T) {
	srv, c := newFake(t, manyUploaded(40)...)
	srv.SetPaging(fetchtest.Paging{MaxPerPage: 10, IgnorePageNo: true})
	_, err := c.List(t.Context(), fetch.ListOptions{})
	if !errors.Is(err, fetch.ErrListingStuck) {
		t.Fatalf("err = %v, want ErrListingStuck", err)
	}
	if !strings.Contains(err.Error(), "10 distinct recordings of the 40 announced") {
		t.Fatalf("error does not say how far the walk got: %v", err)
	}
	if n := srv.Requests(fetchtest.ListRoute); n != 2 {
		t.Fatalf("made %d list requests, want 2: the second page adds nothing", n)
	}
}

func TestListIsolatesBadItems(t *testing.T) {
	recs := manyUploaded(6)
	recs[1].Override = map[string]any{"file_size": -1}
	recs[2].Override = map[string]any{"invoked_time": "yesterday"}
	recs[3].Override = map[string]any{"id": "../../etc/passwd"}
	recs[4].Override = map[string]any{"id": nil}
	recs[5].Override = map[string]any{"download_url": "file:///etc/shadow"}
	srv, c := newFake(t, recs...)
	srv.SetPaging(fetchtest.Paging{MaxPerPage: 2})
	got := listAll(t, c)
	if len(got.Recordings) != 1 || got.Recordings[0].ID != fetchtest.UUID(0) {
		t.Fatalf("recordings = %v, want only the good one", got.Recordings)
	}
	reasons := map[string]string{}
	for _, bad := range got.Invalid {
		reasons[bad.ID] += bad.Reason + ";"
	}
	for id, want := range map[string]string{
		fetchtest.UUID(1): "file_size",
		fetchtest.UUID(2): "yesterday",
		fetchtest.UUID(5): "download_url",
		"":                "not a recording ID",
	} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("reason for %q = %q, want it to mention %q", id, reasons[id], want)
		}
	}
	if !strings.Contains(reasons[""], "without an id") {
		t.Errorf("the item without an id is not reported: %q", reasons[""])
	}
	if len(got.Invalid) != 5 {
		t.Fatalf("invalid = %+v, want 5", got.Invalid)
	}
}

func TestDetailRefusesAnIDThatIsNotAUUID(t *testing.T) {
	srv, c := newFake(t)
	if _, err := c.Recording(t.Context(), "../../x"); err == nil {
		t.Fatal("a non-UUID ID was requested")
	}
	if n := srv.Requests(fetchtest.DetailRoute("../../x")); n != 0 {
		t.Fatal("a non-UUID ID reached a request path")
	}
}

// TestThe429PauseHoldsWorkersAlreadyPaced: workers that took their pacing turn before another
// worker's 429 arrived must not send inside the pause it started.
func TestThe429PauseHoldsWorkersAlreadyPaced(t *testing.T) {
	var mu sync.Mutex
	var arrivals []time.Time
	id := fetchtest.UUID(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		first := len(arrivals) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"success":false,"errors":[{"code":971,"message":"rate limited"}]}`)
			return
		}
		fmt.Fprintf(w, `{"success":true,"data":{"id":%q,"status":"UPLOADED"}}`, id)
	}))
	defer srv.Close()
	// Burst 1: the workers queue in the pacer, each behind the one before (requests already on the
	// wire when the 429 comes back cannot be held, whatever the client does).
	c, err := fetch.New(fetch.Config{BaseURL: srv.URL, AccountID: "a", AppID: "b", Token: "t", RequestsPerSecond: 10, Burst: 1,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := c.Recording(t.Context(), id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	pauseEnd := arrivals[0].Add(time.Second)
	for i, at := range arrivals[1:] {
		if at.Before(pauseEnd.Add(-20 * time.Millisecond)) {
			t.Errorf("request %d arrived %v after the 429, inside its 1 s Retry-After", i+2, at.Sub(arrivals[0]).Round(time.Millisecond))
		}
	}
}
