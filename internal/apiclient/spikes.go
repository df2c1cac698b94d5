package apiclient

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"time"

	"github.com/socialpulse/socialpulse/api/spikes"
)

// Range is the time window of a list: From and To are RFC 3339 times
// (empty: the API's default), and a positive Since stands for From that
// long before now.
type Range struct {
	From, To string
	Since    time.Duration
}

// set adds the range to q as the API's from and to, with Since counted
// back from now. A negative Since, or Since with From, is refused.
func (r Range) set(q url.Values, now time.Time) error {
	if r.Since < 0 || (r.Since > 0 && r.From != "") {
		return fmt.Errorf("--since must be positive and not combined with --from")
	}
	if r.Since > 0 {
		r.From = now.Add(-r.Since).UTC().Format(time.RFC3339)
	}
	setNonEmpty(q, "from", r.From)
	setNonEmpty(q, "to", r.To)
	return nil
}

func setNonEmpty(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

// SpikeFilter selects spikes of the list and of the CSV export; an empty
// field selects every spike.
type SpikeFilter struct {
	Range
	Feature, Priority, State string
	// Text is searched for in the evidence.
	Text string
	// Order is desc (newest first, the API's default) or asc.
	Order string
}

// Query returns the filter as the API's query parameters, with Since
// counted back from now.
func (f SpikeFilter) Query(now time.Time) (url.Values, error) {
	q := url.Values{}
	if err := f.set(q, now); err != nil {
		return nil, err
	}
	setNonEmpty(q, "feature", f.Feature)
	setNonEmpty(q, "priority", f.Priority)
	setNonEmpty(q, "state", f.State)
	setNonEmpty(q, "q", f.Text)
	if f.Order != "desc" {
		setNonEmpty(q, "order", f.Order)
	}
	return q, nil
}

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

// Spike reads one spike's detail, decoded and as the API sent it.
func (c *Client) Spike(ctx context.Context, id string) (spikes.Detail, []byte, error) {
	var d spikes.Detail
	body, err := c.getRaw(ctx, "/api/v1/spikes/"+url.PathEscape(id), &d)
	return d, body, err
}

// SpikesCSV gets the spike list that q selects as CSV; the caller closes
// the body.
func (c *Client) SpikesCSV(ctx context.Context, q url.Values) (io.ReadCloser, error) {
	resp, err := c.Do(ctx, http.MethodGet, "/api/v1/spikes.csv", q, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Note is a spike's note as the API stored it.
type Note struct {
	Author string    `json:"author"`
	Text   string    `json:"text"`
	Time   time.Time `json:"time"`
}

// AddNote adds a note to spike id and returns it as stored (with its
// author and time).
func (c *Client) AddNote(ctx context.Context, id string, in spikes.NoteInput) (Note, error) {
	var created struct {
		Note Note `json:"note"`
	}
	err := c.PostJSON(ctx, "/api/v1/spikes/"+url.PathEscape(id)+"/notes", in, &created)
	return created.Note, err
}
