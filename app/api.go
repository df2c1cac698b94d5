package app

import (
	"fmt"

	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/corrections"
	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/correction"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/incident"
)

// buildAPI returns the spike history, incident and correction endpoints to
// mount on the API server and the access-control Guard for /api/v1 (which
// takes each route's role from the routing table, api.RoleFor, and also says
// who may see /readyz details). It needs a.outbox, a.store, a.enricher and
// a.rdb.
//
// Access is secure by default: with api.require_auth and no tokens, the API
// is served only on a loopback http.listen (a developer's machine, the
// demo); on any other address startup fails, naming api.tokens_file.
func (a *App) buildAPI(cfg config.Config, log *zap.Logger) (api.Endpoints, *auth.Guard, error) {
	ac := cfg.API
	var tokens []auth.Token
	if ac.TokensFile != "" {
		var err error
		if tokens, err = auth.LoadTokens(ac.TokensFile); err != nil {
			return api.Endpoints{}, nil, fmt.Errorf("config: api.tokens_file: %w", err)
		}
	}
	require := ac.RequireAuth
	switch {
	case !require:
		log.Warn("API authentication is off (api.require_auth: false): /api/v1 is open to anyone who reaches it",
			zap.String("listen", cfg.HTTP.Listen),
			zap.Int("tokens", len(tokens)))
	case len(tokens) == 0 && auth.IsLoopback(cfg.HTTP.Listen):
		require = false
		log.Info("no API tokens configured: /api/v1 is open, on a loopback address only",
			zap.String("listen", cfg.HTTP.Listen),
			zap.String("hint", "set api.tokens_file to require tokens"))
	case len(tokens) == 0:
		return api.Endpoints{}, nil, fmt.Errorf("config: api.tokens_file: no API tokens are configured and http.listen %q is not a loopback address, "+
			"so /api/v1 would be open to the network; set api.tokens_file (SOCIALPULSE_API_TOKENS_FILE), "+
			"or api.require_auth: false to serve it without authentication", cfg.HTTP.Listen)
	}
	guard, err := auth.New(auth.Options{
		Tokens: tokens, Require: require, CORSOrigins: ac.CORSOrigins, AllowedHosts: ac.AllowedHosts, RoleFor: api.RoleFor,
		Logger: log.Named("auth"),
	})
	if err != nil {
		return api.Endpoints{}, nil, fmt.Errorf("config: api: %w", err)
	}
	h, err := spikes.New(spikes.Options{
		History: a.outbox, Matrix: a.store, Taxonomy: func() *feature.Tagger { return a.enricher.Tagger() },
		Logger: log.Named("spikes"),
	})
	if err != nil {
		return api.Endpoints{}, nil, err
	}
	iopts := incidents.Options{History: a.outbox, Matrix: a.store,
		AfterCare: incident.AfterCareOptions{Period: cfg.Incidents.AfterCare},
		Measure:   incident.MeasureOptions{RecoverHold: cfg.Incidents.RecoverHold, EffectWindow: cfg.Incidents.EffectWindow}, Logger: log.Named("incidents")}
	if a.grafana != nil { // a nil *GrafanaAnnotation in the interface would not be nil
		iopts.Annotator = a.grafana
	}
	ih, err := incidents.New(iopts)
	if err != nil {
		return api.Endpoints{}, nil, err
	}
	cs, err := correction.NewStore(a.rdb, correction.Options{Prefix: cfg.Redis.KeyPrefix})
	if err != nil {
		return api.Endpoints{}, nil, err
	}
	ch, err := corrections.New(corrections.Options{Store: cs, Logger: log.Named("corrections")})
	if err != nil {
		return api.Endpoints{}, nil, err
	}
	return api.Endpoints{Spikes: h, Incidents: ih, Corrections: ch}, guard, nil
}
