package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/socialpulse/socialpulse/alert"
)

// Every configured secret stays out of the logs, at debug level, through
// start-up, delivery attempts that fail and shutdown.
func TestConfiguredSecretsNeverReachTheLogs(t *testing.T) {
	cfg := testConfig(t)
	mr := miniredis.RunT(t)
	mr.RequireUserAuth("sp-user", "redis-pass-7c1f")
	cfg.Redis.Addrs = []string{mr.Addr()}
	cfg.Redis.Username = "sp-user"
	cfg.Redis.Password = "redis-pass-7c1f"
	// Receivers that fail, so delivery errors are logged too.
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	cfg.Alerting.Webhook.URL = failing.URL
	cfg.Alerting.Webhook.Secret = "webhook-secret-91ab"
	cfg.Alerting.Slack.URL = "http://127.0.0.1:1/services/T000/B000/slack-token-55de"
	cfg.Alerting.Grafana.URL = failing.URL
	cfg.Alerting.Grafana.Token = "grafana-token-3f2e"
	secrets := []string{"redis-pass-7c1f", "webhook-secret-91ab", "slack-token-55de", "grafana-token-3f2e"}

	core, logs := observer.New(zapcore.DebugLevel)
	a, err := New(cfg, Options{Logger: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	// A published alert makes every receiver try, and fail, at least once.
	if _, err := a.outbox.Publish(ctx, testAlert()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for logs.FilterMessageSnippet("deliver").Len() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged; the check would prove nothing")
	}
	for _, e := range logs.All() {
		b, _ := json.Marshal(e.ContextMap())
		line := e.Message + " " + string(b)
		for _, s := range secrets {
			if strings.Contains(line, s) {
				t.Errorf("log entry reveals a secret: %s", line)
			}
		}
	}
	t.Logf("checked %d log entries (%d about deliveries)", logs.Len(), logs.FilterMessageSnippet("deliver").Len())
}

func testAlert() alert.Alert {
	now := time.Now().UTC().Truncate(time.Second)
	fp := alert.Fingerprint("checkout", alert.KindNegativeSurge)
	a := alert.Alert{
		ID: alert.EpisodeID(fp, now), Fingerprint: fp, Kind: alert.KindNegativeSurge, State: alert.StateFiring,
		Priority: 2, Sequence: 1, StartsAt: now, UpdatedAt: now,
		Evidence: alert.Evidence{Feature: "checkout", FeatureName: "Checkout", Owner: "web-team", Window: 2 * time.Minute,
			Current: 40, Baseline: 10, ChangePct: 300},
	}
	a.Summary = alert.FormatSummary(a)
	return a
}
