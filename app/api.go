package app

import (
	"fmt"
	"maps"
	"net/http"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/apiauth"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/correctionsapi"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/incident"
	"github.com/socialpulse/socialpulse/incidentsapi"
	"github.com/socialpulse/socialpulse/spikesapi"
)

// buildAPI returns the spike history, incident and correction routes to mount on the API server and
// the access-control Guard for /api/v1 (which also says who may see
// /readyz details). It needs a.outbox, a.store, a.enricher and a.rdb.
//
// Access is secure by default: with api.require_auth and no tokens, the API
// is served only on a loopback http.listen (a developer's machine, the
// demo); on any other address startup fails, naming api.tokens_file.
func (a *App) buildAPI(cfg config.Config, log *zap.Logger) (map[string]http.Handler, *apiauth.Guard, error) {
	ac := cfg.API
	var tokens []apiauth.Token
	if ac.TokensFile != "" {
		var err error
		if tokens, err = apiauth.LoadTokens(ac.TokensFile); err != nil {
			return nil, nil, fmt.Errorf("config: api.tokens_file: %w", err)
		}
	}
	require := ac.RequireAuth
	switch {
	case !require:
		log.Warn("API authentication is off (api.require_auth: false): /api/v1 is open to anyone who reaches it",
			zap.String("listen", cfg.HTTP.Listen),
			zap.Int("tokens", len(tokens)))
	case len(tokens) == 0 && apiauth.IsLoopback(cfg.HTTP.Listen):
		require = false
		log.Info("no API tokens configured: /api/v1 is open, on a loopback address only",
			zap.String("listen", cfg.HTTP.Listen),
			zap.String("hint", "set api.tokens_file to require tokens"))
	case len(tokens) == 0:
		return nil, nil, fmt.Errorf("config: api.tokens_file: no API tokens are configured and http.listen %q is not a loopback address, "+
			"so /api/v1 would be open to the network; set api.tokens_file (SOCIALPULSE_API_TOKENS_FILE), "+
			"or api.require_auth: false to serve it without authentication", cfg.HTTP.Listen)
	}
	guard, err := apiauth.New(apiauth.Options{
		Tokens: tokens, Require: require, CORSOrigins: ac.CORSOrigins, AllowedHosts: ac.AllowedHosts, Logger: log.Named("auth"),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("config: api: %w", err)
	}
	h, err := spikesapi.New(spikesapi.Options{
		History: a.outbox, Matrix: a.store, Taxonomy: func() *feature.Tagger { return a.enricher.Tagger() },
		Logger: log.Named("spikes"),
	})
	if err != nil {
		return nil, nil, err
	}
	routes := h.Routes()
	iopts := incidentsapi.Options{History: a.outbox, Matrix: a.store,
		AfterCare: incident.AfterCareOptions{Period: cfg.Incidents.AfterCare},
		Measure:   incident.MeasureOptions{RecoverHold: cfg.Incidents.RecoverHold, EffectWindow: cfg.Incidents.EffectWindow}, Logger: log.Named("incidents")}
	if a.grafana != nil { // a nil *GrafanaAnnotation in the interface would not be nil
		iopts.Annotator = a.grafana
	}
	ih, err := incidentsapi.New(iopts)
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(routes, ih.Routes())
	cs, err := correction.NewStore(a.rdb, correction.Options{Prefix: cfg.Redis.KeyPrefix})
	if err != nil {
		return nil, nil, err
	}
	ch, err := correctionsapi.New(correctionsapi.Options{Store: cs, Logger: log.Named("corrections")})
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(routes, ch.Routes())
	return routes, guard, nil
}
