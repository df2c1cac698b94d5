package monitor

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/incident"
)

// One incident, one page.
//
// A new spike is labelled with the incident it belongs to when it is
// raised (alert.Alert.Incident, kept by every later version), so that
// receivers can group an outage's spikes on several features into one page:
// the shipped Alertmanager route groups by the incident label. The monitor
// reads the spikes raised in the IncidentSpan before the new one from the
// spike history (so the label does not depend on which processor holds the
// lease, or on a restart) and lets incident.Assign decide: a spike that
// joins an incident carries the label that incident's spikes already carry.

// IncidentSpan is how far back from a new spike's onset the history is
// read to find the incident it joins; it matches the span the incidents API
// reads (incidents.MaxIncidentSpan).
const IncidentSpan = 48 * time.Hour

// incidentOf returns the incident label of the new spike a, raised at at.
// When the history cannot be read, the spike is labelled as an incident of
// its own (it still pages; it may page separately) and the failure logged.
func (m *Monitor) incidentOf(ctx context.Context, a alert.Alert, at time.Time) string {
	raised, labels, err := m.raisedBefore(ctx, a.StartsAt.Add(-IncidentSpan), at)
	if err != nil {
		m.log.Warn("spike labelled as an incident of its own: the spike history could not be read",
			zap.String("alert", a.ID), zap.Error(err))
		return a.ID
	}
	return incident.Assign(raised, labels, incident.Spike{ID: a.ID, Feature: a.Evidence.Feature, Start: a.StartsAt},
		m.o.Group)
}

// raisedBefore returns the spikes raised with onsets in [from, to], as
// incident spikes, and the incident label each carries.
func (m *Monitor) raisedBefore(ctx context.Context, from, to time.Time) ([]incident.Spike, map[string]string, error) {
	var out []incident.Spike
	labels := map[string]string{}
	cursor := ""
	for range maxHistoryPages {
		page, next, err := m.o.Publisher.List(ctx, alert.Query{From: from, To: to.Add(time.Nanosecond), Order: "asc", Limit: 500, Cursor: cursor})
		if err != nil {
			return nil, nil, fmt.Errorf("monitor: list recent spikes: %w", err)
		}
		for _, a := range page {
			if a.Kind != alert.KindNegativeSurge {
				continue
			}
			out = append(out, a.Spike())
			if a.Incident != "" {
				labels[a.ID] = a.Incident
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, labels, nil
}

// maxHistoryPages bounds the spikes one label reads (500 a page).
const maxHistoryPages = 10
