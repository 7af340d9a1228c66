package archiver

import (
	"testing"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
)

func TestOrderTakesTheSoonestExpiryFirstEvenPastYear2262(t *testing.T) {
	now := time.Now()
	job := func(id string, exp time.Time) Job {
		return Job{ID: id, Listed: &fetch.Recording{ID: id, DownloadURLExpiry: exp}}
	}
	jobs := []Job{
		job("far-future", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)), // UnixNano overflows here
		{ID: "unknown"},
		job("in-a-day", now.Add(24*time.Hour)),
		job("in-an-hour", now.Add(time.Hour)),
		job("in-a-day-too", now.Add(24*time.Hour)),
	}
	var got []string
	for _, j := range Order(jobs) {
		got = append(got, j.ID)
	}
	want := []string{"in-an-hour", "in-a-day", "in-a-day-too", "far-future", "unknown"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}
