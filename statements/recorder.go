package statements

import (
	"cmp"
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/incident"
)

// Post is a post of one of the brand's accounts. Its strings must not alias
// a decoder buffer (post.Post.Clone).
type Post struct {
	ID       string
	Platform string
	Handle   string
	Text     string
	URL      string
	// Time is the post's event time, which the incident is looked up at.
	Time time.Time
}

// History reads the spike history and keeps milestones; *alert.Outbox is
// one.
type History interface {
	List(ctx context.Context, q alert.Query) ([]alert.Alert, string, error)
	AddMilestoneOnce(ctx context.Context, id string, m alert.Milestone, key string) (bool, error)
}

// Options configure a Recorder.
type Options struct {
	History History
	Handles *Handles
	// Group configures how spikes join incidents; it should be the
	// incidents API's (default join gap 15m).
	Group incident.GroupOptions
	// Annotator, when set, is told of every statement recorded (best
	// effort; *alert.GrafanaAnnotation is one).
	Annotator interface {
		AnnotateMilestone(ctx context.Context, incident string, m alert.Milestone) (int64, error)
	}
	// Timeout bounds one Record call. Default: 5s.
	Timeout time.Duration
	// Logger logs what is recorded and what fails; nil discards.
	Logger *zap.Logger
}

// Limits.
const (
	// Span is how far before a post the history is read for the incident
	// open at its time (the incidents API's incidents.MaxIncidentSpan).
	Span = 48 * time.Hour
	// MaxTextRunes is how much of a post's text the milestone keeps (the
	// API's limit on a milestone's text).
	MaxTextRunes = 2000
	// maxPages bounds the history read for one post (500 spikes a page).
	maxPages = 10
)

// Recorder records brand posts as statement milestones. It is safe for
// concurrent use.
type Recorder struct {
	o   Options
	log *zap.Logger
}

// NewRecorder returns a Recorder.
func NewRecorder(o Options) (*Recorder, error) {
	if o.History == nil {
		return nil, errors.New("statements: history is required")
	}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return &Recorder{o: o, log: o.Logger}, nil
}

// Match reports whether handle is one of the brand's; it allocates nothing.
func (r *Recorder) Match(handle string) bool { return r.o.Handles.Match(handle) }

// Outcome is what Record did with one post.
type Outcome string

// Outcomes.
const (
	Recorded   Outcome = "recorded"    // a new statement milestone
	Duplicate  Outcome = "duplicate"   // the post was recorded before
	NoIncident Outcome = "no_incident" // no incident was open at its time
	Failed     Outcome = "failed"      // the history could not be read or written
)

// Record records each post as a statement milestone on the incident open at
// its time, if any, and returns what it did with each. It is best effort:
// failures are logged and reported as Failed, never returned, so that a
// history outage does not hold the stream. The whole call is bounded by
// Options.Timeout.
func (r *Recorder) Record(ctx context.Context, posts []Post) []Outcome {
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	out := make([]Outcome, len(posts))
	for i, p := range posts {
		out[i] = r.record(ctx, p)
	}
	return out
}

func (r *Recorder) record(ctx context.Context, p Post) Outcome {
	log := r.log.With(zap.String("post", p.ID), zap.String("handle", p.Handle), zap.Time("time", p.Time))
	spikes, labels, err := r.spikes(ctx, p.Time.Add(-Span), p.Time)
	if err != nil {
		log.Warn("brand post not recorded as a statement: the spike history could not be read", zap.Error(err))
		return Failed
	}
	in, ok := incident.OpenAt(incident.Group(spikes, r.o.Group), p.Time)
	if !ok {
		log.Debug("brand post outside any open incident")
		return NoIncident
	}
	m := alert.Milestone{Type: string(incident.Statement), Author: p.Handle, Text: clipRunes(p.Text, MaxTextRunes),
		Time: p.Time.UTC(), Source: alert.SourceBrandPost, Post: p.ID, URL: p.URL}
	added, err := r.o.History.AddMilestoneOnce(ctx, in.ID, m, Key(p))
	switch {
	case err != nil:
		log.Warn("brand post not recorded as a statement", zap.String("incident", in.ID), zap.Error(err))
		return Failed
	case !added:
		return Duplicate
	}
	log.Info("brand post recorded as a statement milestone", zap.String("incident", in.ID))
	if r.o.Annotator != nil {
		label := cmp.Or(labels[in.ID], in.ID) // as the spike annotations are tagged
		if _, err := r.o.Annotator.AnnotateMilestone(ctx, label, m); err != nil {
			log.Warn("statement not annotated", zap.String("incident", in.ID), zap.Error(err))
		}
	}
	return Recorded
}

// Key is the idempotency key of a brand post's milestone: the platform and
// the post id.
func Key(p Post) string { return "brand_post:" + p.Platform + ":" + p.ID }

// spikes returns the spikes with onsets in [from, to] as incident spikes,
// and the incident label of each that has one.
func (r *Recorder) spikes(ctx context.Context, from, to time.Time) ([]incident.Spike, map[string]string, error) {
	var out []incident.Spike
	labels := map[string]string{}
	cursor := ""
	for range maxPages {
		page, next, err := r.o.History.List(ctx, alert.Query{From: from, To: to.Add(time.Nanosecond), Order: "asc", Limit: 500, Cursor: cursor})
		if err != nil {
			return nil, nil, err
		}
		for _, a := range page {
			if a.Kind != "" && a.Kind != alert.KindNegativeSurge {
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

// clipRunes cuts s to at most n runes.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
