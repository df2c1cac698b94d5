package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// AlertmanagerAlertName is the alertname label of every alert sent to
// Alertmanager.
const AlertmanagerAlertName = "SocialpulseSpike"

// Alertmanager posts alerts to Prometheus Alertmanager's /api/v2/alerts, so
// IT keeps its own routing, grouping, silences and paging. Labels:
// alertname=SocialpulseSpike, feature, priority ("P1".."P4"), owner, kind,
// fingerprint, incident (Alert.Incident: group routes by it so that one
// incident is one page); annotations: summary, description, dashboard, api. Like
// Prometheus, it gives a firing alert an endsAt a few resend intervals
// ahead and the Outbox re-sends firing alerts every ResendInterval (it is a
// Resender), so an alert whose publisher vanished still resolves; a
// resolved alert is sent with endsAt = now.
//
// Alertmanager identifies an alert by its label set, and priority is a
// label: when an update changes the priority, the alert under the old
// priority is resolved in the same request (the previous priority is kept
// as receiver state).
type Alertmanager struct {
	url    string
	client *http.Client
	resend time.Duration
	now    func() time.Time
}

// AlertmanagerOption configures an Alertmanager receiver.
type AlertmanagerOption func(*Alertmanager)

// WithAlertmanagerClient sets the HTTP client (for TLS or auth transports).
func WithAlertmanagerClient(c *http.Client) AlertmanagerOption {
	return func(a *Alertmanager) { a.client = orDefaultClient(c) }
}

// WithResendInterval sets how often firing alerts are re-sent. Default: 1m.
func WithResendInterval(d time.Duration) AlertmanagerOption {
	return func(a *Alertmanager) { a.resend = d }
}

// NewAlertmanager returns a receiver named "alertmanager" for the
// Alertmanager at baseURL (such as "http://alertmanager:9093").
func NewAlertmanager(baseURL string, opts ...AlertmanagerOption) *Alertmanager {
	am := &Alertmanager{
		url:    strings.TrimSuffix(baseURL, "/") + "/api/v2/alerts",
		client: &http.Client{},
		resend: time.Minute,
		now:    time.Now,
	}
	for _, o := range opts {
		o(am)
	}
	return am
}

// Name returns "alertmanager".
func (am *Alertmanager) Name() string { return "alertmanager" }

// ResendInterval is how often the Outbox re-sends firing alerts.
func (am *Alertmanager) ResendInterval() time.Duration { return am.resend }

// Send posts a.
func (am *Alertmanager) Send(ctx context.Context, a Alert) error {
	_, err := am.SendState(ctx, a, "")
	return err
}

// SendState posts a; state is the priority label last sent for a.ID.
func (am *Alertmanager) SendState(ctx context.Context, a Alert, state string) (string, error) {
	now := am.now().UTC()
	encode := func(a Alert) ([]byte, error) {
		cur := NewAMAlert(a, now, 4*am.resend)
		batch := []AMAlert{cur}
		if state != "" && state != PriorityLabel(a.Priority) {
			old := cur
			old.Labels = map[string]string{}
			for k, v := range cur.Labels {
				old.Labels[k] = v
			}
			old.Labels["priority"] = state
			old.EndsAt = now
			batch = append(batch, old)
		}
		body, err := json.Marshal(batch)
		if err != nil {
			return nil, fmt.Errorf("alertmanager: encode: %w", err)
		}
		return body, nil
	}
	_, err := sendFitted(a, AlertmanagerBudget, encode, func(body []byte) error {
		return post(ctx, am.client, "alertmanager", http.MethodPost, am.url, body, nil)
	}, httpTooLarge)
	if err != nil {
		return "", err
	}
	return PriorityLabel(a.Priority), nil
}

// AMAlert is one element of the Alertmanager /api/v2/alerts request body.
type AMAlert struct {
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt,omitzero"`
	GeneratorURL string            `json:"generatorURL,omitempty"`
}

// NewAMAlert returns a as one element of the /api/v2/alerts body at
// time now: a firing alert ends at now+ttl unless re-sent, a resolved one
// ends now.
func NewAMAlert(a Alert, now time.Time, ttl time.Duration) AMAlert {
	ev := a.Evidence
	out := AMAlert{
		Labels: map[string]string{
			"alertname":   AlertmanagerAlertName,
			"feature":     ev.Feature,
			"priority":    PriorityLabel(a.Priority),
			"owner":       ev.Owner,
			"kind":        a.Kind,
			"fingerprint": a.Fingerprint,
			"incident":    a.Incident,
		},
		Annotations: map[string]string{
			"summary":     firstNonEmpty(a.Summary, FormatSummary(a)),
			"description": describe(a),
		},
		StartsAt:     a.StartsAt.UTC(),
		GeneratorURL: ev.APIURL,
	}
	for k, v := range out.Labels {
		if v == "" { // Alertmanager rejects empty label values
			delete(out.Labels, k)
		}
	}
	if ev.DashboardURL != "" {
		out.Annotations["dashboard"] = ev.DashboardURL
	}
	if ev.APIURL != "" {
		out.Annotations["api"] = ev.APIURL
	}
	if a.State == StateResolved {
		out.EndsAt = now
	} else if ttl > 0 {
		out.EndsAt = now.Add(ttl)
	}
	return out
}

// describe renders the evidence as plain text for notification templates.
func describe(a Alert) string {
	ev := a.Evidence
	var b strings.Builder
	fmt.Fprintf(&b, "Negative posts about %s in the last %s: %.0f vs baseline %.1f (%s), p=%.2g.\n",
		firstNonEmpty(ev.FeatureName, ev.Feature), formatWindow(ev.Window), ev.Current, ev.Baseline, formatPct(ev.ChangePct), ev.PValue)
	fmt.Fprintf(&b, "Negative share %.0f%%, %d distinct authors, reach %.0f, score %.2f.\n", ev.NegativeShare*100, ev.DistinctAuthors, ev.Reach, ev.Score)
	if len(ev.TopWords) > 0 {
		fmt.Fprintf(&b, "Top words: %s.\n", strings.Join(ev.TopWords, ", "))
	}
	for i, s := range ev.Samples {
		if i == maxSlackSamples {
			break
		}
		fmt.Fprintf(&b, "- %q (%s, %d followers) %s\n", truncate(s.Text, 200), firstNonEmpty(s.Author, "unknown"), s.Followers, s.URL)
	}
	return strings.TrimSpace(b.String())
}
