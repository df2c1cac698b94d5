package emerging

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/socialpulse/socialpulse/api"
)

// Handler limits.
const (
	defaultLimit = 20
	maxLimit     = 200
)

// Handler serves GET /api/v1/emerging: the rising terms now, as
// {"generated_at", "window", "terms"}. Query parameters: limit (1-200,
// default 20) and window (a duration of whole buckets between one bucket
// and Options.Baseline; default Options.Window). A bad parameter gets a
// 400 whose body names it.
func (m *Miner) Handler() http.Handler {
	return http.HandlerFunc(m.serve)
}

type response struct {
	GeneratedAt time.Time `json:"generatedAt"`
	Window      string    `json:"window"`
	Terms       []Term    `json:"terms"`
}

func (m *Miner) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		api.WriteError(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	q, perr := api.ParseQuery(r.URL.RawQuery)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			api.BadRequest(w, "limit", fmt.Sprintf("want an integer from 1 to %d, got %q", maxLimit, clip(v)))
			return
		}
		limit = n
	}
	window := m.o.Window
	if v := q.Get("window"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < m.o.Bucket || d > m.o.Baseline || d%m.o.Bucket != 0 {
			api.BadRequest(w, "window", fmt.Sprintf("want a multiple of %s from %s to %s, got %q",
				m.o.Bucket, m.o.Bucket, m.o.Baseline, clip(v)))
			return
		}
		window = d
	}
	now := m.o.Now()
	terms := m.snapshot(now, window)
	if len(terms) > limit {
		terms = terms[:limit]
	}
	if terms == nil {
		terms = []Term{}
	}
	api.WriteJSON(w, http.StatusOK, response{GeneratedAt: now.UTC(), Window: api.ShortDuration(window), Terms: terms})
}

func clip(s string) string {
	if len(s) > 64 {
		return truncate(s, 64)
	}
	return s
}
