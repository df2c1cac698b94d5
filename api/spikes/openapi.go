package spikes

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// openAPI is the OpenAPI 3 document of every /api/v1 endpoint, including
// those served by other packages (the matrix, emerging terms).
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return slices.Clone(openAPI) }

// OpenAPI serves GET /api/v1/openapi.json: the OpenAPI document.
func (h *Handler) OpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(openAPI) // the client hung up: nothing left to tell it
}

// DocumentedRoutes returns every operation of the OpenAPI document as a
// ServeMux pattern ("GET /api/v1/spikes/{id}"), sorted.
func DocumentedRoutes() ([]string, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		return nil, fmt.Errorf("spikes: openapi.json: %w", err)
	}
	var out []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
