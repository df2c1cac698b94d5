// Package corrections serves sentiment corrections over HTTP: a post's
// label corrected by a person (POST, role write), the corrections page by
// page, and all of them as JSONL for "socialpulse sentiment adapt".
//
// Scope: parsing and validating requests (a 400 names the bad field or
// parameter). Non-goals: routing (the handler's methods are mounted at
// their rows of api.Table), storage (package correction), training (package
// sentiment) and access control (package auth wraps these handlers; they
// only read the principal, to record who corrected).
package corrections

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/sentiment"
)

// Store keeps corrections; *correction.Store is one.
type Store interface {
	Add(ctx context.Context, c correction.Correction) (correction.Correction, error)
	List(ctx context.Context, q correction.Query) ([]correction.Correction, string, error)
}

// Options configure a Handler.
type Options struct {
	Store Store
	// Logger logs store failures; nil discards.
	Logger *zap.Logger
}

// Limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
	// MaxExportRows bounds one JSONL export.
	MaxExportRows = 100000
	maxBody       = 64 << 10
	// anonymous is who corrected through an open API without a token.
	anonymous = "anonymous"
)

// Handler serves corrections. It is safe for concurrent use.
type Handler struct {
	o   Options
	log *zap.Logger
}

// New returns a Handler.
func New(o Options) (*Handler, error) {
	if o.Store == nil {
		return nil, errors.New("corrections: store is required")
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return &Handler{o: o, log: o.Logger}, nil
}

// Input is the body of POST /api/v1/corrections.
type Input struct {
	PostID   string `json:"postId"`
	Text     string `json:"text"`
	Label    string `json:"label"`
	Previous string `json:"previous"`
	Note     string `json:"note,omitempty"`
}

// Add serves POST /api/v1/corrections: records a corrected label.
func (h *Handler) Add(w http.ResponseWriter, r *http.Request) {
	body, ok := api.ReadJSONBody(w, r, maxBody)
	if !ok {
		return
	}
	c, perr := Parse(body)
	if perr != nil {
		api.BadRequest(w, perr.Field, perr.Msg)
		return
	}
	c.Who = anonymous
	if p, ok := auth.FromContext(r.Context()); ok {
		c.Who = p.Name
	}
	c, err := h.o.Store.Add(r.Context(), c)
	if fe := (*correction.FieldError)(nil); errors.As(err, &fe) {
		api.BadRequest(w, fe.Field, fe.Msg)
		return
	}
	if err != nil {
		h.unavailable(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/corrections")
	api.WriteJSON(w, http.StatusCreated, struct {
		Correction correction.Correction `json:"correction"`
	}{c})
}

// Parse decodes and checks a correction request; errors name the field.
func Parse(body []byte) (correction.Correction, *correction.FieldError) {
	var in Input
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return correction.Correction{}, &correction.FieldError{Field: strings.Trim(f, `"`),
				Msg: "unknown field (want postId, text, label, previous and note)"}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return correction.Correction{}, &correction.FieldError{Field: te.Field, Msg: "want a string"}
		}
		return correction.Correction{}, &correction.FieldError{Field: "body",
			Msg: `want a JSON object {"postId": ..., "text": ..., "label": ..., "previous": ..., "note": ...}`}
	}
	if dec.More() {
		return correction.Correction{}, &correction.FieldError{Field: "body", Msg: "want a single JSON object"}
	}
	c := correction.Correction{PostID: in.PostID, Text: in.Text, Note: strings.TrimSpace(in.Note)}
	if err := c.Label.UnmarshalText([]byte(in.Label)); err != nil || c.Label == sentiment.Unscored {
		return c, &correction.FieldError{Field: "label", Msg: "want negative, neutral or positive, got " + api.Quote(in.Label)}
	}
	if err := c.Previous.UnmarshalText([]byte(in.Previous)); err != nil {
		return c, &correction.FieldError{Field: "previous", Msg: "want negative, neutral, positive or unscored, got " + api.Quote(in.Previous)}
	}
	if fe := c.Validate(); fe != nil {
		return c, fe
	}
	return c, nil
}

// List is the body of GET /api/v1/corrections.
type List struct {
	Corrections []correction.Correction `json:"corrections"`
	// NextCursor continues the list; empty after the last page.
	NextCursor string `json:"nextCursor,omitempty"`
}

// parseParams checks the query: only names in allowed, each once.
func parseParams(w http.ResponseWriter, r *http.Request, allowed ...string) (map[string]string, bool) {
	v, perr := api.ParseQuery(r.URL.RawQuery)
	if perr != nil {
		api.WriteParamError(w, perr)
		return nil, false
	}
	out := map[string]string{}
	for name, vals := range v {
		if !slices.Contains(allowed, name) {
			api.BadRequest(w, name, "unknown parameter (want one of "+strings.Join(allowed, ", ")+")")
			return nil, false
		}
		out[name] = vals[0]
	}
	return out, true
}

// List serves GET /api/v1/corrections: the corrections page by page, newest first.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
	p, ok := parseParams(w, r, "cursor", "limit", "order")
	if !ok {
		return
	}
	q := correction.Query{Limit: DefaultPageSize, Cursor: p["cursor"]}
	if s, ok := p["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			api.BadRequest(w, "limit", "want 1.."+strconv.Itoa(MaxPageSize)+", got "+api.Quote(s))
			return
		}
		q.Limit = n
	}
	switch o := p["order"]; o {
	case "", "desc":
	case "asc":
		q.Asc = true
	default:
		api.BadRequest(w, "order", "want asc or desc, got "+api.Quote(o))
		return
	}
	cs, next, err := h.o.Store.List(r.Context(), q)
	if errors.Is(err, correction.ErrBadCursor) {
		api.BadRequest(w, "cursor", "not a cursor from this API (pass nextCursor unchanged)")
		return
	}
	if err != nil {
		h.unavailable(w, r, err)
		return
	}
	if cs == nil {
		cs = []correction.Correction{}
	}
	api.WriteJSON(w, http.StatusOK, List{Corrections: cs, NextCursor: next})
}

