package apiclient

import (
	"context"
	"maps"
	"net/url"

	"github.com/socialpulse/socialpulse/api/spikes"
)

// SpikePages gets the pages of the spike list that q selects, from q's
// cursor on, and calls page with each. With all it follows the cursors to
// the end; without, it stops after the first page. It returns the cursor
// of the next page not read ("" when the list ended). q is not changed.
func (c *Client) SpikePages(ctx context.Context, q url.Values, all bool, page func(spikes.SpikeList) error) (string, error) {
	q = maps.Clone(q)
	if q == nil {
		q = url.Values{}
	}
	for {
		var p spikes.SpikeList
		if err := c.GetJSON(ctx, "/api/v1/spikes", q, &p); err != nil {
			return "", err
		}
		if err := page(p); err != nil {
			return "", err
		}
		if p.NextCursor == "" || !all {
			return p.NextCursor, nil
		}
		q.Set("cursor", p.NextCursor)
	}
}
