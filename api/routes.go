package api

import (
	"net/http"
	"sync"

	"github.com/socialpulse/socialpulse/api/auth"
)

// Route is one entry of the routing table: a method and a ServeMux path
// pattern, the role a token needs, and the handler.
type Route struct {
	Method  string
	Pattern string
	// Role is what a token must allow when the API requires tokens.
	// auth.RolePublic marks a route outside /api/ (the web page, health,
	// readiness, metrics), which the guard lets through.
	Role    auth.Role
	Handler http.Handler
}

// MuxPattern is the route as a ServeMux pattern, "GET /api/v1/spikes".
func (r Route) MuxPattern() string { return r.Method + " " + r.Pattern }

// SpikeEndpoints serve the spike history; *spikes.Handler is one.
type SpikeEndpoints interface {
	List(http.ResponseWriter, *http.Request)
	Export(http.ResponseWriter, *http.Request)
	Show(http.ResponseWriter, *http.Request)
	AddNote(http.ResponseWriter, *http.Request)
	Features(http.ResponseWriter, *http.Request)
	OpenAPI(http.ResponseWriter, *http.Request)
}

// IncidentEndpoints serve incidents; *incidents.Handler is one.
type IncidentEndpoints interface {
	List(http.ResponseWriter, *http.Request)
	Show(http.ResponseWriter, *http.Request)
	AddMilestone(http.ResponseWriter, *http.Request)
}

// CorrectionEndpoints serve sentiment corrections; *corrections.Handler
// is one.
type CorrectionEndpoints interface {
	Add(http.ResponseWriter, *http.Request)
	List(http.ResponseWriter, *http.Request)
	Export(http.ResponseWriter, *http.Request)
}

// Endpoints are the handlers the server mounts besides its own (health,
// readiness, metrics, the matrix). A nil field leaves its routes out.
type Endpoints struct {
	Spikes      SpikeEndpoints
	Incidents   IncidentEndpoints
	Corrections CorrectionEndpoints
	// Emerging serves GET /api/v1/emerging ((*emerging.Miner).Handler).
	Emerging http.Handler
	// Page serves the web page at / and /ui/ (webui.Handler).
	Page http.Handler
}

// table is the one routing table of the HTTP surface. With a nil server and
// no endpoints it lists every route without handlers (Table); otherwise a
// row whose component is missing has a nil Handler and is not mounted.
func table(s *Server, e Endpoints) []Route {
	const get, post = http.MethodGet, http.MethodPost
	public, read, write := auth.RolePublic, auth.RoleRead, auth.RoleWrite
	own := func(m func(*Server, http.ResponseWriter, *http.Request)) http.Handler {
		if s == nil {
			return nil
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m(s, w, r) })
	}
	return []Route{
		{get, "/healthz", public, own((*Server).healthz)},
		{get, "/readyz", public, own((*Server).readyz)},
		{get, "/metrics", public, own((*Server).metrics)},
		{get, "/{$}", public, e.Page},
		{get, "/ui/", public, e.Page},
		{get, "/api/v1/matrix", read, own((*Server).matrix)},
		{get, "/api/v1/matrix/windows", read, own((*Server).windows)},
		{get, "/api/v1/spikes", read, bind(e.Spikes, SpikeEndpoints.List)},
		{get, "/api/v1/spikes.csv", read, bind(e.Spikes, SpikeEndpoints.Export)},
		{get, "/api/v1/spikes/{id}", read, bind(e.Spikes, SpikeEndpoints.Show)},
		{post, "/api/v1/spikes/{id}/notes", write, bind(e.Spikes, SpikeEndpoints.AddNote)},
		{get, "/api/v1/features", read, bind(e.Spikes, SpikeEndpoints.Features)},
		{get, "/api/v1/openapi.json", read, bind(e.Spikes, SpikeEndpoints.OpenAPI)},
		{get, "/api/v1/incidents", read, bind(e.Incidents, IncidentEndpoints.List)},
		{get, "/api/v1/incidents/{id}", read, bind(e.Incidents, IncidentEndpoints.Show)},
		{post, "/api/v1/incidents/{id}/milestones", write, bind(e.Incidents, IncidentEndpoints.AddMilestone)},
		{post, "/api/v1/corrections", write, bind(e.Corrections, CorrectionEndpoints.Add)},
		{get, "/api/v1/corrections", read, bind(e.Corrections, CorrectionEndpoints.List)},
		{get, "/api/v1/corrections.jsonl", read, bind(e.Corrections, CorrectionEndpoints.Export)},
		{get, "/api/v1/emerging", read, e.Emerging},
	}
}

// bind makes method m of component c a handler; nil when c is missing.
func bind[T comparable](c T, m func(T, http.ResponseWriter, *http.Request)) http.Handler {
	var none T
	if c == none {
		return nil
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m(c, w, r) })
}

// Table returns every route of the HTTP surface, without handlers: the
// reference the README, the OpenAPI document and the guard's roles are
// checked against.
func Table() []Route { return table(nil, Endpoints{}) }

// Routes returns the routes of the endpoints in e that are present, with
// their handlers (not the server's own): for tests of one endpoint package.
func Routes(e Endpoints) []Route { return mounted(table(nil, e)) }

// Routes returns the routes the server mounts.
func (s *Server) Routes() []Route { return mounted(table(s, s.o.Endpoints)) }

func mounted(all []Route) []Route {
	var out []Route
	for _, r := range all {
		if r.Handler != nil {
			out = append(out, r)
		}
	}
	return out
}

// Mux returns a ServeMux serving routes.
func Mux(routes []Route) *http.ServeMux {
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r.MuxPattern(), r.Handler)
	}
	return mux
}

// roleTable finds a request's route in Table.
var roleTable = sync.OnceValues(func() (*http.ServeMux, map[string]auth.Role) {
	mux := http.NewServeMux()
	roles := map[string]auth.Role{}
	for _, r := range Table() {
		mux.Handle(r.MuxPattern(), http.NotFoundHandler())
		roles[r.MuxPattern()] = r.Role
	}
	return mux, roles
})

// RoleFor returns the role the routing table gives the request's route, for
// auth.Options.RoleFor. A request that matches no route (it gets a 404 or
// 405) needs auth.RoleByMethod's role.
func RoleFor(r *http.Request) auth.Role {
	mux, roles := roleTable()
	if _, pattern := mux.Handler(r); pattern != "" {
		if role, ok := roles[pattern]; ok && role != auth.RolePublic {
			return role
		}
	}
	return auth.RoleByMethod(r)
}
