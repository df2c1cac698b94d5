package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"time"

	gapi "github.com/grafana/grafana-api-golang-client"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/monitor"
	"github.com/socialpulse/socialpulse/stream"
)

// buildAlerting wires the alert outbox (always: it holds the spike history)
// with the configured receivers, and the spike monitor when detection is on.
func (a *App) buildAlerting(cfg config.Config, kc stream.ClientConfig, reg prometheus.Registerer, log *zap.Logger) error {
	al := cfg.Alerting
	// Receivers never follow redirects (see alert.RedirectError); Grafana's
	// client gets the same rule through this client.
	client := alert.NoRedirects(&http.Client{Timeout: 15 * time.Second})
	var receivers []alert.Receiver
	if al.Webhook.URL != "" {
		receivers = append(receivers, alert.NewWebhook(al.Webhook.URL, al.Webhook.Secret.Reveal(), client))
	}
	if u := al.Slack.URL.Reveal(); u != "" {
		receivers = append(receivers, alert.NewSlack(u))
	}
	if al.Alertmanager.URL != "" {
		receivers = append(receivers, alert.NewAlertmanager(al.Alertmanager.URL, alert.WithAlertmanagerClient(client)))
	}
	if al.Kafka.Enabled {
		p, err := stream.NewProducer(kc, al.Kafka.Topic, stream.ProducerOptions{MaxBytes: cfg.Kafka.MaxMessageBytes})
		if err != nil {
			return err
		}
		a.alertsKafka = p
		receivers = append(receivers, alert.NewKafka(p))
	}
	if al.Grafana.URL != "" {
		gc, err := gapi.New(al.Grafana.URL, gapi.Config{APIKey: al.Grafana.Token.Reveal(), Client: client})
		if err != nil {
			return fmt.Errorf("config: alerting.grafana.url: %w", err)
		}
		// The incident annotations are rebuilt from the spike history, which
		// the outbox built below holds; deliveries start only once it runs.
		incidentAlerts := func(ctx context.Context, id string) ([]alert.Alert, error) {
			return a.outbox.IncidentAlerts(ctx, id)
		}
		a.grafana = alert.NewGrafanaAnnotation(gc, al.Grafana.DashboardUID, alert.WithIncidentAlerts(incidentAlerts))
		receivers = append(receivers, a.grafana)
	}
	var err error
	if a.outbox, err = alert.NewOutbox(a.rdb, alert.OutboxOptions{
		Prefix: cfg.Redis.KeyPrefix, Receivers: receivers, Retention: al.HistoryRetention, BackoffMax: al.RetryBackoffMax,
		Registerer: reg, Logger: log.Named("alert"),
	}); err != nil {
		return err
	}
	if !cfg.Detector.Enabled {
		return nil
	}
	d := cfg.Detector
	det := detect.DefaultDetectorConfig(cfg.Matrix.Bucket)
	det.MinVolume, det.MinRatio, det.Alpha, det.ResolveRatio = d.MinVolume, d.MinRatio, d.Alpha, d.ResolveRatio
	det.CooldownSteps = int(d.Cooldown / cfg.Matrix.Bucket)
	det.RearmFactor = d.RearmFactor
	w := detect.DefaultPriorityWeights()
	p := d.Priority
	w.Growth, w.Volume, w.Reach, w.Criticality, w.Persistence = p.Growth, p.Volume, p.Reach, p.Criticality, p.Persistence
	w.P1, w.P2, w.P3 = p.P1, p.P2, p.P3
	a.monitor, err = monitor.New(monitor.Options{
		Matrix: a.store, Publisher: a.outbox, Redis: a.rdb, Prefix: cfg.Redis.KeyPrefix,
		Features: func() []feature.Feature { return a.enricher.Tagger().Features() },
		Detector: &det, Weights: &w, Grace: d.Grace, Warmup: d.Warmup, LeaseTTL: d.LeaseTTL,
		Instance: instanceID(), DashboardURL: al.DashboardURL, APIURL: al.PublicURL, MinAuthors: d.MinAuthors,
		Registerer: reg, Logger: log.Named("monitor"),
	})
	if err != nil {
		return fmt.Errorf("config: detector: %w", err)
	}
	return nil
}

// instanceID names this process in the detection lease: host name plus a
// random suffix, so two processes on one host differ.
func instanceID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	return host + "-" + hex.EncodeToString(b[:])
}
