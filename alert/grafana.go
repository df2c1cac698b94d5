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
	id, err := grafanaCall(ctx, func() (string, error) {
		if state == "" {
			id, err := g.c.NewAnnotation(ann)
			return strconv.FormatInt(id, 10), err
		}
		id, err := strconv.ParseInt(state, 10, 64)
		if err != nil {
			return "", fmt.Errorf("bad annotation id %q: %w", state, err)
		}
		_, err = g.c.PatchAnnotation(id, ann)
		return state, err
	})
	if err != nil {
		return "", fmt.Errorf("grafana: annotate %s: %w", a.ID, err)
	}
	return id, nil
}

// grafanaCall runs call, a Grafana client call (which takes no context),
// and returns its result, or ctx's error as soon as ctx ends: the call may
// outlive ctx, so it runs on its own goroutine with a buffered channel that
// never blocks it. Errors have any URL credentials redacted.
func grafanaCall[T any](ctx context.Context, call func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()
	select {
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	case r := <-done:
		if r.err != nil {
			return r.v, redactURL(r.err)
		}
		return r.v, nil
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
	id, err := grafanaCall(ctx, func() (int64, error) { return g.c.NewAnnotation(ann) })
	if err != nil {
		return 0, fmt.Errorf("grafana: annotate milestone of %s: %w", incident, err)
	}
	return id, nil
}

func grafanaText(a Alert) string {
	var b strings.Builder
	b.WriteString(firstNonEmpty(a.Summary, FormatSummary(a)))
	if a.Evidence.APIURL != "" {
		fmt.Fprintf(&b, ` <a href="%s">spike</a>`, a.Evidence.APIURL)
	}
	return b.String()
}
