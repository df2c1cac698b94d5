package spikes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/auth"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

// Tokens of the test API, one per role.
const (
	readToken  = "read-token-0123456789abcdef"
	writeToken = "write-token-0123456789abcdef"
	adminToken = "admin-token-0123456789abcdef"
)

// base is the start of the test history: three hours ago, on the hour, so
// that the matrix's buckets are within its retention.
var base = time.Now().UTC().Truncate(time.Hour).Add(-3 * time.Hour)

// env is a running API over a real outbox and matrix store.
type env struct {
	url    string
	outbox *alert.Outbox
	store  *impactmatrix.Store
	rdb    redis.UniversalClient
	routes []string // the handler's ServeMux patterns
}

// forEachRedis runs fn against miniredis and, when SOCIALPULSE_TEST_REDIS
// is set, against real Redis (skipped otherwise, unless services are
// required).
func forEachRedis(t *testing.T, fn func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Helper()
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { _ = rdb.Close() })
		fn(t, rdb, "t")
	})
	t.Run("redis", func(t *testing.T) {
		addr := testenv.RedisAddr(t)
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = rdb.Close() })
		fn(t, rdb, testenv.UniqueName(t, "spikes"))
	})
}

type envOption func(*auth.Options, *spikes.Options)

func openAPI() envOption { return func(a *auth.Options, _ *spikes.Options) { a.Require = false } }

func withCORS(origins ...string) envOption {
	return func(a *auth.Options, _ *spikes.Options) { a.CORSOrigins = origins }
}

// newEnv starts the spike API, behind the real access control, on rdb.
func newEnv(t *testing.T, rdb redis.UniversalClient, prefix string, opts ...envOption) *env {
	t.Helper()
	ob, err := alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: prefix, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: prefix, Bucket: time.Minute, Retention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	var tokens []auth.Token
	for _, tk := range []struct {
		name  string
		role  auth.Role
		value string
	}{{"pr-viewer", auth.RoleRead, readToken}, {"it-oncall", auth.RoleWrite, writeToken}, {"ops-admin", auth.RoleAdmin, adminToken}} {
		tok, err := auth.NewToken(tk.name, tk.role, tk.value)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	ao := auth.Options{Tokens: tokens, Require: true, Logger: zaptest.NewLogger(t)}
	so := spikes.Options{History: ob, Matrix: st, Taxonomy: func() *feature.Tagger { return tg }, Logger: zaptest.NewLogger(t)}
	for _, o := range opts {
		o(&ao, &so)
	}
	guard, err := auth.New(ao)
	if err != nil {
		t.Fatal(err)
	}
	h, err := spikes.New(so)
	if err != nil {
		t.Fatal(err)
	}
	mounted := api.Routes(api.Endpoints{Spikes: h})
	mux := api.Mux(mounted)
	var routes []string
	for _, r := range mounted {
		routes = append(routes, r.MuxPattern())
	}
	srv := httptest.NewServer(guard.Wrap(mux))
	t.Cleanup(srv.Close)
	return &env{url: srv.URL, outbox: ob, store: st, rdb: rdb, routes: routes}
}

// spike builds a valid alert version.
func spike(id, feat string, prio int, state alert.State, start time.Time, summary string) alert.Alert {
	a := alert.Alert{
		ID: id, Fingerprint: alert.Fingerprint(feat, alert.KindNegativeSurge), Kind: alert.KindNegativeSurge,
		State: state, Priority: prio, Sequence: 1, StartsAt: start, UpdatedAt: start, Summary: summary,
		Evidence: alert.Evidence{Feature: feat, FeatureName: strings.ToUpper(feat[:1]) + feat[1:], Owner: feat + "-team",
			Criticality: 4, Window: 15 * time.Minute, Current: 40, Baseline: 9, ChangePct: 310, PValue: 1e-9,
			NegativeShare: 0.8, Reach: 55, Score: 0.74, TopWords: []string{"failing", "error"}},
	}
	if state == alert.StateResolved {
		a.EndsAt = start.Add(30 * time.Minute)
		a.UpdatedAt = a.EndsAt
	}
	return a
}

func (e *env) publish(t *testing.T, as ...alert.Alert) {
	t.Helper()
	for _, a := range as {
		if _, err := e.outbox.Publish(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiError decodes an error body.
func (r response) apiError(t *testing.T) (msg, param string) {
	t.Helper()
	var e struct{ Error, Parameter string }
	r.json(t, &e)
	return e.Error, e.Parameter
}

// do sends a request with token (none if empty) and, for a body, JSON.
func (e *env) do(t *testing.T, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func (e *env) get(t *testing.T, path string) response {
	t.Helper()
	return e.do(t, http.MethodGet, path, readToken, nil)
}

// ids lists the spike ids of a list response.
func ids(t *testing.T, r response) ([]string, string) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var l spikes.SpikeList
	r.json(t, &l)
	out := []string{}
	for _, s := range l.Spikes {
		out = append(out, s.ID)
	}
	return out, l.NextCursor
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func id(i int) string { return fmt.Sprintf("s%02d", i) }
