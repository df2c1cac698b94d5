// Package grafanatest is an in-memory stand-in for the parts of Grafana's
// HTTP API that "socialpulse dashboards push" uses: folders, data sources,
// dashboards (/api/dashboards/db and /api/dashboards/uid) and search, and of
// the annotation API that alerting uses (/api/annotations). It
// records every request, and it answers and validates them as Grafana's
// documented API does (https://grafana.com/docs/grafana/latest/developers/http_api/):
// required fields, uid rules, 404 for missing objects, 409/412 for
// conflicts, a version bump on every dashboard save.
//
// It is meant for tests; it keeps everything in memory and has no
// permissions beyond a single bearer token.
package grafanatest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Request is one recorded request.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   []byte
	// Authorized is whether the request carried the expected token.
	Authorized bool
}

// IsWrite reports whether the request changes state.
func (r Request) IsWrite() bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

// Folder is a stored folder.
type Folder struct {
	ID      int64  `json:"id"`
	UID     string `json:"uid"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Version int64  `json:"version"`
}

// StoredDashboard is a stored dashboard: its model as saved (with id, uid
// and version set by the server) and its folder.
type StoredDashboard struct {
	Model     map[string]any
	FolderUID string
	Version   int64
}

// Server is the fake Grafana. Create it with New.
type Server struct {
	*httptest.Server
	token string

	mu          sync.Mutex
	requests    []Request
	folders     map[string]*Folder
	datasources map[string]map[string]any // by uid
	dashboards  map[string]*StoredDashboard
	annotations map[int64]*Annotation
	nextID      int64
}

// New starts a server that accepts requests bearing token ("" accepts
// requests without one). Close it when done.
func New(token string) *Server {
	s := &Server{token: token, folders: map[string]*Folder{}, datasources: map[string]map[string]any{},
		dashboards: map[string]*StoredDashboard{}, annotations: map[int64]*Annotation{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/folders/{uid}", s.getFolder)
	mux.HandleFunc("POST /api/folders", s.createFolder)
	mux.HandleFunc("PUT /api/folders/{uid}", s.updateFolder)
	mux.HandleFunc("GET /api/datasources/uid/{uid}", s.getDatasource)
	mux.HandleFunc("POST /api/datasources", s.createDatasource)
	mux.HandleFunc("GET /api/search", s.search)
	mux.HandleFunc("GET /api/dashboards/uid/{uid}", s.getDashboard)
	mux.HandleFunc("POST /api/dashboards/db", s.saveDashboard)
	s.annotationRoutes(mux)
	s.Server = httptest.NewServer(s.record(mux))
	return s
}

func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			reply(w, http.StatusBadRequest, msg("unreadable body"))
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		authorized := s.token == "" || r.Header.Get("Authorization") == "Bearer "+s.token
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body, Authorized: authorized})
		s.mu.Unlock()
		if !authorized {
			reply(w, http.StatusUnauthorized, msg("Unauthorized"))
			return
		}
		if r.Method != http.MethodGet && r.Header.Get("Content-Type") != "application/json" {
			reply(w, http.StatusUnsupportedMediaType, msg("want Content-Type: application/json"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Writes returns the requests that change state.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.IsWrite() {
			out = append(out, r)
		}
	}
	return out
}

// Reset forgets the recorded requests (the stored objects stay).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// Folder returns the stored folder with uid.
func (s *Server) Folder(uid string) (Folder, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.folders[uid]
	if !ok {
		return Folder{}, false
	}
	return *f, true
}

// Datasource returns the stored data source with uid, as Grafana returns it.
func (s *Server) Datasource(uid string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.datasources[uid]
	return maps.Clone(d), ok
}

// Dashboard returns the stored dashboard with uid.
func (s *Server) Dashboard(uid string) (StoredDashboard, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.dashboards[uid]
	if !ok {
		return StoredDashboard{}, false
	}
	return StoredDashboard{Model: deepCopy(d.Model), FolderUID: d.FolderUID, Version: d.Version}, true
}

// EditDashboard changes a stored dashboard as a user saving it in the UI
// would, bumping its version.
func (s *Server) EditDashboard(uid string, edit func(model map[string]any)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.dashboards[uid]
	edit(d.Model)
	d.Version++
	d.Model["version"] = float64(d.Version)
}

// SetFolderTitle renames a stored folder as a user would.
func (s *Server) SetFolderTitle(uid, title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.folders[uid].Title = title
	s.folders[uid].Version++
}

// AddDatasource stores a data source as if created in the UI.
func (s *Server) AddDatasource(uid, name, typ, url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.datasources[uid] = map[string]any{"id": float64(s.nextID), "uid": uid, "name": name, "type": typ, "url": url, "access": "proxy"}
}

// uidPattern is Grafana's rule for folder and dashboard uids.
var uidPattern = regexp.MustCompile(`^[a-zA-Z0-9\-_]{1,40}$`)

func (s *Server) getFolder(w http.ResponseWriter, r *http.Request) {
	f, ok := s.Folder(r.PathValue("uid"))
	if !ok {
		reply(w, http.StatusNotFound, msg("folder not found"))
		return
	}
	reply(w, http.StatusOK, f)
}

// createFolder: POST /api/folders {"uid"?, "title"}.
func (s *Server) createFolder(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UID   string  `json:"uid"`
		Title *string `json:"title"`
	}
	if !decodeStrict(w, r, &body, "uid", "title", "parentUid") {
		return
	}
	if body.Title == nil || strings.TrimSpace(*body.Title) == "" {
		reply(w, http.StatusBadRequest, msg("folder title cannot be empty"))
		return
	}
	if body.UID != "" && !uidPattern.MatchString(body.UID) {
		reply(w, http.StatusBadRequest, msg("uid contains illegal characters"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.folders[body.UID]; dup {
		reply(w, http.StatusConflict, msg("a folder with the same uid already exists"))
		return
	}
	for _, f := range s.folders {
		if f.Title == *body.Title {
			reply(w, http.StatusConflict, msg("a folder or dashboard in the general folder with the same name already exists"))
			return
		}
	}
	if body.UID == "" {
		body.UID = fmt.Sprintf("generated%d", s.nextID+1)
	}
	s.nextID++
	f := &Folder{ID: s.nextID, UID: body.UID, Title: *body.Title, URL: "/dashboards/f/" + body.UID + "/", Version: 1}
	s.folders[body.UID] = f
	reply(w, http.StatusOK, f)
}

// updateFolder: PUT /api/folders/:uid {"title", "uid"?, "version"?, "overwrite"?}.
func (s *Server) updateFolder(w http.ResponseWriter, r *http.Request) {
	var body struct {
		UID       string `json:"uid"`
		Title     string `json:"title"`
		Version   *int64 `json:"version"`
		Overwrite bool   `json:"overwrite"`
	}
	if !decodeStrict(w, r, &body, "uid", "title", "version", "overwrite", "description") {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.folders[r.PathValue("uid")]
	if !ok {
		reply(w, http.StatusNotFound, msg("folder not found"))
		return
	}
	if !body.Overwrite && (body.Version == nil || *body.Version != f.Version) {
		reply(w, http.StatusConflict, msg("the folder has been changed by someone else"))
		return
	}
	if strings.TrimSpace(body.Title) == "" {
		reply(w, http.StatusBadRequest, msg("folder title cannot be empty"))
		return
	}
	if body.UID != "" && body.UID != f.UID {
		reply(w, http.StatusBadRequest, msg("this fake does not change folder uids"))
		return
	}
	f.Title = body.Title
	f.Version++
	reply(w, http.StatusOK, f)
}

func (s *Server) getDatasource(w http.ResponseWriter, r *http.Request) {
	d, ok := s.Datasource(r.PathValue("uid"))
	if !ok {
		reply(w, http.StatusNotFound, msg("Data source not found"))
		return
	}
	reply(w, http.StatusOK, d)
}

// createDatasource: POST /api/datasources {"name", "type", "url", "access", ...}.
func (s *Server) createDatasource(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if !decodeStrict(w, r, &body) {
		return
	}
	known := []string{"uid", "name", "type", "url", "access", "database", "user", "basicAuth", "basicAuthUser",
		"withCredentials", "isDefault", "jsonData", "secureJsonData", "readOnly", "orgId", "id", "version", "typeLogoUrl"}
	for k := range body {
		if !slices.Contains(known, k) {
			reply(w, http.StatusBadRequest, msg("unknown field "+k))
			return
		}
	}
	name, _ := body["name"].(string)
	typ, _ := body["type"].(string)
	access, _ := body["access"].(string)
	uid, _ := body["uid"].(string)
	switch {
	case name == "" || typ == "":
		reply(w, http.StatusBadRequest, msg("name and type are required"))
		return
	case access != "proxy" && access != "direct":
		reply(w, http.StatusBadRequest, msg("access must be proxy or direct"))
		return
	case uid != "" && !uidPattern.MatchString(uid):
		reply(w, http.StatusBadRequest, msg("invalid uid"))
		return
	}
	if id, ok := body["id"].(float64); ok && id != 0 {
		reply(w, http.StatusBadRequest, msg("id must not be set on create"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.datasources {
		if d["name"] == name {
			reply(w, http.StatusConflict, msg("data source with the same name already exists"))
			return
		}
	}
	if _, dup := s.datasources[uid]; dup {
		reply(w, http.StatusConflict, msg("data source with the same uid already exists"))
		return
	}
	if uid == "" {
		uid = fmt.Sprintf("generated%d", s.nextID+1)
	}
	s.nextID++
	stored := maps.Clone(body)
	stored["id"], stored["uid"] = float64(s.nextID), uid
	delete(stored, "secureJsonData")
	s.datasources[uid] = stored
	reply(w, http.StatusOK, map[string]any{"datasource": stored, "id": s.nextID, "message": "Datasource added", "name": name})
}

// search: GET /api/search?type=dash-db&tag=...&query=...&folderUIDs=...
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if t := q.Get("type"); t != "" && t != "dash-db" && t != "dash-folder" {
		reply(w, http.StatusBadRequest, msg("type must be dash-db or dash-folder"))
		return
	}
	out := []map[string]any{}
	if q.Get("type") == "dash-folder" {
		reply(w, http.StatusOK, out) // this fake lists dashboards only
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, uid := range slices.Sorted(maps.Keys(s.dashboards)) {
		d := s.dashboards[uid]
		tags := stringList(d.Model["tags"])
		if !containsAll(tags, q["tag"]) {
			continue
		}
		title, _ := d.Model["title"].(string)
		if qs := q.Get("query"); qs != "" && !strings.Contains(strings.ToLower(title), strings.ToLower(qs)) {
			continue
		}
		if fu := q["folderUIDs"]; len(fu) > 0 && !slices.Contains(fu, d.FolderUID) {
			continue
		}
		f := s.folders[d.FolderUID]
		item := map[string]any{"id": d.Model["id"], "uid": uid, "title": title, "uri": "db/" + slug(title),
			"url": "/d/" + uid + "/" + slug(title), "slug": "", "type": "dash-db", "tags": tags, "isStarred": false}
		if f != nil {
			item["folderId"], item["folderUid"], item["folderTitle"], item["folderUrl"] = f.ID, f.UID, f.Title, f.URL
		}
		out = append(out, item)
	}
	reply(w, http.StatusOK, out)
}

func (s *Server) getDashboard(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	uid := r.PathValue("uid")
	d, ok := s.dashboards[uid]
	if !ok {
		reply(w, http.StatusNotFound, msg("Dashboard not found"))
		return
	}
	title, _ := d.Model["title"].(string)
	meta := map[string]any{"type": "db", "canSave": true, "canEdit": true, "slug": slug(title),
		"url": "/d/" + uid + "/" + slug(title), "version": d.Version, "folderUid": d.FolderUID, "folderId": 0, "folderTitle": "General"}
	if f := s.folders[d.FolderUID]; f != nil {
		meta["folderId"], meta["folderTitle"], meta["folderUrl"] = f.ID, f.Title, f.URL
	}
	reply(w, http.StatusOK, map[string]any{"dashboard": d.Model, "meta": meta})
}

// saveDashboard: POST /api/dashboards/db {"dashboard", "folderUid"?, "folderId"?, "message"?, "overwrite"?}.
func (s *Server) saveDashboard(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Dashboard map[string]any `json:"dashboard"`
		FolderUID string         `json:"folderUid"`
		FolderID  int64          `json:"folderId"`
		Message   string         `json:"message"`
		Overwrite bool           `json:"overwrite"`
	}
	if !decodeStrict(w, r, &body, "dashboard", "folderUid", "folderId", "message", "overwrite", "meta") {
		return
	}
	m := body.Dashboard
	if m == nil {
		reply(w, http.StatusBadRequest, msg("dashboard is required"))
		return
	}
	title, _ := m["title"].(string)
	uid, _ := m["uid"].(string)
	if strings.TrimSpace(title) == "" {
		reply(w, http.StatusBadRequest, msg("Dashboard title cannot be empty"))
		return
	}
	if uid != "" && !uidPattern.MatchString(uid) {
		reply(w, http.StatusBadRequest, msg("uid contains illegal characters"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if body.FolderUID != "" {
		if _, ok := s.folders[body.FolderUID]; !ok {
			reply(w, http.StatusBadRequest, msg("folder not found"))
			return
		}
	}
	existing := s.dashboards[uid]
	if id, ok := m["id"].(float64); ok && (existing == nil || existing.Model["id"] != id) {
		reply(w, http.StatusNotFound, msg("Dashboard not found"))
		return
	}
	if existing != nil && !body.Overwrite {
		v, ok := m["version"].(float64)
		if _, hasID := m["id"].(float64); !hasID {
			reply(w, http.StatusPreconditionFailed, map[string]any{"status": "name-exists", "message": "A dashboard with the same uid already exists"})
			return
		}
		if !ok || int64(v) != existing.Version {
			reply(w, http.StatusPreconditionFailed, map[string]any{"status": "version-mismatch", "message": "The dashboard has been changed by someone else"})
			return
		}
	}
	if uid == "" {
		uid = fmt.Sprintf("generated%d", s.nextID+1)
	}
	stored := deepCopy(m)
	var id, version int64
	if existing != nil {
		id, _ = toInt(existing.Model["id"])
		version = existing.Version + 1
	} else {
		s.nextID++
		id, version = s.nextID, 1
	}
	stored["id"], stored["uid"], stored["version"] = float64(id), uid, float64(version)
	s.dashboards[uid] = &StoredDashboard{Model: stored, FolderUID: body.FolderUID, Version: version}
	reply(w, http.StatusOK, map[string]any{"id": id, "uid": uid, "url": "/d/" + uid + "/" + slug(title),
		"status": "success", "version": version, "slug": slug(title)})
}

func decodeStrict(w http.ResponseWriter, r *http.Request, v any, allowed ...string) bool {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		reply(w, http.StatusBadRequest, msg("unreadable body"))
		return false
	}
	if len(allowed) > 0 {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil {
			reply(w, http.StatusBadRequest, msg("bad request data: "+err.Error()))
			return false
		}
		for k := range fields {
			if !slices.Contains(allowed, k) {
				reply(w, http.StatusBadRequest, msg("unknown field "+k))
				return false
			}
		}
	}
	if err := json.Unmarshal(data, v); err != nil {
		reply(w, http.StatusBadRequest, msg("bad request data: "+err.Error()))
		return false
	}
	return true
}

func reply(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func msg(s string) map[string]string { return map[string]string{"message": s} }

func slug(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func toInt(v any) (int64, bool) {
	f, ok := v.(float64)
	return int64(f), ok
}

func deepCopy(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // a decoded JSON value always marshals
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
