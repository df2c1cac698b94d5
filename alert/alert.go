package alert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// State is where an alert is in its lifecycle.
type State string

// Alert states.
const (
	StateFiring   State = "firing"
	StateResolved State = "resolved"
)

// KindNegativeSurge is the kind of alert raised when negative posts about a
// feature surge over their baseline.
const KindNegativeSurge = "negative_surge"

// Sample is one post quoted as evidence.
type Sample struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	URL       string    `json:"url,omitempty"`
	Author    string    `json:"author,omitempty"`
	Followers int64     `json:"followers,omitempty"`
	Time      time.Time `json:"time"`
	// Count is how many near-identical posts (copies, retweets, one
	// template) this sample stands for; 0 or 1 means itself only.
	Count int `json:"count,omitempty"`
	// Inferred is set when no term of the feature matched the post and the
	// fallback model (taxonomy.fallback_model) tagged it.
	Inferred bool `json:"inferred,omitempty"`
}

// Evidence is what an alert says about its spike, so that the team receiving
// it can act without opening another tool.
type Evidence struct {
	Feature     string `json:"feature"`
	FeatureName string `json:"featureName,omitempty"`
	Owner       string `json:"owner,omitempty"`
	Criticality int    `json:"criticality,omitempty"`

	// Window is the detection window; Current and Baseline are the counts in
	// it. ChangePct is the change over baseline: +300 means 4x.
	Window    time.Duration `json:"window"`
	Current   float64       `json:"current"`
	Baseline  float64       `json:"baseline"`
	ChangePct float64       `json:"changePct"`

	PValue        float64 `json:"pValue"`
	Score         float64 `json:"score"`
	NegativeShare float64 `json:"negativeShare"`
	Reach         float64 `json:"reach"`
	// DistinctAuthors is how many different authors wrote the negative
	// mentions in the window (a HyperLogLog estimate; exact for small
	// counts). 0 in alerts from before it was counted.
	DistinctAuthors int64 `json:"distinctAuthors"`

	TopWords []string `json:"topWords,omitempty"`
	Samples  []Sample `json:"samples,omitempty"`

	DashboardURL string `json:"dashboardUrl,omitempty"`
	APIURL       string `json:"apiUrl,omitempty"`
}

