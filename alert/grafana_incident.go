package alert

import (
	"cmp"
	"context"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"

	gapi "github.com/grafana/grafana-api-golang-client"

	"github.com/socialpulse/socialpulse/incident"
)

// IncidentTag is on every incident annotation (and on no spike or milestone
// annotation), so a dashboard can show incidents as an annotation query of
// their own.
//
// Each incident has one region annotation, from the onset of its first
// spike to the end of its last (while it is open: to the latest spike
// version seen), tagged IncidentTag, "incident:<id>", "priority:P<n>" (the
// worst of its spikes) and "feature:<feature>" per affected feature; its
// text is the incident's title, its features and its worst priority.
//
// The receiver keeps no state of its own for it: the annotation is found in
// Grafana by its two tags before it is created, and its content is rebuilt
// each time from the spike history (Outbox.IncidentAlerts). A restarted
// process, a redelivered version or a later spike therefore updates the
// same annotation, and annotations created twice by two processes at once
// are reduced to the one with the lowest id on the next update.
const IncidentTag = "socialpulse-incident"

// incidentFindLimit bounds the annotations read when looking an incident's
// annotation up; more than one is only ever a short-lived race.
const incidentFindLimit = 100

// AnnotateIncident creates or updates the annotation of a's incident (see
// IncidentTag) from the incident's alerts as WithIncidentAlerts returns them
// and a itself, and returns the annotation's id. It needs
// WithIncidentAlerts and an alert that carries an incident.
func (g *GrafanaAnnotation) AnnotateIncident(ctx context.Context, a Alert) (int64, error) {
	if a.Incident == "" || g.incidents == nil {
		return 0, fmt.Errorf("grafana: annotate incident of %s: no incident or no incident source", a.ID)
	}
	alerts, err := g.incidents(ctx, a.Incident)
	if err != nil {
		return 0, fmt.Errorf("grafana: annotate incident %s: read its alerts: %w", a.Incident, err)
	}
	ann := incidentAnnotation(a.Incident, latestVersions(slices.Concat(alerts, []Alert{a})))
	ann.DashboardUID = g.dashboardUID
	id, err := grafanaCall(ctx, func() (int64, error) { return g.upsertIncident(a.Incident, ann) })
	if err != nil {
		return 0, fmt.Errorf("grafana: annotate incident %s: %w", a.Incident, err)
	}
	return id, nil
}

// upsertIncident writes ann as the one annotation of incident id: it patches
// the annotation found by its tags, or creates one when there is none. When
// several are found (two creates raced), it keeps the lowest id and deletes
// the others.
func (g *GrafanaAnnotation) upsertIncident(id string, ann *gapi.Annotation) (int64, error) {
	found, err := g.findIncident(id)
	if err != nil {
		return 0, err
	}
	if len(found) == 0 {
		created, err := g.c.NewAnnotation(ann)
		if err != nil {
			return 0, err
		}
		if found, err = g.findIncident(id); err != nil {
			return 0, err
		}
		if len(found) == 0 || len(found) == 1 && found[0] == created {
			return created, nil
		}
	}
	keep := slices.Min(found)
	for _, other := range found {
		if other != keep {
			if _, err := g.c.DeleteAnnotation(other); err != nil {
				return 0, fmt.Errorf("delete duplicate annotation %d: %w", other, err)
			}
		}
	}
	if _, err := g.c.PatchAnnotation(keep, ann); err != nil {
		return 0, err
	}
	return keep, nil
}

// findIncident returns the ids of the annotations tagged IncidentTag and
// "incident:<id>" on the receiver's dashboard.
func (g *GrafanaAnnotation) findIncident(id string) ([]int64, error) {
	q := url.Values{"tags": {IncidentTag, "incident:" + id}, "matchAny": {"false"}, "type": {"annotation"},
		"limit": {fmt.Sprint(incidentFindLimit)}}
	if g.dashboardUID != "" {
		q.Set("dashboardUID", g.dashboardUID)
	}
	anns, err := g.c.Annotations(q)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, an := range anns {
		// Grafana matches every tag given; checked again so that a server
		// ignoring a filter cannot make another incident's annotation ours.
		if slices.Contains(an.Tags, IncidentTag) && slices.Contains(an.Tags, "incident:"+id) {
			ids = append(ids, an.ID)
		}
	}
	return ids, nil
}

// latestVersions keeps the highest Sequence of each alert id.
func latestVersions(as []Alert) []Alert {
	byID := make(map[string]int, len(as))
	var out []Alert
	for _, a := range as {
		if i, ok := byID[a.ID]; ok {
			if a.Sequence > out[i].Sequence {
				out[i] = a
			}
			continue
		}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	return out
}

// incidentAnnotation is the annotation of incident label made of alerts (at
// least one): a region from the earliest onset to the latest end, or while
// any spike fires to the latest update seen.
func incidentAnnotation(label string, alerts []Alert) *gapi.Annotation {
	spikes := make([]incident.Spike, len(alerts))
	names := map[string]string{}
	start, end := alerts[0].StartsAt, alerts[0].StartsAt
	for i, a := range alerts {
		spikes[i] = a.Spike()
		names[a.Evidence.Feature] = cmp.Or(a.Evidence.FeatureName, a.Evidence.Feature)
		if a.StartsAt.Before(start) {
			start = a.StartsAt
		}
		last := a.UpdatedAt
		if a.State == StateResolved && !a.EndsAt.IsZero() {
			last = a.EndsAt
		}
		if last.After(end) {
			end = last
		}
	}
	in := incident.Combine(spikes)
	tags := []string{IncidentTag, "incident:" + label, "priority:" + PriorityLabel(in.Priority)}
	featureNames := make([]string, len(in.Features))
	for i, f := range in.Features {
		tags = append(tags, "feature:"+f)
		featureNames[i] = names[f]
	}
	status := "ended"
	if in.Ongoing() {
		status = "open"
	}
	// Grafana renders annotation text as HTML: everything taken from an
	// alert is escaped.
	text := html.EscapeString(in.Title) + "<br>" +
		html.EscapeString(fmt.Sprintf("features: %s; worst priority %s; %s",
			strings.Join(featureNames, ", "), PriorityLabel(in.Priority), status))
	return &gapi.Annotation{
		Time:     start.UnixMilli(),
		TimeEnd:  end.UnixMilli(),
		IsRegion: true,
		Tags:     tags,
		Text:     text,
	}
}
