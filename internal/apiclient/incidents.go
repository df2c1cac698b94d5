package apiclient

import (
	"context"
	"net/url"
	"time"

	"github.com/socialpulse/socialpulse/api/incidents"
)

// IncidentFilter selects incidents of the list; an empty field selects
// every incident (the API's default range is the last 7 days).
type IncidentFilter struct {
	Range
	// State is open or resolved.
	State string
}

// Query returns the filter as the API's query parameters, with Since
// counted back from now.
func (f IncidentFilter) Query(now time.Time) (url.Values, error) {
	q := url.Values{}
	if err := f.set(q, now); err != nil {
		return nil, err
	}
	setNonEmpty(q, "state", f.State)
	return q, nil
}

// Incidents gets the incident list that q selects.
func (c *Client) Incidents(ctx context.Context, q url.Values) (incidents.List, error) {
	var l incidents.List
	err := c.GetJSON(ctx, "/api/v1/incidents", q, &l)
	return l, err
}

// Incident reads one incident's detail (by its id or any of its spikes'
// ids), decoded and as the API sent it.
func (c *Client) Incident(ctx context.Context, id string) (incidents.Detail, []byte, error) {
	var d incidents.Detail
	body, err := c.getRaw(ctx, "/api/v1/incidents/"+url.PathEscape(id), &d)
	return d, body, err
}

// Milestone is an incident's milestone as the API stored it.
type Milestone struct {
	Type   string    `json:"type"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
	Time   time.Time `json:"time"`
}

// AddMilestone records a milestone on incident id (or the incident of
// spike id) and returns it as stored (with its author and time).
func (c *Client) AddMilestone(ctx context.Context, id string, in incidents.MilestoneInput) (Milestone, error) {
	var created struct {
		Milestone Milestone `json:"milestone"`
	}
	err := c.PostJSON(ctx, "/api/v1/incidents/"+url.PathEscape(id)+"/milestones", in, &created)
	return created.Milestone, err
}
