package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Recording fetches one recording's details. A 404 matches ErrNotFound.
func (c *Client) Recording(ctx context.Context, id string) (*Recording, error) {
	op := "get recording " + id
	if !ValidID(id) {
		return nil, fmt.Errorf("%s: not a recording ID (a UUID)", op)
	}
	env, err := c.getJSON(ctx, op, []string{"recordings", id}, nil)
	if err != nil {
		return nil, err
	}
	var rec Recording
	if err := json.Unmarshal(env.Data, &rec); err != nil {
		return nil, fmt.Errorf("%s: decoding details: %w", op, err)
	}
	if err := rec.validate(); err != nil {
		return nil, fmt.Errorf("%s: invalid details: %w", op, err)
	}
	if !strings.EqualFold(rec.ID, id) {
		return nil, fmt.Errorf("%s: API returned recording %q instead", op, rec.ID)
	}
	return &rec, nil
}

// ListOptions selects recordings by time window and meeting.
type ListOptions struct {
	Since, Until time.Time // zero means unbounded
	MeetingID    string
	PerPage      int // asked for; the server may send fewer. Default 100
	// OnPage, when set, is called after each page with what it added (recordings seen for the first
	// time, refused items), so a caller can start on them while the walk goes on. An error from it ends
	// the walk with that error. With OnPage the walk keeps nothing it handed on, and List returns an
	// empty Listing.
	OnPage func(fresh []Recording, refused []Invalid) error
}

// Listing is what a walk over the listing found.
type Listing struct {
	Recordings []Recording // valid items, de-duplicated by id, the first view of each kept
	Invalid    []Invalid   // items that could not be used, each with the reason
}

// Invalid is a list item that was refused. ID is empty when the item had no usable id; such an item
// cannot be archived or named, only reported.
type Invalid struct {
	ID     string
	Reason string
}

// ErrListingStuck means the server kept answering pages that added nothing before the total it
// announced was reached: going on would never end, stopping would silently drop recordings.
var ErrListingStuck = errors.New("the listing is not progressing")

// maxPages bounds a listing walk so a server that never ends its pages cannot keep a run going forever.
const maxPages = 100_000

// List walks every page of the app's recordings in the window. The server may send fewer items than
// asked for, so a short page is not the end: the walk stops on an empty page, or once total_count
// distinct recordings were seen (or end_offset reached total_count). Pages can shift while they are
// walked, so items are de-duplicated by id; a page that adds nothing new before the total is reached
// ends the walk with ErrListingStuck. One bad item never fails the walk: it is returned in Invalid.
func (c *Client) List(ctx context.Context, opt ListOptions) (*Listing, error) {
	l := &Listing{}
	onPage := opt.OnPage
	if onPage == nil {
		onPage = func(fresh []Recording, refused []Invalid) error {
			l.Recordings = append(l.Recordings, fresh...)
			l.Invalid = append(l.Invalid, refused...)
			return nil
		}
	}
	perPage := opt.PerPage
	if perPage <= 0 {
		perPage = 100
	}
	q := listQuery(opt, perPage)
	w := newWalk()
	for page := 1; page <= maxPages; page++ {
		q.Set("page_no", strconv.Itoa(page))
		op := fmt.Sprintf("list recordings page %d", page)
		p, err := c.listPage(ctx, op, q)
		if err != nil {
			return nil, err
		}
		if len(p.items) == 0 {
			return l, nil
		}
		fresh, refused, progressed := w.add(p.items)
		n := len(p.items)
		p.items = nil // the page's recordings are in fresh now, or dropped as seen before
		if !progressed && !w.complete(p) {
			return nil, fmt.Errorf("%s: %d items, none new, after %d distinct recordings of the %d announced: %w",
				op, n, w.distinct(), p.total, ErrListingStuck)
		}
		if len(fresh) > 0 || len(refused) > 0 {
			if err := onPage(fresh, refused); err != nil {
				return nil, err
			}
		}
		if w.complete(p) {
			return l, nil
		}
	}
	return nil, fmt.Errorf("list recordings: more than %d pages: %w", maxPages, ErrListingStuck)
}

// listQuery is the list route's query for opt, without page_no. The order is the one the API
// documents (by invoked time), oldest first.
func listQuery(opt ListOptions, perPage int) url.Values {
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
	return q
}

// listPage fetches and decodes one page.
func (c *Client) listPage(ctx context.Context, op string, q url.Values) (page, error) {
	env, err := c.getJSON(ctx, op, []string{"recordings"}, q)
	if err != nil {
		return page{}, err
	}
	p, err := decodePage(env)
	if err != nil {
		return page{}, fmt.Errorf("%s: %w", op, err)
	}
	return p, nil
}
