package spikes

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/socialpulse/socialpulse/api"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api/auth"
)

// NoteInput is the body of POST /api/v1/spikes/{id}/notes.
type NoteInput struct {
	Text   string `json:"text"`
	Author string `json:"author"`
}

// anonymous is the author of a note sent to an open API without a token or
// an author.
const anonymous = "anonymous"

// AddNote serves POST /api/v1/spikes/{id}/notes: adds a note to a spike.
func (h *Handler) AddNote(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validID(id) {
		api.WriteParamError(w, api.BadParam("id", "want a spike id (1-256 characters without '|' or newlines)"))
		return
	}
	body, ok := api.ReadJSONBody(w, r, maxNoteBody)
	if !ok {
		return
	}
	in, perr := parseNote(body)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	n := alert.Note{Text: in.Text, Author: in.Author, Time: h.o.Now().UTC()}
	if p, ok := auth.FromContext(r.Context()); ok {
		switch {
		case n.Author == "":
			n.Author = p.Name
		case n.Author != p.Name:
			// The ledger keeps who really wrote it.
			n.Author += " (via " + p.Name + ")"
		}
	}
	if n.Author == "" {
		n.Author = anonymous
	}
	err := h.o.History.AddNote(r.Context(), id, n)
	if errors.Is(err, alert.ErrNotFound) {
		api.WriteError(w, http.StatusNotFound, "spike "+api.Quote(id)+" not found (unknown or expired)")
		return
	}
	if err != nil {
		h.unavailable(w, r, "spike history", err)
		return
	}
	w.Header().Set("Location", "/api/v1/spikes/"+id)
	api.WriteJSON(w, http.StatusCreated, struct {
		Note alert.Note `json:"note"`
	}{n})
}

// parseNote decodes and checks a note; errors name the field.
func parseNote(body []byte) (NoteInput, *api.ParamError) {
	var in NoteInput
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			f = strings.Trim(f, `"`)
			return in, api.BadParam(f, "unknown field (want text and author)")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return in, api.BadParam(te.Field, "want a string")
		}
		return in, api.BadParam("body", "want a JSON object {\"text\": ..., \"author\": ...}")
	}
	if dec.More() {
		return in, api.BadParam("body", "want a single JSON object")
	}
	in.Text = strings.TrimSpace(in.Text)
	in.Author = strings.TrimSpace(in.Author)
	switch n := utf8.RuneCountInString(in.Text); {
	case n == 0:
		return in, api.BadParam("text", "is required")
	case n > MaxNoteRunes:
		return in, api.BadParam("text", "is %d characters, at most %d allowed", n, MaxNoteRunes)
	case strings.ContainsFunc(in.Text, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return in, api.BadParam("text", "must not contain control characters other than newlines and tabs")
	case strings.ContainsFunc(in.Text, api.IsBidiOverride):
		return in, api.BadParam("text", "must not contain bidirectional override or isolate characters (U+202A..U+202E, U+2066..U+2069)")
	}
	if n := utf8.RuneCountInString(in.Author); n > MaxAuthorRunes {
		return in, api.BadParam("author", "is %d characters, at most %d allowed", n, MaxAuthorRunes)
	}
	if strings.ContainsFunc(in.Author, unicode.IsControl) {
		return in, api.BadParam("author", "must not contain control characters")
	}
	if strings.ContainsFunc(in.Author, api.IsBidiOverride) {
		return in, api.BadParam("author", "must not contain bidirectional override or isolate characters (U+202A..U+202E, U+2066..U+2069)")
	}
	return in, nil
}
