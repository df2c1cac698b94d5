package incidents

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/incident"
)

// Summary is an incident as a list shows it.
type Summary struct {
	// ID is the id of the incident's first spike.
	ID    string `json:"id"`
	Title string `json:"title"`
	// State is "open" while any spike fires, else "resolved".
	State         string `json:"state"`
	Priority      int    `json:"priority"`
	PriorityLabel string `json:"priorityLabel"`
	// Features are the affected features' ids, in order of their first
	// spike.
	Features []string  `json:"features"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end,omitzero"`
	// Words are evidence words shared by two or more features' spikes.
	Words      []string `json:"words"`
	SpikeCount int      `json:"spikeCount"`
}

// List is a list of incidents, newest first.
type List struct {
	From      time.Time `json:"from"`
	To        time.Time `json:"to"`
	Incidents []Summary `json:"incidents"`
	// Truncated is true when the range held more spikes than one request
	// groups (5000); narrow it.
	Truncated bool `json:"truncated"`
}

// Incident states.
const (
	StateOpen     = "open"
	StateResolved = "resolved"
)

func summaryOf(in incident.Incident) Summary {
	s := Summary{ID: in.ID, Title: in.Title, State: StateResolved, Priority: in.Priority,
		PriorityLabel: alert.PriorityLabel(in.Priority), Features: in.Features, Start: in.Start.UTC(),
		End: in.End.UTC(), Words: in.Words, SpikeCount: len(in.Spikes)}
	if in.Ongoing() {
		s.State = StateOpen
	}
	if s.Words == nil {
		s.Words = []string{}
	}
	return s
}

// spikes returns the spikes that started in [from, to), oldest first, and
// whether there were more than maxSpikes.
func (h *Handler) spikes(ctx context.Context, from, to time.Time) ([]alert.Alert, bool, error) {
	var out []alert.Alert
	cursor := ""
	for {
		page, next, err := h.o.History.List(ctx, alert.Query{From: from, To: to, Order: "asc", Limit: 500, Cursor: cursor})
		if err != nil {
			return nil, false, err
		}
		out = append(out, page...)
		if len(out) >= maxSpikes {
			return out[:maxSpikes], true, nil
		}
		if next == "" {
			return out, false, nil
		}
		cursor = next
	}
}

// group groups alerts into incidents.
func (h *Handler) group(as []alert.Alert) []incident.Incident {
	ss := make([]incident.Spike, len(as))
	for i, a := range as {
		ss[i] = a.Spike()
	}
	return incident.Group(ss, h.o.Group)
}

func parseTime(v, param string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, &api.ParamError{Param: param, Msg: fmt.Sprintf("%s is not an RFC 3339 time such as 2026-03-02T10:00:00Z", api.Quote(v))}
	}
	return t, nil
}

// List serves GET /api/v1/incidents: incidents in a time range, newest first.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
	v, perr := api.ParseQuery(r.URL.RawQuery)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	now := h.o.Now().UTC()
	to, from := now, time.Time{}
	state := ""
	for name, vs := range v {
		val := vs[0]
		var err error
		switch name {
		case "from":
			from, err = parseTime(val, name)
		case "to":
			to, err = parseTime(val, name)
		case "state":
			if val != StateOpen && val != StateResolved {
				err = &api.ParamError{Param: name, Msg: "want open or resolved"}
			}
			state = val
		default:
			err = &api.ParamError{Param: name, Msg: "unknown parameter (want from, to, state)"}
		}
		if pe, ok := err.(*api.ParamError); ok {
			api.WriteParamError(w, pe)
			return
		}
	}
	if from.IsZero() {
		from = to.Add(-DefaultListSpan)
	}
	switch {
	case !from.Before(to):
		api.BadRequest(w, "from", "must be before to")
		return
	case to.Sub(from) > MaxListSpan:
		api.BadRequest(w, "from", "the range is longer than 31 days")
		return
	}
	// Spikes that started up to MaxIncidentSpan before from may belong to
	// an incident that reaches into the range.
	as, truncated, err := h.spikes(r.Context(), from.Add(-MaxIncidentSpan), to)
	if err != nil {
		h.unavailable(w, r, "spike history", err)
		return
	}
	out := List{From: from.UTC(), To: to.UTC(), Incidents: []Summary{}, Truncated: truncated}
	for _, in := range h.group(as) {
		if !in.Ongoing() && in.End.Before(from) {
			continue
		}
		s := summaryOf(in)
		if state != "" && s.State != state {
			continue
		}
		out.Incidents = append(out.Incidents, s)
	}
	slices.SortStableFunc(out.Incidents, func(a, b Summary) int {
		if c := b.Start.Compare(a.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	api.WriteJSON(w, http.StatusOK, out)
}
