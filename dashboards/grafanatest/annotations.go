package grafanatest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
)

// Annotation is a stored annotation, as GET /api/annotations returns it
// (the fields socialpulse reads and writes).
type Annotation struct {
	ID           int64    `json:"id"`
	DashboardUID string   `json:"dashboardUID"`
	PanelID      int64    `json:"panelId"`
	Time         int64    `json:"time"`
	TimeEnd      int64    `json:"timeEnd"`
	Text         string   `json:"text"`
	Tags         []string `json:"tags"`
}

// annotationFields are the fields the annotation endpoints accept: those
// of Grafana's create and patch commands and the read-only ones a client
// sends back (grafana-api-golang-client marshals its whole Annotation).
var annotationFields = []string{"id", "alertId", "dashboardId", "dashboardUID", "panelId", "userId", "userName",
	"newState", "prevState", "time", "timeEnd", "text", "metric", "regionId", "type", "tags", "isRegion", "data"}

func (s *Server) annotationRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/annotations", s.findAnnotations)
	mux.HandleFunc("POST /api/annotations", s.createAnnotation)
	mux.HandleFunc("PATCH /api/annotations/{id}", s.patchAnnotation)
	mux.HandleFunc("PUT /api/annotations/{id}", s.updateAnnotation)
	mux.HandleFunc("DELETE /api/annotations/{id}", s.deleteAnnotation)
}

// Annotations returns the stored annotations in id order.
func (s *Server) Annotations() []Annotation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Annotation, 0, len(s.annotations))
	for _, a := range s.annotations {
		c := *a
		c.Tags = slices.Clone(a.Tags)
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Annotation) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// findAnnotations: GET /api/annotations?tags=...&matchAny=...&dashboardUID=...&from=...&to=...&limit=...&type=...
// Every tag must match unless matchAny=true; from and to (epoch ms) keep
// annotations overlapping the range; limit defaults to 100. Newest first.
func (s *Server) findAnnotations(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := int64(100)
	var from, to int64
	for _, p := range []struct {
		name string
		v    *int64
	}{{"limit", &limit}, {"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				reply(w, http.StatusBadRequest, msg("bad "+p.name))
				return
			}
			*p.v = n
		}
	}
	if t := q.Get("type"); t != "" && t != "annotation" && t != "alert" {
		reply(w, http.StatusBadRequest, msg("type must be annotation or alert"))
		return
	}
	tags, matchAny := q["tags"], q.Get("matchAny") == "true"
	out := []Annotation{}
	for _, a := range s.Annotations() {
		switch {
		case q.Get("type") == "alert": // this fake stores no alert annotations
			continue
		case q.Get("dashboardUID") != "" && a.DashboardUID != q.Get("dashboardUID"):
			continue
		case len(tags) > 0 && !matchAny && !containsAll(a.Tags, tags):
			continue
		case len(tags) > 0 && matchAny && !slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(a.Tags, t) }):
			continue
		case from != 0 && max(a.Time, a.TimeEnd) < from, to != 0 && a.Time > to:
			continue
		}
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b Annotation) int { return cmp.Compare(b.Time, a.Time) })
	if int64(len(out)) > limit {
		out = out[:limit]
	}
	reply(w, http.StatusOK, out)
}

// createAnnotation: POST /api/annotations {"dashboardUID"?, "panelId"?, "time"?, "timeEnd"?, "tags"?, "text"}.
func (s *Server) createAnnotation(w http.ResponseWriter, r *http.Request) {
	var body Annotation
	if !decodeStrict(w, r, &body, annotationFields...) {
		return
	}
	if body.Text == "" {
		reply(w, http.StatusBadRequest, msg("Failed to save annotation: text field should not be empty"))
		return
	}
	if body.TimeEnd == 0 {
		body.TimeEnd = body.Time
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	body.ID = s.nextID
	body.Tags = slices.Clone(body.Tags)
	s.annotations[body.ID] = &body
	reply(w, http.StatusOK, map[string]any{"message": "Annotation added", "id": body.ID})
}

// patchAnnotation: PATCH /api/annotations/:id {"text"?, "tags"?, "time"?, "timeEnd"?}; only the fields given
// (non-zero) change.
func (s *Server) patchAnnotation(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Text    string    `json:"text"`
		Tags    *[]string `json:"tags"`
		Time    int64     `json:"time"`
		TimeEnd int64     `json:"timeEnd"`
	}
	if !decodeStrict(w, r, &body, annotationFields...) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.annotationByPath(w, r)
	if !ok {
		return
	}
	if body.Text != "" {
		a.Text = body.Text
	}
	if body.Tags != nil {
		a.Tags = slices.Clone(*body.Tags)
	}
	if body.Time > 0 {
		a.Time = body.Time
	}
	if body.TimeEnd > 0 {
		a.TimeEnd = body.TimeEnd
	}
	reply(w, http.StatusOK, msg("Annotation patched"))
}

// updateAnnotation: PUT /api/annotations/:id {"text", "tags"?, "time"?, "timeEnd"?}; replaces those fields.
func (s *Server) updateAnnotation(w http.ResponseWriter, r *http.Request) {
	var body Annotation
	if !decodeStrict(w, r, &body, annotationFields...) {
		return
	}
	if body.Text == "" {
		reply(w, http.StatusBadRequest, msg("Failed to update annotation: text field should not be empty"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.annotationByPath(w, r)
	if !ok {
		return
	}
	a.Text, a.Tags, a.Time, a.TimeEnd = body.Text, slices.Clone(body.Tags), body.Time, cmp.Or(body.TimeEnd, body.Time)
	reply(w, http.StatusOK, msg("Annotation updated"))
}

// deleteAnnotation: DELETE /api/annotations/:id.
func (s *Server) deleteAnnotation(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.annotationByPath(w, r)
	if !ok {
		return
	}
	delete(s.annotations, a.ID)
	reply(w, http.StatusOK, msg("Annotation deleted"))
}

// annotationByPath returns the annotation named by the path's id, or
// replies 404. The caller holds s.mu.
func (s *Server) annotationByPath(w http.ResponseWriter, r *http.Request) (*Annotation, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	a := s.annotations[id]
	if err != nil || a == nil {
		reply(w, http.StatusNotFound, msg("Annotation not found"))
		return nil, false
	}
	return a, true
}
