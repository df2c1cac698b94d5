package spikes

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/socialpulse/socialpulse/api"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
)

// Spike is one spike as listed: the latest version of its alert, flattened
// for tables and pages.
type Spike struct {
	ID            string      `json:"id"`
	Feature       string      `json:"feature"`
	FeatureName   string      `json:"featureName"`
	Owner         string      `json:"owner,omitempty"`
	Criticality   int         `json:"criticality,omitempty"`
	Priority      int         `json:"priority"`
	PriorityLabel string      `json:"priorityLabel"`
	State         alert.State `json:"state"`
	StartsAt      time.Time   `json:"startsAt"`
	EndsAt        time.Time   `json:"endsAt,omitzero"`
	UpdatedAt     time.Time   `json:"updatedAt"`
	Sequence      int         `json:"sequence"`
	Summary       string      `json:"summary"`
	// Window is the detection window, e.g. "15m"; Current and Baseline are
	// the negative counts in it; ChangePct is the change over baseline.
	Window        string  `json:"window"`
	Current       float64 `json:"current"`
	Baseline      float64 `json:"baseline"`
	ChangePct     float64 `json:"changePct"`
	NegativeShare float64 `json:"negativeShare"`
	// DistinctAuthors is how many different authors wrote the negative
	// posts in the window.
	DistinctAuthors int64    `json:"distinctAuthors"`
	Reach           float64  `json:"reach"`
	Score           float64  `json:"score"`
	TopWords        []string `json:"topWords"`
	SampleCount     int      `json:"sampleCount"`
}

func spikeOf(a alert.Alert) Spike {
	ev := a.Evidence
	name := ev.FeatureName
	if name == "" {
		name = ev.Feature
	}
	words := ev.TopWords
	if words == nil {
		words = []string{}
	}
	return Spike{
		ID: a.ID, Feature: ev.Feature, FeatureName: name, Owner: ev.Owner, Criticality: ev.Criticality,
		Priority: a.Priority, PriorityLabel: alert.PriorityLabel(a.Priority), State: a.State,
		StartsAt: a.StartsAt.UTC(), EndsAt: a.EndsAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(), Sequence: a.Sequence,
		Summary: a.Summary, Window: api.ShortDuration(ev.Window), Current: ev.Current, Baseline: ev.Baseline,
		ChangePct: ev.ChangePct, NegativeShare: ev.NegativeShare, DistinctAuthors: ev.DistinctAuthors, Reach: ev.Reach, Score: ev.Score,
		TopWords: words, SampleCount: len(ev.Samples),
	}
}

// SpikeList is a page of spikes. NextCursor is empty on the last page.
type SpikeList struct {
	Spikes     []Spike `json:"spikes"`
	NextCursor string  `json:"nextCursor"`
}

// Query parameters of the list and the export.
var (
	filterParams = []string{"feature", "priority", "state", "from", "to", "q"}
	listParams   = append(slices.Clone(filterParams), "cursor", "limit", "order")
)

// listRequest is a parsed list or export request.
type listRequest struct {
	q     alert.Query
	limit int
	key   string // the filters and order, to bind cursors to their query
}

// parseList parses the list parameters; maxLimit and defLimit bound limit.
func parseList(v url.Values, defLimit, maxLimit int) (listRequest, *api.ParamError) {
	for name, vals := range v {
		if !slices.Contains(listParams, name) {
			return listRequest{}, api.BadParam(name, "unknown parameter (want one of %s)", strings.Join(listParams, ", "))
		}
		if len(vals) > 1 {
			return listRequest{}, api.BadParam(name, "given %d times, want at most once", len(vals))
		}
	}
	var lr listRequest
	q := &lr.q
	if f := v.Get("feature"); f != "" {
		if !validFeature(f) {
			return lr, api.BadParam("feature", "want a feature id ([a-z0-9_], up to 64), got %s", api.Quote(f))
		}
		q.Feature = f
	}
	if p := v.Get("priority"); p != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(p), "P"))
		if err != nil || n < 1 || n > 4 {
			return lr, api.BadParam("priority", "want 1..4 or P1..P4, got %s", api.Quote(p))
		}
		q.Priority = n
	}
	switch s := alert.State(v.Get("state")); s {
	case "", alert.StateFiring, alert.StateResolved:
		q.State = s
	default:
		return lr, api.BadParam("state", "want firing or resolved, got %s", api.Quote(string(s)))
	}
	for _, b := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		s := v.Get(b.name)
		if s == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return lr, api.BadParam(b.name, "want an RFC 3339 time such as 2026-11-23T10:15:00Z, got %s", api.Quote(s))
		}
		*b.dst = t
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return lr, api.BadParam("to", "must be after from")
	}
	if text := strings.TrimSpace(v.Get("q")); text != "" {
		if !utf8.ValidString(text) || utf8.RuneCountInString(text) > MaxQueryRunes {
			return lr, api.BadParam("q", "want valid UTF-8 text of at most %d characters", MaxQueryRunes)
		}
		q.Text = text
	}
	switch o := v.Get("order"); o {
	case "", "desc":
		q.Order = "desc"
	case "asc":
		q.Order = "asc"
	default:
		return lr, api.BadParam("order", "want asc or desc, got %s", api.Quote(o))
	}
	lr.limit = defLimit
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return lr, api.BadParam("limit", "want 1..%d, got %s", maxLimit, api.Quote(s))
		}
		lr.limit = n
	}
	lr.key = queryKey(*q)
	if c := v.Get("cursor"); c != "" {
		inner, err := openCursor(c, lr.key)
		if err != nil {
			return lr, err
		}
		q.Cursor = inner
	}
	return lr, nil
}

