package alert

import (
	"context"
	"fmt"
	"html"
	"strconv"
	"strings"

	gapi "github.com/grafana/grafana-api-golang-client"
)

// GrafanaAnnotation marks spikes on a Grafana dashboard: the first version of
// an alert creates an annotation at StartsAt tagged "socialpulse",
// "feature:<feature>", "priority:P<n>", "kind:<kind>" and, when the alert
// carries one, "incident:<incident id>"; later versions
// update its text and tags, and the resolved version turns it into a region
// ending at EndsAt. The annotation id is kept in the alert's history record
// (Record.ReceiverState["grafana"]).
//
// With WithIncidentAlerts, every version of an alert that carries an
// incident also keeps that incident's own annotation up to date (see
// IncidentTag).
type GrafanaAnnotation struct {
	c            *gapi.Client
	dashboardUID string
	incidents    func(ctx context.Context, incident string) ([]Alert, error)
}

// GrafanaOption configures a GrafanaAnnotation.
type GrafanaOption func(*GrafanaAnnotation)

// WithIncidentAlerts turns on the incident annotations: alerts returns the
// latest version of every spike alert that carries an incident id
// (Outbox.IncidentAlerts). Without it only spikes and milestones are
// annotated.
func WithIncidentAlerts(alerts func(ctx context.Context, incident string) ([]Alert, error)) GrafanaOption {
	return func(g *GrafanaAnnotation) { g.incidents = alerts }
}

// NewGrafanaAnnotation returns a receiver named "grafana" annotating the
// dashboard dashboardUID ("" for an organisation-wide annotation). The gapi
// client takes no context: give it an http.Client with a Timeout (gapi.Config
// Client) so that abandoned calls end; the Outbox stops waiting after its
// SendTimeout either way.
func NewGrafanaAnnotation(client *gapi.Client, dashboardUID string, opts ...GrafanaOption) *GrafanaAnnotation {
	g := &GrafanaAnnotation{c: client, dashboardUID: dashboardUID}
	for _, o := range opts {
		o(g)
	}
	return g
}

// Name returns "grafana".
func (g *GrafanaAnnotation) Name() string { return "grafana" }

// Send creates an annotation for a (a region if a is resolved).
func (g *GrafanaAnnotation) Send(ctx context.Context, a Alert) error {
	_, err := g.SendState(ctx, a, "")
	return err
}

// SendState creates the annotation when state (its id) is empty and updates
// it otherwise. It returns the annotation id. When a carries an incident and
// WithIncidentAlerts is set, it first brings the incident's annotation up to
// date (AnnotateIncident), so that a failure there is retried with the
// whole delivery before the spike's annotation id is handed back.
func (g *GrafanaAnnotation) SendState(ctx context.Context, a Alert, state string) (string, error) {
	if a.Incident != "" && g.incidents != nil {
		if _, err := g.AnnotateIncident(ctx, a); err != nil {
			return "", err
		}
	}
	ann := &gapi.Annotation{
		DashboardUID: g.dashboardUID,
		Time:         a.StartsAt.UnixMilli(),
		Tags: []string{"socialpulse", "feature:" + a.Evidence.Feature,
			"priority:" + PriorityLabel(a.Priority), "kind:" + a.Kind},
		Text: grafanaText(a),
	}
	if a.Incident != "" {
		ann.Tags = append(ann.Tags, "incident:"+a.Incident)
	}
	if a.State == StateResolved {
		ann.TimeEnd = a.EndsAt.UnixMilli()
		ann.IsRegion = true
	}
	type result struct {
		id  string
		err error
	}
	done := make(chan result, 1) // the call may outlive ctx; it must not block
	go func() {
		if state == "" {
			id, err := g.c.NewAnnotation(ann)
			done <- result{strconv.FormatInt(id, 10), err}
			return
		}
		id, err := strconv.ParseInt(state, 10, 64)
		if err != nil {
			done <- result{"", fmt.Errorf("bad annotation id %q: %w", state, err)}
			return
		}
		_, err = g.c.PatchAnnotation(id, ann)
		done <- result{state, err}
	}()
	select {
	case <-ctx.Done():
		return "", fmt.Errorf("grafana: %w", ctx.Err())
	case r := <-done:
		if r.err != nil {
			return "", fmt.Errorf("grafana: annotate %s: %w", a.ID, redactURL(r.err))
		}
		return r.id, nil
	}
}

// MilestoneTag is on every milestone annotation (and not on spike
// annotations, which carry "socialpulse"), so a dashboard can show
// milestones as an annotation query of their own.
const MilestoneTag = "socialpulse-milestone"

// AnnotateMilestone marks milestone m of incident (its id) on the
// dashboard: an annotation at m.Time tagged MilestoneTag, "incident:<id>"
// and "milestone:<type>", whose text is the type, author and text, HTML
// escaped (Grafana renders annotation text as HTML, and a statement
// recorded from a post is customer-visible text). It returns the
// annotation's id.
func (g *GrafanaAnnotation) AnnotateMilestone(ctx context.Context, incident string, m Milestone) (int64, error) {
	text := html.EscapeString(m.Type + " by " + m.Author)
	if m.Source == SourceBrandPost {
		text += " (brand post)"
	}
	if m.Text != "" {
		text += ": " + html.EscapeString(clip(oneLine(m.Text), 500))
	}
	ann := &gapi.Annotation{
		DashboardUID: g.dashboardUID,
		Time:         m.Time.UnixMilli(),
		Tags:         []string{MilestoneTag, "incident:" + incident, "milestone:" + m.Type},
		Text:         text,
	}
	type result struct {
		id  int64
		err error
	}
	done := make(chan result, 1) // the call may outlive ctx; it must not block
	go func() {
		id, err := g.c.NewAnnotation(ann)
		done <- result{id, err}
	}()
	select {
	case <-ctx.Done():
		return 0, fmt.Errorf("grafana: %w", ctx.Err())
	case r := <-done:
		if r.err != nil {
			return 0, fmt.Errorf("grafana: annotate milestone of %s: %w", incident, redactURL(r.err))
		}
		return r.id, nil
	}
}

func grafanaText(a Alert) string {
	var b strings.Builder
	b.WriteString(firstNonEmpty(a.Summary, FormatSummary(a)))
	if a.Evidence.APIURL != "" {
		fmt.Fprintf(&b, ` <a href="%s">spike</a>`, a.Evidence.APIURL)
	}
	return b.String()
}
