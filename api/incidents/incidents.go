// Package incidents serves incidents over HTTP: spikes whose episodes
// overlap, grouped into one incident each (package incident), with their
// milestones and their response and recovery measures read from the matrix.
//
// Incidents are computed on read from the spike history: there is no
// incident store and no new write path in the detector. An incident's id is
// the id of its first spike, and any of its spikes' ids finds it.
// Milestones are kept on the record of the spike they were posted to
// (alert.Outbox.AddMilestone) and an incident shows those of all its
// spikes, so none is lost when an earlier spike joins later.
//
// Scope: parsing and validating requests (a 400 names the bad parameter),
// reading the history and the matrix, and shaping incidents for people and
// pages, including the after-care watch of a resolved incident (aftercare.go).
// Non-goals: routing (the handler's methods are mounted at their rows of
// api.Table), access control (package auth wraps these handlers;
// they only read the principal, to name a milestone's author) and grouping
// alerts in receivers (Alertmanager, Slack).
package incidents

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/incident"
)

// History reads the spike history and keeps milestones; *alert.Outbox is
// one.
type History interface {
	List(ctx context.Context, q alert.Query) ([]alert.Alert, string, error)
	Get(ctx context.Context, id string) (alert.Record, error)
	AddMilestone(ctx context.Context, id string, m alert.Milestone) error
	Milestones(ctx context.Context, ids ...string) ([]alert.Milestone, error)
}

// Matrix reads the counts of the affected features; *impactmatrix.Store is
// one.
type Matrix interface {
	Series(ctx context.Context, from, to time.Time) (*impactmatrix.Buckets, error)
	Bucket() time.Duration
	// Window sums the matrix over [from, to), for the after-care days.
	Window(ctx context.Context, from, to time.Time) (*impactmatrix.Matrix, error)
	// Expired reports whether the bucket of t is past the matrix retention.
	Expired(t time.Time) bool
	// LeaveIntent sums the leave-intent counts of features over the hours
	// starting in [from, to).
	LeaveIntent(ctx context.Context, features []string, from, to time.Time) (int64, error)
}

// MilestoneAnnotator marks milestones elsewhere, such as Grafana
// (*alert.GrafanaAnnotation).
type MilestoneAnnotator interface {
	AnnotateMilestone(ctx context.Context, incident string, m alert.Milestone) (int64, error)
}

// annotateTimeout bounds marking a milestone in Grafana, which a request
// that recorded one waits for.
const annotateTimeout = 3 * time.Second

// Options configure a Handler.
type Options struct {
	History History
	Matrix  Matrix
	// Group configures how spikes join incidents (default join gap 15m).
	Group incident.GroupOptions
	// Measure configures the measures (band, recovery hold, before/after
	// window of 30m).
	Measure incident.MeasureOptions
	// Annotator, when set, is told of every milestone recorded through the
	// API (best effort: a failure is logged, the milestone is kept).
	Annotator MilestoneAnnotator
	// AfterCare configures the after-care watch (period, default 30 days).
	AfterCare incident.AfterCareOptions
	// BaselineSpan is how much history before an incident's start its
	// baseline is computed from. Default: DefaultBaselineSpan.
	BaselineSpan time.Duration
	// Logger logs store failures; nil discards.
	Logger *zap.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// Defaults and limits.
const (
	// DefaultBaselineSpan is the history before an incident's start that
	// its baseline is computed from.
	DefaultBaselineSpan = 3 * time.Hour
	// DefaultListSpan is the range a list covers without from.
	DefaultListSpan = 7 * 24 * time.Hour
	// MaxListSpan bounds to - from of a list.
	MaxListSpan = 31 * 24 * time.Hour
	// MaxIncidentSpan is how far from a spike the history is read to find
	// the rest of its incident, each way; an incident longer than this is
	// cut.
	MaxIncidentSpan = 48 * time.Hour
	// maxSpikes bounds the spikes one request groups.
	maxSpikes = 5000
	// maxMemberReads bounds the spike records one detail reads.
	maxMemberReads = 50
	// maxPoints bounds a timeline's points (buckets are merged to fit).
	maxPoints = 360
	// maxSamples is how many representative posts a detail shows.
	maxSamples = 10
	// margin is how much of the series a detail shows before the start and
	// after the end (or the last milestone's after window).
	margin = 30 * time.Minute
	// Bounds on a milestone.
	MaxTextRunes   = 2000
	MaxAuthorRunes = 64
	maxBody        = 64 << 10
)

// Handler serves incidents. It is safe for concurrent use.
type Handler struct {
	o   Options
	log *zap.Logger
}

// New returns a Handler.
func New(o Options) (*Handler, error) {
	if o.History == nil || o.Matrix == nil {
		return nil, errors.New("incidents: history and matrix are required")
	}
	if o.Matrix.Bucket() <= 0 {
		return nil, errors.New("incidents: matrix bucket must be positive")
	}
	if o.BaselineSpan == 0 {
		o.BaselineSpan = DefaultBaselineSpan
	}
	if o.BaselineSpan < 0 {
		return nil, errors.New("incidents: baseline span must not be negative")
	}
	if err := o.Measure.Validate(); err != nil {
		return nil, err
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{o: o, log: o.Logger}, nil
}

// unavailable answers a store failure: logged here, a 503 to the client.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.Warn("incident read failed", zap.String("path", r.URL.Path), zap.String("what", what), zap.Error(err))
	api.WriteError(w, http.StatusServiceUnavailable, what+" unavailable: the store could not be read")
}
