package fetch

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Probe is what one cheap look at the listing says: how many recordings the window holds, and when
// the one at a position of the listing's order was invoked.
type Probe struct {
	Total   int       // total_count; -1 when the server sent none
	Invoked time.Time // invoked time of the recording at the position asked; zero when none was found
}

// probeTries bounds how many positions a probe looks at when the one asked for is not a usable
// recording (refused, or without an invoked time).
const probeTries = 3

// ProbeAt asks for the recording at pos (1-based) of the window's listing, one recording per page: a
// single API call however large the window. The answer depends only on what the server holds, so two
// processes probing the same window of unchanged recordings get the same answer. A server that pages
// its own way (ignoring per_page) is followed by its start_offset: the first usable recording at or
// after pos is taken. pos <= 0 asks only for the total.
func (c *Client) ProbeAt(ctx context.Context, opt ListOptions, pos int) (Probe, error) {
	q := listQuery(opt, 1)
	out := Probe{Total: -1}
	for try := 0; try < probeTries; try++ {
		q.Set("page_no", strconv.Itoa(max(pos, 1)+try))
		p, err := c.listPage(ctx, fmt.Sprintf("probe the listing at %d", max(pos, 1)+try), q)
		if err != nil {
			return Probe{}, err
		}
		out.Total = p.total
		if pos <= 0 || len(p.items) == 0 {
			return out, nil
		}
		first := max(pos, 1) + try // the position of the page's first item when per_page=1 is honoured
		if p.startOffset >= 1 {
			first = p.startOffset
		}
		for i, it := range p.items {
			if first+i >= pos && it.rec != nil && !it.rec.InvokedTime.IsZero() {
				out.Invoked = it.rec.InvokedTime
				return out, nil
			}
		}
	}
	return out, nil
}
