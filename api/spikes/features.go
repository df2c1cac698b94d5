package spikes

import (
	"net/http"

	"github.com/socialpulse/socialpulse/api"

	"github.com/socialpulse/socialpulse/feature"
)

// FeatureInfo is one feature of the taxonomy in use.
type FeatureInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Owner       string `json:"owner"`
	Criticality int    `json:"criticality"`
	Description string `json:"description"`
}

// FeatureList is the taxonomy in use.
type FeatureList struct {
	Version  string        `json:"version"`
	Features []FeatureInfo `json:"features"`
}

// Features serves GET /api/v1/features: the taxonomy in use.
func (h *Handler) Features(w http.ResponseWriter, r *http.Request) {
	v, perr := query(r)
	if perr != nil {
		api.WriteParamError(w, perr)
		return
	}
	for name := range v {
		api.WriteParamError(w, api.BadParam(name, "unknown parameter (this endpoint takes none)"))
		return
	}
	out := FeatureList{Features: []FeatureInfo{}}
	if tg := h.o.Taxonomy(); tg != nil {
		out.Version = tg.Version()
		for _, f := range tg.Features() {
			out.Features = append(out.Features, featureInfo(f))
		}
	}
	api.WriteJSON(w, http.StatusOK, out)
}

func featureInfo(f feature.Feature) FeatureInfo {
	return FeatureInfo{ID: f.ID, Name: f.Name, Owner: f.Owner, Criticality: f.Criticality, Description: f.Description}
}