// Alert is one version of a spike alert. The detector publishes a new
// version, with Sequence incremented, whenever the spike changes (priority,
// evidence) and once more when it resolves.
type Alert struct {
	// ID is unique per spike episode (for example Fingerprint plus the onset
	// time) and stable across its versions. It must not contain "|".
	ID string `json:"id"`
	// Fingerprint identifies feature + kind across episodes; receivers dedupe
	// on it. See Fingerprint.
	Fingerprint string `json:"fingerprint"`
	Kind        string `json:"kind"`
	State       State  `json:"state"`
	// Priority runs from 1 (most urgent) to 4.
	Priority int `json:"priority"`
	// Sequence increments on each update of the episode; starts at 1.
	Sequence int `json:"sequence"`
	// Incident is the id of the incident the spike belongs to (package
	// incident): its own ID when it opened the incident, else the incident
	// id of the spikes it joined. It is set when the spike is raised and
	// kept by every later version, so receivers group on it (Alertmanager
	// groups pages by its incident label). Empty in alerts raised before
	// incidents were labelled.
	Incident string `json:"incident,omitempty"`

	StartsAt  time.Time `json:"startsAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// EndsAt is zero while the alert fires.
	EndsAt time.Time `json:"endsAt,omitzero"`

	// Summary is one line, such as
	// "checkout: +300% negative posts vs baseline in 15m (P1)".
	Summary  string   `json:"summary"`
	Evidence Evidence `json:"evidence"`
}

// Receiver delivers alerts to one destination. Send must honour ctx (the
// Outbox bounds every call with a timeout) and may be called again with the
// same alert after a failure or a lost lease, so the destination should
// dedupe on Alert.Fingerprint or (Alert.ID, Alert.Sequence). Name is used in
// Redis keys, metric labels and logs: it must be unique within an Outbox,
// match [a-z0-9_.-]{1,64}, and never contain a secret.
type Receiver interface {
	Name() string
	Send(ctx context.Context, a Alert) error
}

// StatefulReceiver is a Receiver that keeps a small per-alert value in the
// alert's history record, such as the id a remote system assigned to it on
// the first version (the Grafana annotation id). The Outbox calls SendState
// instead of Send, passing the value the previous successful delivery of the
// same alert returned ("" at first), and stores what it returns.
type StatefulReceiver interface {
	Receiver
	SendState(ctx context.Context, a Alert, state string) (string, error)
}

// Resender is a Receiver whose destination forgets alerts that are not
// re-sent, like Alertmanager. While an alert fires, the Outbox re-queues its
// latest version for such a receiver every ResendInterval.
type Resender interface {
	Receiver
	ResendInterval() time.Duration
}

// Named returns r under another name, so that two receivers of one kind (two
// webhooks, say) can share an Outbox. Optional interfaces of r are kept.
func Named(name string, r Receiver) Receiver {
	n := named{name: name, r: r}
	_, stateful := r.(StatefulReceiver)
	_, resender := r.(Resender)
	switch {
	case stateful && resender:
		return namedBoth{namedStateful{n}}
	case stateful:
		return namedStateful{n}
	case resender:
		return namedResender{n}
	}
	return n
}

type named struct {
	name string
	r    Receiver
}

func (n named) Name() string                            { return n.name }
func (n named) Send(ctx context.Context, a Alert) error { return n.r.Send(ctx, a) }

type namedStateful struct{ named }

func (n namedStateful) SendState(ctx context.Context, a Alert, s string) (string, error) {
	return n.r.(StatefulReceiver).SendState(ctx, a, s)
}

type namedResender struct{ named }

func (n namedResender) ResendInterval() time.Duration { return n.r.(Resender).ResendInterval() }

type namedBoth struct{ namedStateful }

func (n namedBoth) ResendInterval() time.Duration { return n.r.(Resender).ResendInterval() }

// Fingerprint returns the fingerprint of an alert about feature of kind: the
// first 16 bytes of SHA-256 of "feature|kind", in hex.
func Fingerprint(feature, kind string) string {
	sum := sha256.Sum256([]byte(feature + "|" + kind))
	return hex.EncodeToString(sum[:16])
}

// EpisodeID returns an alert ID for the spike episode of fingerprint that
// began at onset: "<fingerprint>-<onset unix seconds>".
func EpisodeID(fingerprint string, onset time.Time) string {
	return fmt.Sprintf("%s-%d", fingerprint, onset.Unix())
}

// FormatSummary returns the one-line summary of an alert, such as
// "checkout: +300% negative posts vs baseline in 15m (P1)", with
// " [resolved]" appended once the alert has resolved.
func FormatSummary(a Alert) string {
	name := a.Evidence.FeatureName
	if name == "" {
		name = a.Evidence.Feature
	}
	s := fmt.Sprintf("%s: %s negative posts vs baseline in %s (%s)",
		name, formatPct(a.Evidence.ChangePct), formatWindow(a.Evidence.Window), PriorityLabel(a.Priority))
	if a.State == StateResolved {
		s += " [resolved]"
	}
	return s
}

func formatPct(p float64) string {
	if math.IsInf(p, 1) || math.IsNaN(p) {
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", p)
}

// formatWindow prints 15m rather than 15m0s, and 20s as 20s.
func formatWindow(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// PriorityLabel returns "P1".."P4" for priorities 1..4 and "P?" otherwise.
func PriorityLabel(p int) string {
	if p < 1 || p > 4 {
		return "P?"
	}
	return fmt.Sprintf("P%d", p)
}

// ErrInvalidAlert is returned (wrapped) by Publish for an alert that fails
// validation.
var ErrInvalidAlert = errors.New("alert: invalid alert")

// Validate reports the first problem that would make a an unusable alert.
func (a Alert) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidAlert, fmt.Sprintf(format, args...))
	}
	switch {
	case a.ID == "" || len(a.ID) > 256 || strings.ContainsAny(a.ID, "|\r\n"):
		return bad("id %q must be 1-256 characters without '|' or newlines", a.ID)
	case len(a.Incident) > 256 || strings.ContainsAny(a.Incident, "|\r\n"):
		return bad("alert %s has incident %q, want at most 256 characters without '|' or newlines", a.ID, a.Incident)
	case a.Fingerprint == "":
		return bad("alert %s has no fingerprint", a.ID)
	case a.State != StateFiring && a.State != StateResolved:
		return bad("alert %s has state %q", a.ID, a.State)
	case a.Priority < 1 || a.Priority > 4:
		return bad("alert %s has priority %d, want 1..4", a.ID, a.Priority)
	case a.Sequence < 1:
		return bad("alert %s has sequence %d, want >= 1", a.ID, a.Sequence)
	case a.StartsAt.IsZero():
		return bad("alert %s has no startsAt", a.ID)
	case a.Evidence.Feature == "" || strings.ContainsAny(a.Evidence.Feature, "\r\n"):
		return bad("alert %s has no feature", a.ID)
	case a.State == StateResolved && a.EndsAt.IsZero():
		return bad("resolved alert %s has no endsAt", a.ID)
	}
	return nil
}
