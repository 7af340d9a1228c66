package fetch

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Recording fetches one recording's details. A 404 matches ErrNotFound.
func (c *Client) Recording(ctx context.Context, id string) (*Recording, error) {
	op := "get recording " + id
	env, err := c.getJSON(ctx, op, []string{"recordings", id}, nil)
	if err != nil {
		return nil, err
	}
	var rec Recording
	if err := json.Unmarshal(env.Data, &rec); err != nil {
		return nil, fmt.Errorf("%s: decoding details: %w", op, err)
	}
	if rec.ID != id {
		return nil, fmt.Errorf("%s: API returned recording %q instead", op, rec.ID)
	}
	return &rec, nil
}

// ListOptions selects recordings by time window and meeting.
type ListOptions struct {
	Since, Until time.Time // zero means unbounded
	MeetingID    string
	PerPage      int // default 100
}

// maxPages bounds a listing walk so a server that never ends its pages cannot keep a run going forever.
const maxPages = 100_000

// List walks every page of the app's recordings in the window. Pages can shift while they are walked
// (recordings start and finish meanwhile), so results are de-duplicated by id, and the walk stops on an
// empty or short page or once total_count recordings have been seen.
func (c *Client) List(ctx context.Context, opt ListOptions) ([]Recording, error) {
	perPage := opt.PerPage
	if perPage <= 0 {
		perPage = 100
	}
	q := url.Values{}
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("sort_by", "invokedTime")
	q.Set("sort_order", "ASC")
	if !opt.Since.IsZero() {
		q.Set("start_time", opt.Since.UTC().Format(time.RFC3339))
	}
	if !opt.Until.IsZero() {
		q.Set("end_time", opt.Until.UTC().Format(time.RFC3339))
	}
	if opt.MeetingID != "" {
		q.Set("meeting_id", opt.MeetingID)
	}
	seen := map[string]bool{}
	var out []Recording
	for page := 1; page <= maxPages; page++ {
		q.Set("page_no", strconv.Itoa(page))
		op := fmt.Sprintf("list recordings page %d", page)
		env, err := c.getJSON(ctx, op, []string{"recordings"}, q)
		if err != nil {
			return nil, err
		}
		var items []json.RawMessage
		if err := json.Unmarshal(env.Data, &items); err != nil {
			return nil, fmt.Errorf("%s: data is not a list: %w", op, err)
		}
		for _, raw := range items {
			var rec Recording
			if err := json.Unmarshal(raw, &rec); err != nil {
				return nil, fmt.Errorf("%s: %w", op, err)
			}
			if !seen[rec.ID] {
				seen[rec.ID] = true
				out = append(out, rec)
			}
		}
		if len(items) < perPage || (env.Paging != nil && env.Paging.TotalCount > 0 && len(seen) >= env.Paging.TotalCount) {
			return out, nil
		}
	}
	return nil, fmt.Errorf("list recordings: more than %d pages", maxPages)
}