// Export serves GET /api/v1/corrections.jsonl: every correction, oldest
// first, one JSON object a line (at most limit, default and maximum
// MaxExportRows). The first page is read before the status is sent, so a
// store that is down gets a 503.
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) {
	p, ok := parseParams(w, r, "limit")
	if !ok {
		return
	}
	limit := MaxExportRows
	if s, ok := p["limit"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxExportRows {
			api.BadRequest(w, "limit", "want 1.."+strconv.Itoa(MaxExportRows)+", got "+api.Quote(s))
			return
		}
		limit = n
	}
	q := correction.Query{Limit: min(limit, correction.MaxLimit), Asc: true}
	cs, next, err := h.o.Store.List(r.Context(), q)
	if err != nil {
		h.unavailable(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="corrections.jsonl"`)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for left := limit; ; {
		for _, c := range cs[:min(len(cs), left)] {
			if enc.Encode(c) != nil {
				return // the client hung up
			}
		}
		left -= min(len(cs), left)
		if next == "" || left == 0 {
			break
		}
		q.Cursor, q.Limit = next, min(left, correction.MaxLimit)
		if cs, next, err = h.o.Store.List(r.Context(), q); err != nil {
			// The status is sent: end with an error line, which adapt
			// refuses, rather than a file silently cut short.
			h.log.Warn("corrections export cut short", zap.Error(err))
			_, _ = bw.WriteString("{\"error\":\"the store could not be read; export incomplete\"}\n")
			break
		}
	}
	_ = bw.Flush() // the client hung up: nothing left to tell it
}

func (h *Handler) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Warn("corrections store failed", zap.String("path", r.URL.Path), zap.Error(err))
	api.WriteError(w, http.StatusServiceUnavailable, "corrections unavailable: the store could not be read or written")
}
