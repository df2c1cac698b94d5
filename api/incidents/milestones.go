package incidents

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/incident"
)

// MilestoneInput is the body of POST /api/v1/incidents/{id}/milestones.
type MilestoneInput struct {
	// Type is one of incident.MilestoneTypes; default "note".
	Type string `json:"type"`
	// Text is required for a note.
	Text   string `json:"text"`
	Author string `json:"author"`
	// Time is when it happened (RFC 3339), for a statement posted before
	// it is recorded; default now. It must not be in the future.
	Time string `json:"time"`
}

// anonymous is the author of a milestone sent to an open API without a
// token or an author.
const anonymous = "anonymous"

// clockSkew is how far in the future a milestone's time may be.
const clockSkew = time.Minute

// AddMilestone serves POST /api/v1/incidents/{id}/milestones: records a milestone.
func (h *Handler) AddMilestone(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		api.BadRequest(w, "id", badID)
		return
	}
	body, ok := api.ReadJSONBody(w, r, maxBody)
	if !ok {
		return
	}
	now := h.o.Now().UTC()
	m, perr := parseMilestone(body, now)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	if p, ok := auth.FromContext(r.Context()); ok {
		switch {
		case m.Author == "":
			m.Author = p.Name
		case m.Author != p.Name:
			m.Author += " (via " + p.Name + ")" // the ledger keeps who really wrote it
		}
	}
	if m.Author == "" {
		m.Author = anonymous
	}
	err := h.o.History.AddMilestone(r.Context(), id, m)
	if errors.Is(err, alert.ErrNotFound) {
		api.WriteError(w, http.StatusNotFound, "incident "+api.Quote(id)+" not found (no spike has this id, or it expired)")
		return
	}
	if err != nil {
		h.unavailable(w, r, "spike history", err)
		return
	}
	m.Spike = id
	h.annotate(r.Context(), id, m)
	w.Header().Set("Location", "/api/v1/incidents/"+id)
	api.WriteJSON(w, http.StatusCreated, struct {
		Milestone alert.Milestone `json:"milestone"`
	}{m})
}

// parseMilestone decodes and checks a milestone; errors name the field.
func parseMilestone(body []byte, now time.Time) (alert.Milestone, *api.ParamError) {
	var in MilestoneInput
	bad := func(param, msg string) (alert.Milestone, *api.ParamError) {
		return alert.Milestone{}, &api.ParamError{Param: param, Msg: msg}
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return bad(strings.Trim(f, `"`), "unknown field (want type, text, author and time)")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return bad(te.Field, "want a string")
		}
		return bad("body", `want a JSON object {"type": ..., "text": ..., "author": ..., "time": ...}`)
	}
	if dec.More() {
		return bad("body", "want a single JSON object")
	}
	m := alert.Milestone{Type: strings.TrimSpace(in.Type), Text: strings.TrimSpace(in.Text),
		Author: strings.TrimSpace(in.Author), Time: now}
	if m.Type == "" {
		m.Type = string(incident.Note)
	}
	if !incident.MilestoneType(m.Type).Valid() {
		return bad("type", "want one of acknowledged, statement, status_page, fix_deployed, resolved, note")
	}
	switch n := utf8.RuneCountInString(m.Text); {
	case n == 0 && m.Type == string(incident.Note):
		return bad("text", "is required for a note")
	case n > MaxTextRunes:
		return bad("text", "is too long: at most 2000 characters")
	case strings.ContainsFunc(m.Text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return bad("text", "must not contain control characters other than newlines and tabs")
	case strings.ContainsFunc(m.Text, api.IsBidiOverride):
		return bad("text", "must not contain bidirectional override or isolate characters (U+202A..U+202E, U+2066..U+2069)")
	}
	if utf8.RuneCountInString(m.Author) > MaxAuthorRunes {
		return bad("author", "is too long: at most 64 characters")
	}
	if strings.ContainsFunc(m.Author, func(r rune) bool { return unicode.IsControl(r) || api.IsBidiOverride(r) }) {
		return bad("author", "must not contain control characters or bidirectional overrides")
	}
	if in.Time != "" {
		t, err := time.Parse(time.RFC3339, in.Time)
		if err != nil {
			return bad("time", "want an RFC 3339 time such as 2026-03-02T10:00:00Z")
		}
		if t.After(now.Add(clockSkew)) {
			return bad("time", "is in the future")
		}
		m.Time = t.UTC()
	}
	return m, nil
}

// annotate tells the annotator of milestone m, recorded on spike id, under
// the incident label the spike carries (its own id if none).
func (h *Handler) annotate(ctx context.Context, id string, m alert.Milestone) {
	if h.o.Annotator == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, annotateTimeout)
	defer cancel()
	label := id
	if rec, err := h.o.History.Get(ctx, id); err == nil && rec.Alert.Incident != "" {
		label = rec.Alert.Incident
	}
	if _, err := h.o.Annotator.AnnotateMilestone(ctx, label, m); err != nil {
		h.log.Warn("milestone not annotated", zap.String("spike", id), zap.Error(err))
	}
}
