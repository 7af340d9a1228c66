package fetch

import (
	"encoding/json"
	"testing"
)

// FuzzListPage: whatever a list response holds, decoding it never panics, and every item comes out
// either as a recording with a valid ID or as a refusal with a reason; a refused item's ID, when kept,
// is a valid one, so nothing else can reach a request path or a key.
func FuzzListPage(f *testing.F) {
	f.Add([]byte(`{"success":true,"data":[{"id":"0f0e0d0c-0b0a-4908-8706-050403020100","status":"UPLOADED","file_size":"12","download_url":"https://h/x"}],"paging":{"total_count":1,"end_offset":1}}`))
	f.Add([]byte(`{"success":true,"data":[{"id":"../x"},{"id":7},{},null,[],"s"],"paging":{"total_count":-3}}`))
	f.Add([]byte(`{"success":true,"data":{"id":"x"}}`))
	f.Add([]byte(`{"success":true,"data":[{"id":"0f0e0d0c-0b0a-4908-8706-050403020100","file_size":-1,"invoked_time":"yesterday","download_url":[{"layer_name":"a","download_urls":{"f":{"download_url":"ftp://x"}}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var env envelope
		if json.Unmarshal(body, &env) != nil {
			return
		}
		p, err := decodePage(&env)
		if err != nil {
			return
		}
		w := newWalk()
		fresh, refused, _ := w.add(p.items)
		w.add(p.items) // the same page again adds nothing
		if fresh, refused, progressed := w.add(p.items); progressed || len(fresh) > 0 || len(refused) > 0 {
			t.Fatal("a page seen before counted as progress")
		}
		for _, r := range fresh {
			if !ValidID(r.ID) || r.FileSize < -1 {
				t.Fatalf("listed recording %q with size %d", r.ID, r.FileSize)
			}
			if _, err := r.Redacted(); err != nil {
				t.Fatalf("listed recording %q: its details can't be written: %v", r.ID, err)
			}
		}
		for _, bad := range refused {
			if bad.Reason == "" || (bad.ID != "" && !ValidID(bad.ID)) {
				t.Fatalf("refused item %+v", bad)
			}
		}
	})
}
