package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/api/auth"
)

func TestTableListsEveryRouteOnceWithADocumentedRole(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Table() {
		if seen[r.MuxPattern()] {
			t.Errorf("%s is listed twice", r.MuxPattern())
		}
		seen[r.MuxPattern()] = true
		if r.Handler != nil {
			t.Errorf("%s: Table has a handler", r.MuxPattern())
		}
		api := strings.HasPrefix(r.Pattern, "/api/")
		switch {
		case api && r.Method == http.MethodGet && r.Role != auth.RoleRead:
			t.Errorf("%s needs role %s, want read (a GET only reads)", r.MuxPattern(), r.Role)
		case api && r.Method != http.MethodGet && r.Role != auth.RoleWrite:
			t.Errorf("%s needs role %s, want write", r.MuxPattern(), r.Role)
		case !api && r.Role != auth.RolePublic:
			t.Errorf("%s is outside /api/, which the guard does not check, but lists role %s", r.MuxPattern(), r.Role)
		}
	}
	// Every pattern is one a ServeMux takes beside the others (a conflict
	// would panic here).
	roleTable()
}

type fakeSpikes struct{}

func (fakeSpikes) List(w http.ResponseWriter, _ *http.Request)     { w.WriteHeader(201) }
func (fakeSpikes) Export(w http.ResponseWriter, _ *http.Request)   { w.WriteHeader(202) }
func (fakeSpikes) Show(w http.ResponseWriter, _ *http.Request)     { w.WriteHeader(203) }
func (fakeSpikes) AddNote(w http.ResponseWriter, _ *http.Request)  { w.WriteHeader(204) }
func (fakeSpikes) Features(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(205) }
func (fakeSpikes) OpenAPI(w http.ResponseWriter, _ *http.Request)  { w.WriteHeader(206) }

func TestRoutesMountOnlyTheGivenEndpointsEachAtItsRow(t *testing.T) {
	mux := Mux(Routes(Endpoints{Spikes: fakeSpikes{}}))
	for _, tt := range []struct {
		method, target string
		want           int
	}{
		{"GET", "/api/v1/spikes", 201},
		{"GET", "/api/v1/spikes.csv", 202},
		{"GET", "/api/v1/spikes/s-1", 203},
		{"POST", "/api/v1/spikes/s-1/notes", 204},
		{"GET", "/api/v1/features", 205},
		{"GET", "/api/v1/openapi.json", 206},
		{"GET", "/api/v1/incidents", http.StatusNotFound},
		{"GET", "/api/v1/matrix", http.StatusNotFound},
		{"GET", "/ui/", http.StatusNotFound},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))
		if rec.Code != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.target, rec.Code, tt.want)
		}
	}
}

func TestRoleForReadsTheTable(t *testing.T) {
	for _, tt := range []struct {
		method, target string
		want           auth.Role
	}{
		{"GET", "/api/v1/spikes/s-1", auth.RoleRead},
		{"HEAD", "/api/v1/spikes", auth.RoleRead},
		{"POST", "/api/v1/spikes/s-1/notes", auth.RoleWrite},
		{"POST", "/api/v1/incidents/i-1/milestones", auth.RoleWrite},
		{"POST", "/api/v1/corrections", auth.RoleWrite},
		{"GET", "/api/v1/corrections.jsonl", auth.RoleRead},
		// No route: the method decides, as auth.RoleByMethod does.
		{"DELETE", "/api/v1/spikes/s-1", auth.RoleWrite},
		{"GET", "/api/v1/nothing-here", auth.RoleRead},
	} {
		if got := RoleFor(httptest.NewRequest(tt.method, tt.target, nil)); got != tt.want {
			t.Errorf("%s %s needs %s, want %s", tt.method, tt.target, got, tt.want)
		}
	}
}
