// Package spikes serves the spike history over HTTP for the PR and IT
// teams: a filtered, paginated list of spikes, one spike with its evidence,
// sample posts, lifecycle, deliveries, notes and a timeline of the matrix
// around it, a CSV export, notes, the feature taxonomy in use, and the
// OpenAPI document of the whole /api/v1.
//
// Scope: parsing and validating requests (a 400 names the bad parameter)
// and shaping the history for people and pages. Non-goals: routing (the
// handler's methods are mounted at their rows of api.Table), storage (package
// alert keeps the history, impactmatrix the counts), access control
// (package auth wraps these handlers; they only read the principal it
// attaches, to name a note's author) and serving the matrix itself (package
// api).
package spikes

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/socialpulse/socialpulse/api"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

// History reads and annotates the spike history; *alert.Outbox is one.
type History interface {
	List(ctx context.Context, q alert.Query) ([]alert.Alert, string, error)
	Get(ctx context.Context, id string) (alert.Record, error)
	AddNote(ctx context.Context, id string, n alert.Note) error
}

// Matrix reads the counts and samples around a spike; *impactmatrix.Store
// is one.
type Matrix interface {
	Series(ctx context.Context, from, to time.Time) (*impactmatrix.Buckets, error)
	Samples(ctx context.Context, feature string, c impactmatrix.Class, n int) ([]impactmatrix.Sample, error)
	Bucket() time.Duration
}

// Options configure a Handler.
type Options struct {
	History History
	Matrix  Matrix
	// Taxonomy returns the tagger in use (it changes on reload).
	Taxonomy func() *feature.Tagger
	// Logger logs store failures; nil discards.
	Logger *zap.Logger
	// Now is the clock. Default: time.Now.
	Now func() time.Time
}

// Limits on requests and responses.
const (
	// MaxPageSize is the largest limit of one list page.
	MaxPageSize = 500
	// DefaultPageSize is a list page's size without limit.
	DefaultPageSize = 50
	// MaxExportRows bounds one CSV export (and is its default limit).
	MaxExportRows = 10000
	// MaxNoteRunes and MaxAuthorRunes bound a note's text and author.
	MaxNoteRunes   = 2000
	MaxAuthorRunes = 64
	// MaxQueryRunes bounds the text search q.
	MaxQueryRunes = 200
	// maxNoteBody bounds a note request's body.
	maxNoteBody = 64 << 10
	// timelineMargin is how much matrix history a spike's timeline shows
	// before its start and after its end.
	timelineMargin = time.Hour
	// maxTimelineSpan bounds the matrix read for one timeline (fine
	// buckets); maxTimelinePoints bounds the points returned (buckets are
	// merged to fit).
	maxTimelineSpan   = 48 * time.Hour
	maxTimelinePoints = 360
	// maxSamples is how many sample posts a spike's detail shows.
	maxSamples = 20
)

// Handler serves the spike history. It is safe for concurrent use.
type Handler struct {
	o   Options
	log *zap.Logger
}

// New returns a Handler.
func New(o Options) (*Handler, error) {
	if o.History == nil || o.Matrix == nil || o.Taxonomy == nil {
		return nil, errors.New("spikes: history, matrix and taxonomy are required")
	}
	if o.Matrix.Bucket() <= 0 {
		return nil, errors.New("spikes: matrix bucket must be positive")
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Handler{o: o, log: o.Logger}, nil
}

// query decodes the request's query string, refusing what
// (*url.URL).Query would silently drop (see api.ParseQuery).
func query(r *http.Request) (url.Values, *api.ParamError) { return api.ParseQuery(r.URL.RawQuery) }

// unavailable answers a store failure: logged here, a 503 to the client.
func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.Warn("spike history read failed", zap.String("path", r.URL.Path), zap.String("what", what), zap.Error(err))
	api.WriteError(w, http.StatusServiceUnavailable, what+" unavailable: the store could not be read")
}