func validFeature(f string) bool {
	if f == "" || len(f) > 64 {
		return false
	}
	for i := 0; i < len(f); i++ {
		if c := f[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// queryKey identifies a query's filters and order (not its page), so a
// cursor is refused with another query rather than skipping or repeating
// spikes silently.
func queryKey(q alert.Query) string {
	var from, to string
	if !q.From.IsZero() {
		from = strconv.FormatInt(q.From.UnixMilli(), 10)
	}
	if !q.To.IsZero() {
		to = strconv.FormatInt(q.To.UnixMilli(), 10)
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{q.Feature, strconv.Itoa(q.Priority), string(q.State),
		from, to, strings.ToLower(q.Text), q.Order}, "\x00")))
	return hex.EncodeToString(sum[:6])
}

// sealCursor wraps the history's cursor with its query's key.
func sealCursor(inner, key string) string {
	if inner == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte("1." + key + "." + inner))
}

func openCursor(c, key string) (string, *api.ParamError) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	parts := strings.SplitN(string(b), ".", 3)
	if err != nil || len(parts) != 3 || parts[0] != "1" || parts[2] == "" {
		return "", api.BadParam("cursor", "not a cursor from this API (pass nextCursor unchanged)")
	}
	if parts[1] != key {
		return "", api.BadParam("cursor", "was made for another query: keep the filters and order of the first page")
	}
	return parts[2], nil
}

// isCursorError tells a history error caused by a forged cursor from a
// store failure.
func isCursorError(err error) bool { return errors.Is(err, alert.ErrBadCursor) }

// List serves GET /api/v1/spikes: the filtered, paginated spike history.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
	v, perr := query(r)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	lr, perr := parseList(v, DefaultPageSize, MaxPageSize)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	lr.q.Limit = lr.limit
	as, next, err := h.o.History.List(r.Context(), lr.q)
	if err != nil {
		if lr.q.Cursor != "" && isCursorError(err) {
			api.WriteParamError(w, api.BadParam("cursor", "not a cursor from this API (pass nextCursor unchanged)"))
			return
		}
		h.unavailable(w, r, "spike history", err)
		return
	}
	out := SpikeList{Spikes: make([]Spike, 0, len(as)), NextCursor: sealCursor(next, lr.key)}
	for _, a := range as {
		out.Spikes = append(out.Spikes, spikeOf(a))
	}
	api.WriteJSON(w, http.StatusOK, out)
}

// csvHeader is the export's header row.
var csvHeader = []string{"id", "started_at", "ended_at", "updated_at", "feature", "feature_name", "owner",
	"priority", "state", "window", "current", "baseline", "change_pct", "negative_share", "reach",
	"summary", "top_words", "samples"}

// exportPage is how many spikes the export reads per history call.
const exportPage = 500

// Export serves GET /api/v1/spikes.csv: the same list as CSV.
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) {
	v, perr := query(r)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	lr, perr := parseList(v, MaxExportRows, MaxExportRows)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	left := lr.limit
	lr.q.Limit = min(left, exportPage)
	as, next, err := h.o.History.List(r.Context(), lr.q)
	if err != nil {
		if lr.q.Cursor != "" && isCursorError(err) {
			api.WriteParamError(w, api.BadParam("cursor", "not a cursor from this API (pass nextCursor unchanged)"))
			return
		}
		h.unavailable(w, r, "spike history", err)
		return
	}
	name := "spikes-" + h.o.Now().UTC().Format("20060102T150405Z") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader) // write errors surface in cw.Error below
	for {
		for _, a := range as {
			_ = cw.Write(csvRow(a))
		}
		left -= len(as)
		if next == "" || left <= 0 {
			break
		}
		lr.q.Cursor, lr.q.Limit = next, min(left, exportPage)
		if as, next, err = h.o.History.List(r.Context(), lr.q); err != nil {
			// The status line is gone; a cut-off file is all we can signal.
			h.log.Warn("spike export cut short: history read failed", zap.Error(err))
			break
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		h.log.Debug("spike export not fully written", zap.Error(err))
	}
}

func csvRow(a alert.Alert) []string {
	s := spikeOf(a)
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	return []string{s.ID, ts(s.StartsAt), ts(s.EndsAt), ts(s.UpdatedAt), cell(s.Feature), cell(s.FeatureName),
		cell(s.Owner), s.PriorityLabel, string(s.State), s.Window, num(s.Current), num(s.Baseline),
		strconv.FormatFloat(s.ChangePct, 'f', 1, 64), strconv.FormatFloat(s.NegativeShare, 'f', 3, 64),
		num(s.Reach), cell(s.Summary), cell(strings.Join(s.TopWords, " ")), strconv.Itoa(s.SampleCount)}
}

// cell makes a text field safe for spreadsheets: a value starting with
// = + - @ (or a tab or CR) would run as a formula when the file is opened,
// so it gets a leading apostrophe. Quoting is encoding/csv's job.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
