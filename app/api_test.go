package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api/spikes"
	"github.com/socialpulse/socialpulse/config"
)

const (
	appReadToken  = "app-read-token-0123456789abcdef"
	appAdminToken = "app-admin-token-0123456789abcdef"
)

func TestAPIRefusesToServeTheNetworkWithoutTokens(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTP.Listen = "0.0.0.0:0"
	_, err := New(cfg, Options{})
	if err == nil || !strings.Contains(err.Error(), "api.tokens_file") {
		t.Fatalf("New = %v, want a config error naming api.tokens_file", err)
	}
	cfg.API.TokensFile = filepath.Join(t.TempDir(), "missing.yaml")
	if _, err := New(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "api.tokens_file") {
		t.Fatalf("missing tokens file: %v", err)
	}
}

func TestAPIOpenWhenAuthIsExplicitlyOff(t *testing.T) {
	cfg := testConfig(t)
	cfg.HTTP.Listen = "0.0.0.0:0"
	cfg.API.RequireAuth = false
	a := runApp(t, cfg, zap.NewNop())
	_, port, _ := net.SplitHostPort(a.Addr())
	if status, _ := get(t, "http://127.0.0.1:"+port+"/api/v1/features", ""); status != http.StatusOK {
		t.Fatalf("open API: %d", status)
	}
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func runApp(t *testing.T, cfg config.Config, log *zap.Logger) *App {
	t.Helper()
	a, err := New(cfg, Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return a
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	return request(t, http.MethodGet, url, token, "")
}

func request(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPIGuardsEveryDocumentedRouteAndNeverLogsTokens(t *testing.T) {
	cfg := testConfig(t)
	tokens := filepath.Join(t.TempDir(), "tokens.yaml")
	if err := os.WriteFile(tokens, []byte(`
- {name: pr-viewer, role: read, token: `+appReadToken+`}
- {name: ops, role: admin, token: `+appAdminToken+`}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.API.TokensFile = tokens
	var logs syncBuffer
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(&logs), zap.DebugLevel))
	a := runApp(t, cfg, log)
	base := "http://" + a.Addr()

	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Minute)
	if _, err := a.outbox.Publish(context.Background(), alert.Alert{
		ID: "checkout-1", Fingerprint: "f", State: alert.StateFiring, Priority: 1, Sequence: 1, StartsAt: start,
		Summary: "checkout: +300%", Evidence: alert.Evidence{Feature: "checkout", Window: 15 * time.Minute},
	}); err != nil {
		t.Fatal(err)
	}

	// The web page loads without a token (GET / redirects to it); only its
	// API calls need one.
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/", "/ui/", "/ui/app.js"} {
		if status, _ := get(t, base+path, ""); status == http.StatusUnauthorized || status == http.StatusNotFound {
			t.Errorf("GET %s without a token: %d, want it open", path, status)
		}
	}
	routes, err := spikes.DocumentedRoutes()
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range routes {
		method, path, _ := strings.Cut(route, " ")
		path = base + strings.ReplaceAll(path, "{id}", "checkout-1")
		body := ""
		switch {
		case route == "POST /api/v1/corrections":
			body = `{"postId": "p1", "text": "thanks for nothing", "label": "negative", "previous": "positive"}`
		case method == http.MethodPost:
			body = `{"text": "statement posted"}`
		}
		if status, _ := request(t, method, path, "", body); status != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d, want 401", route, status)
		}
		if status, _ := request(t, method, path, "wrong-"+appAdminToken, body); status != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d, want 401", route, status)
		}
		status, resp := request(t, method, path, appAdminToken, body)
		if status/100 != 2 {
			t.Errorf("%s is documented but answers %d: %s", route, status, resp)
		}
	}
	if status, resp := request(t, http.MethodPost, base+"/api/v1/spikes/checkout-1/notes", appReadToken, `{"text": "hi"}`); status != http.StatusForbidden {
		t.Errorf("read token posting a note: %d %s", status, resp)
	}
	if status, resp := get(t, base+"/api/v1/spikes/checkout-1", appReadToken); status != http.StatusOK || !strings.Contains(resp, `"author": "ops"`) {
		t.Errorf("note by the admin token not kept: %d %s", status, resp)
	}

	out := logs.String()
	if !strings.Contains(out, "api request refused") {
		t.Fatalf("refusals were not logged at debug level; captured:\n%s", out)
	}
	for _, tok := range []string{appReadToken, appAdminToken, "app-read-token", "app-admin-token"} {
		if strings.Contains(out, tok) {
			t.Fatalf("a token appears in the logs")
		}
	}
}
