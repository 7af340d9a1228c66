package fetch

import (
	"encoding/json"
	"fmt"
	"strings"
)

// page is one decoded list response.
type page struct {
	items       []item
	total       int // total_count; -1 when the server sent none
	startOffset int // start_offset (1-based position of the first item); -1 when absent
	endOffset   int // end_offset; -1 when absent
}

// item is one list entry: a recording, or the reason it could not be used.
type item struct {
	rec    *Recording
	id     string // readable id, even of a refused item; "" when none
	reason string // why the item was refused; "" for a good one
	raw    string // the item's bytes, to tell unidentifiable items apart
}

// maxRawKey bounds what is kept of an unidentifiable item to recognise it on a later page.
const maxRawKey = 256

// decodePage reads a list envelope. A data field that is not a list fails the page (the server is not
// answering what we asked); an item that is not a valid recording is refused alone.
func decodePage(env *envelope) (page, error) {
	p := page{total: -1, startOffset: -1, endOffset: -1}
	var raws []json.RawMessage
	if err := json.Unmarshal(env.Data, &raws); err != nil {
		return p, fmt.Errorf("data is not a list: %w", err)
	}
	if env.Paging != nil {
		if env.Paging.TotalCount != nil && *env.Paging.TotalCount >= 0 {
			p.total = *env.Paging.TotalCount
		}
		if env.Paging.StartOffset != nil && *env.Paging.StartOffset >= 1 {
			p.startOffset = *env.Paging.StartOffset
		}
		if env.Paging.EndOffset != nil && *env.Paging.EndOffset >= 0 {
			p.endOffset = *env.Paging.EndOffset
		}
	}
	p.items = make([]item, 0, len(raws))
	for _, raw := range raws {
		p.items = append(p.items, decodeItem(raw))
	}
	return p, nil
}

func decodeItem(raw json.RawMessage) item {
	it := item{raw: string(raw[:min(len(raw), maxRawKey)])}
	var head struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &head) == nil {
		if s, ok := head.ID.(string); ok {
			it.id = s
		}
	}
	if !ValidID(it.id) {
		if it.id == "" {
			it.reason = "list item without an id"
		} else {
			it.reason = fmt.Sprintf("list item id %q is not a recording ID (a UUID)", it.id)
		}
		it.id = ""
		return it
	}
	it.id = strings.ToLower(it.id)
	var rec Recording
	if err := json.Unmarshal(raw, &rec); err != nil {
		it.reason = fmt.Sprintf("the listing's item is not a valid recording: %v", err)
		return it
	}
	if err := rec.validate(); err != nil {
		it.reason = fmt.Sprintf("the listing's item is not a valid recording: %v", err)
		return it
	}
	it.rec = &rec
	return it
}
