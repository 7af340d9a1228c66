package fetch

import (
	"encoding/json"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// A listing's memory is a page, the IDs seen and what the caller keeps: a walk keeps nothing it handed
// on, and what a caller keeps of a listed recording (the run's queue does, until a worker takes it) is
// small. The pages are made here rather than served, so that only the walk's memory is measured.
func TestAWalkKeepsNothingItHandedOnAndAListedRecordingIsSmall(t *testing.T) {
	const n, perPage = 1_000, 50
	pages := listPages(t, n, perPage)
	heap := func() int64 {
		runtime.GC() // twice: what sync.Pools held is freed by the second
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return int64(m.HeapAlloc)
	}
	walkAll := func(onPage func([]Recording)) {
		w := newWalk()
		for _, body := range pages {
			var env envelope
			if err := json.Unmarshal(body, &env); err != nil {
				t.Fatal(err)
			}
			p, err := decodePage(&env)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _, _ := w.add(p.items)
			onPage(fresh)
		}
		runtime.KeepAlive(w)
	}

	// Held after the first pages (a page, the walk's compressor) and after the last: the growth between
	// is the IDs, a few dozen bytes each.
	var held []int64
	walkAll(func([]Recording) {
		if k := len(held) + 1; k == 2 || k == len(pages) {
			held = append(held, heap())
		} else {
			held = append(held, 0)
		}
	})
	grew := held[len(held)-1] - held[1]
	if limit := int64(256 << 10); grew > limit {
		t.Errorf("walking %d recordings, the walk grew by %d KiB: want at most %d KiB (their IDs)", n, grew>>10, limit>>10)
	}

	kept := make([]Recording, 0, n)
	before := heap()
	walkAll(func(fresh []Recording) { kept = append(kept, fresh...) })
	after := heap()
	per := (after - before) / n
	if per > 1100 {
		t.Errorf("a listed recording takes %d bytes: want at most 1,100", per)
	}
	for _, r := range kept[:10] {
		if doc, err := r.Redacted(); err != nil || len(doc) < 200 {
			t.Fatalf("listed recording %s: details %q, %v", r.ID, doc, err)
		}
	}
	t.Logf("the walk grew by %d KiB over %d recordings; a listed recording takes %d bytes", grew>>10, n, per)
	runtime.KeepAlive(kept)
	runtime.KeepAlive(pages) // made before the measures: not to be freed during them
}

// listPages is n list items as the API sends them, perPage to a page: presigned URLs, the meeting.
func listPages(t *testing.T, n, perPage int) [][]byte {
	t.Helper()
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	id := func(i int) string {
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", i*2654435761%(1<<32), i%65536, i%4096, (i*7)%4096, i*48271)
	}
	var pages [][]byte
	for first := 0; first < n; first += perPage {
		var items []map[string]any
		for i := first; i < min(n, first+perPage); i++ {
			t0 := at.Add(time.Duration(i) * 30 * time.Second)
			items = append(items, map[string]any{"id": id(i), "status": "UPLOADED", "meeting_id": id(n + i%50), "session_id": id(2*n + i),
				"output_file_name": fmt.Sprintf("room_%d.mp4", t0.UnixMilli()), "invoked_time": t0.Format(time.RFC3339Nano),
				"started_time": t0.Add(5 * time.Second).Format(time.RFC3339Nano), "stopped_time": t0.Add(time.Hour).Format(time.RFC3339Nano),
				"download_url":        fmt.Sprintf("https://rtk-recordings.s3.amazonaws.com/%s/room.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%%2F20261201%%2Fus-east-1%%2Fs3%%2Faws4_request&X-Amz-Date=20261201T000000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=%064x", id(i), i),
				"download_url_expiry": t0.Add(7 * 24 * time.Hour).Format(time.RFC3339Nano), "file_size": 1 << 20, "recording_duration": 3595,
				"audio_download_url": nil, "storage_config": nil,
				"meeting": map[string]any{"id": id(n + i%50), "title": "Weekly sync", "status": "ACTIVE", "record_on_start": false, "persist_chat": true}})
		}
		body, err := json.Marshal(map[string]any{"success": true, "data": items, "paging": map[string]any{"total_count": n, "start_offset": first + 1, "end_offset": first + len(items)}})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, body)
	}
	return pages
}
