package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch/fetchtest"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// TestTheMostUrgentRecordingsDownloadFirstWhateverTheirPage: the listing comes in short pages, in
// ascending or descending order of invoked time, and the recordings about to expire sit on the last
// page. With two workers and a slow download host, the urgent ones are the first downloads after their
// page arrives: a free worker takes the earliest deadline among everything listed so far.
func TestTheMostUrgentRecordingsDownloadFirstWhateverTheirPage(t *testing.T) {
	for _, order := range []string{"ascending", "descending"} {
		t.Run(order, func(t *testing.T) {
			const n, urgentN = 40, 6 // pages of 25: the urgent ones are all on page 2
			now := time.Now()
			var recs []fetchtest.Recording
			urgent := map[string]bool{}
			for i := range n {
				r := uploaded(100+i, 20_000)
				r.Invoked = now.Add(-time.Duration(n-i) * time.Hour) // ascending: oldest first
				if order == "descending" {
					r.Invoked = now.Add(-time.Duration(i+1) * time.Hour)
				}
				r.Expiry = now.Add(6*24*time.Hour - time.Duration(i)*time.Minute)
				if i >= n-urgentN {
					r.Expiry = now.Add(20*time.Minute + time.Duration(i)*time.Second)
					urgent[r.ID] = true
				}
				recs = append(recs, r)
			}
			c := newCLI(t, recs...)
			c.api.SetDownloadRate(200_000) // 0.1 s a recording
			code, stdout, stderr := c.run("run", "--concurrency", "2")
			if code != 0 {
				t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			got := c.api.DownloadOrder()
			if len(got) != n {
				t.Fatalf("%d recordings downloaded, want %d", len(got), n)
			}
			// The two workers start at once on page 1; from then on the urgent ones go first.
			first := got[:urgentN+2]
			var late []int
			for i, id := range got {
				if urgent[id] && i >= len(first) {
					late = append(late, i+1)
				}
			}
			t.Logf("download order (U = urgent): %s", markUrgent(got, urgent))
			if len(late) > 0 {
				t.Fatalf("urgent recordings downloaded at positions %v, want all within the first %d", late, len(first))
			}
			// In expiry order among themselves, give or take the two workers' race to the host.
			var urgentOrder []string
			for _, id := range got {
				if urgent[id] {
					urgentOrder = append(urgentOrder, id)
				}
			}
			byExpiry := slices.Clone(urgentOrder)
			slices.SortFunc(byExpiry, func(a, b string) int { return expiryOf(recs, a).Compare(expiryOf(recs, b)) })
			for i, id := range urgentOrder {
				if rank := slices.Index(byExpiry, id); rank < i-1 || rank > i+1 {
					t.Errorf("urgent %s downloaded %d of the urgent ones, but it expires %d: not soonest expiry first", id, i+1, rank+1)
				}
			}
			// The listed URLs were good: no detail call held any of them back.
			for id := range urgent {
				if k := c.api.Requests(fetchtest.DetailRoute(id)); k != 0 {
					t.Errorf("%d detail calls for urgent %s, want 0: its listed URL was valid", k, id)
				}
			}
		})
	}
}

// TestABackfillStartsOnThePageThatFindsItsIDs: a backfill's IDs are looked up in one walk of the
// window, and the ones a page finds are handed to the workers as the page comes: the first download
// does not wait for the last page.
func TestABackfillStartsOnThePageThatFindsItsIDs(t *testing.T) {
	var recs []fetchtest.Recording
	var ids []string
	for i := range 30 { // pages of 25
		r := uploaded(i+1, 1000)
		recs = append(recs, r)
		ids = append(ids, r.ID)
	}
	c := newCLI(t, recs...)
	c.api.Inject(fetchtest.ListRoute, fetchtest.Fault{}, fetchtest.Fault{Delay: time.Second}) // page 2 is slow
	c.stdin = strings.Join(ids, "\n")
	if code, out, errOut := c.run("run", "--ids", "-"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	events := c.api.Events()
	firstDownload, secondPage := slices.Index(events, "download"), -1
	for i, lists := 0, 0; i < len(events); i++ {
		if events[i] == "list" {
			if lists++; lists == 2 {
				secondPage = i
				break
			}
		}
	}
	if firstDownload < 0 || secondPage < 0 || firstDownload > secondPage {
		t.Fatalf("events %v: the first download waited for the second list page", events)
	}
	if n := c.api.Requests(fetchtest.DetailRoute(recs[0].ID)); n != 0 {
		t.Errorf("%d detail calls for a listed ID, want 0", n)
	}
}

func markUrgent(ids []string, urgent map[string]bool) string {
	var b strings.Builder
	for _, id := range ids {
		if urgent[id] {
			b.WriteByte('U')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func expiryOf(recs []fetchtest.Recording, id string) time.Time {
	for _, r := range recs {
		if r.ID == id {
			return r.Expiry
		}
	}
	return time.Time{}
}

// TestALossAlarmsOnceAndABackfillNamingItEveryTime: a recording whose media expired before any run
// archived it fails the first run that sees it (a failed line saying expired, exit 1, LOST in the
// summary, lost in --json), is only counted by the next run (exit 0), and fails every backfill naming it.
func TestALossAlarmsOnceAndABackfillNamingItEveryTime(t *testing.T) {
	gone := uploaded(1, 5000)
	gone.Invoked = time.Now().Add(-8 * 24 * time.Hour)
	gone.Expiry = time.Now().Add(-20 * time.Hour)
	ok := uploaded(2, 5000)
	c := newCLI(t, gone, ok)

	code, stdout, stderr := c.run("run")
	if code != 1 || !strings.Contains(stdout, "LOST: 1 recordings") || !strings.Contains(stdout, gone.ID) || !strings.Contains(stdout, "1 lost (1 new)") {
		t.Fatalf("first run: exit %d, want 1 with a LOST block\n%s\n%s", code, stdout, stderr)
	}
	entries, err := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, e := range entries {
		if e.RecordingID == gone.ID {
			if e.Status != manifest.StatusFailed || !strings.Contains(e.Error, "expired") {
				t.Fatalf("line %+v, want failed saying expired", e)
			}
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("%d lines for the lost recording, want 1", failed)
	}
	if n := c.api.Requests(fetchtest.DownloadRoute(gone.ID, fetchtest.MediaFile)) + c.api.Requests(fetchtest.DetailRoute(gone.ID)); n != 0 {
		t.Errorf("%d requests for a recording the listing says is gone", n)
	}

	code, stdout, stderr = c.run("run", "--json")
	var sum struct {
		Recordings map[string]int    `json:"recordings"`
		Lost       []json.RawMessage `json:"lost"`
	}
	if err := json.Unmarshal([]byte(stdout), &sum); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if code != 0 || sum.Recordings["lost"] != 1 || len(sum.Lost) != 0 {
		t.Fatalf("second run: exit %d, recordings %v, lost %s; want exit 0, the known loss counted and not listed\n%s", code, sum.Recordings, sum.Lost, stderr)
	}
	after, _ := manifest.Read(c.env["ARCHIVE_MANIFEST"])
	if len(after) != len(entries) {
		t.Errorf("the second run wrote %d lines, want none: a known loss is not said again", len(after)-len(entries))
	}

	ids := filepath.Join(c.dir, "ids.txt")
	if err := os.WriteFile(ids, []byte(gone.ID+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		code, stdout, stderr = c.run("run", "--ids", ids)
		if code != 1 || !strings.Contains(stdout, "LOST: 1 recordings") {
			t.Fatalf("backfill %d naming the lost recording: exit %d, want 1 with LOST\n%s\n%s", i+1, code, stdout, stderr)
		}
	}
}
