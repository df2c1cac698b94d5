// Package app wires socialpulse's processor from a Config: Kafka consumer
// and producers, the Redis matrix store, the enrichment pipeline and the
// HTTP API, run together under one context and stopped in order.
//
// Non-goals: flag parsing and signal handling (cmd/socialpulse), and any
// domain logic (the packages it composes).
package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api"
	"github.com/socialpulse/socialpulse/api/webui"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/emerging"
	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/monitor"
	"github.com/socialpulse/socialpulse/pipeline"
	"github.com/socialpulse/socialpulse/statements"
	"github.com/socialpulse/socialpulse/stream"
)

// Options are what the caller provides beyond the Config.
type Options struct {
	Logger *zap.Logger
	// Registry collects every metric; nil makes a fresh one with Go and
	// process collectors.
	Registry *prometheus.Registry
	// Reload, when it receives, re-reads the taxonomy file and the
	// sentiment model file (main sends SIGHUP here). A bad file is refused
	// and the old taxonomy or model kept.
	Reload <-chan struct{}
}

// App is a wired processor. Build it with New and call Run once.
type App struct {
	cfg         config.Config
	log         *zap.Logger
	reg         *prometheus.Registry
	rdb         redis.UniversalClient
	store       *impactmatrix.Store
	enricher    *enrich.Enricher
	proc        *pipeline.Processor
	consumer    *stream.Consumer
	dlq         *stream.Producer
	scored      *stream.Producer
	http        *api.Server
	miner       *emerging.Miner
	outbox      *alert.Outbox
	monitor     *monitor.Monitor
	alertsKafka *stream.Producer
	reload      <-chan struct{}
	reloads     *prometheus.CounterVec
	// modelReloads counts reloads of sentiment.model_file.
	modelReloads *prometheus.CounterVec
	// grafana annotates spikes and milestones when alerting.grafana is set.
	grafana *alert.GrafanaAnnotation
}

// New builds every component; it does not contact Kafka yet, but it opens
// the HTTP listener so the address is known.
func New(cfg config.Config, o Options) (_ *App, err error) {
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	reg := o.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	a := &App{cfg: cfg, log: log, reg: reg, reload: o.Reload}
	RouteLibraryLogs(log)
	defer func() {
		if err != nil {
			a.closeClients()
		}
	}()

	if a.enricher, err = enrich.LoadFiles(taggerFiles(cfg)); err != nil {
		return nil, err
	}
	if cfg.Sentiment.ModelFile != "" {
		sa, err := enrich.LoadAnalyzer(cfg.Sentiment.ModelFile)
		if err != nil {
			return nil, fmt.Errorf("config: sentiment.model_file: %w", err)
		}
		a.enricher.SetAnalyzer(sa)
	}
	if a.rdb, err = RedisClient(cfg.Redis); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if a.store, err = impactmatrix.NewStore(a.rdb, impactmatrix.StoreOptions{
		Prefix: cfg.Redis.KeyPrefix, Bucket: cfg.Matrix.Bucket, Retention: cfg.Matrix.Retention,
		DedupeWindow: cfg.Matrix.DedupeWindow, Registerer: reg,
	}); err != nil {
		return nil, err
	}
	kc, err := KafkaClient(cfg.Kafka)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if a.dlq, err = stream.NewProducer(kc, cfg.Kafka.DLQTopic, stream.ProducerOptions{MaxBytes: cfg.Kafka.MaxMessageBytes}); err != nil {
		return nil, err
	}
	popts := pipeline.Options{
		Store: a.store, Enricher: a.enricher, DLQ: a.dlq,
		MaxTextBytes: cfg.Matrix.MaxTextBytes, MaxFutureSkew: cfg.Matrix.MaxFutureSkew,
		Metrics: pipeline.NewMetrics(reg), Logger: log.Named("pipeline"),
	}
	var emergingHTTP http.Handler
	if cfg.Emerging.Enabled {
		if a.miner, err = emerging.New(emerging.Options{
			Window: cfg.Emerging.Window, Baseline: cfg.Emerging.Baseline, Workers: cfg.Emerging.Workers, MaxRate: cfg.Emerging.MaxRate,
			Heuristic: cfg.Emerging.Heuristic, Registerer: reg, Logger: log.Named("emerging"),
		}); err != nil {
			return nil, fmt.Errorf("emerging: %w", err)
		}
		popts.Unmapped = a.miner
		emergingHTTP = a.miner.Handler()
	}
	if cfg.Kafka.EnableScored {
		if a.scored, err = stream.NewProducer(kc, cfg.Kafka.ScoredTopic, stream.ProducerOptions{MaxBytes: cfg.Kafka.MaxMessageBytes}); err != nil {
			return nil, err
		}
		popts.Scored = a.scored
	}
	if err := a.buildAlerting(cfg, kc, reg, log); err != nil {
		return nil, err
	}
	if len(cfg.Incidents.BrandHandles) > 0 {
		handles, err := statements.NewHandles(cfg.Incidents.BrandHandles)
		if err != nil {
			return nil, fmt.Errorf("config: incidents.brand_handles: %w", err)
		}
		so := statements.Options{History: a.outbox, Handles: handles, Logger: log.Named("statements")}
		if a.grafana != nil {
			so.Annotator = a.grafana
		}
		if popts.Statements, err = statements.NewRecorder(so); err != nil {
			return nil, err
		}
	}
	if a.proc, err = pipeline.New(popts); err != nil {
		return nil, err
	}
	start := kafka.FirstOffset
	if cfg.Kafka.StartOffset == "latest" {
		start = kafka.LastOffset
	}
	if a.consumer, err = stream.NewConsumer(kc, stream.ConsumerOptions{
		Group: cfg.Kafka.Group, Topics: []string{cfg.Kafka.Topic}, StartOffset: start,
		BatchSize: cfg.Kafka.BatchSize, Linger: cfg.Kafka.Linger, CommitInterval: cfg.Kafka.CommitInterval,
		MaxBufferedBytes: cfg.Kafka.MaxBufferedBytes, MaxRecordBytes: cfg.Kafka.MaxMessageBytes,
		SessionTimeout: cfg.Kafka.SessionTimeout, ShutdownGrace: cfg.ShutdownTimeout / 2,
		RefusedTimeout: refusedTimeout(cfg.Kafka.RefusedTimeout),
		Registerer:     reg, Logger: log.Named("consumer"),
	}, a.proc); err != nil {
		return nil, err
	}
	a.reloads = promauto.With(reg).NewCounterVec(prometheus.CounterOpts{Namespace: "socialpulse", Subsystem: "taxonomy",
		Name: "reloads_total", Help: "Taxonomy reloads, by result (ok or error)."}, []string{"result"})
	a.reloads.WithLabelValues("ok")
	a.reloads.WithLabelValues("error")
	a.modelReloads = promauto.With(reg).NewCounterVec(prometheus.CounterOpts{Namespace: "socialpulse", Subsystem: "sentiment",
		Name: "model_reloads_total", Help: "Reloads of sentiment.model_file, by result (ok or error)."}, []string{"result"})
	a.modelReloads.WithLabelValues("ok")
	a.modelReloads.WithLabelValues("error")
	promauto.With(reg).NewGaugeFunc(prometheus.GaugeOpts{Namespace: "socialpulse", Subsystem: "taxonomy", Name: "features",
		Help: "Features in the taxonomy in use."}, func() float64 { return float64(len(a.enricher.Tagger().Features())) })

	endpoints, guard, err := a.buildAPI(cfg, log.Named("api"))
	if err != nil {
		return nil, err
	}
	endpoints.Emerging = emergingHTTP
	endpoints.Page = webui.Handler() // the page loads without a token; its API calls need one

	if a.http, err = api.New(api.Options{
		Listen: cfg.HTTP.Listen, ReadTimeout: cfg.HTTP.ReadTimeout, WriteTimeout: cfg.HTTP.WriteTimeout,
		IdleTimeout: cfg.HTTP.IdleTimeout, MaxBodyBytes: cfg.HTTP.MaxBodyBytes,
		Windows: cfg.Matrix.Windows, Matrix: a.store, Gatherer: reg, Logger: log.Named("http"),
		Ready: []api.Check{
			{Name: "redis", Fn: func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() }},
			{Name: "kafka", Fn: func(context.Context) error {
				if !a.consumer.Joined() {
					return errors.New("not in a consumer group generation yet")
				}
				return nil
			}},
			{Name: "matrix_writes", Fn: func(context.Context) error {
				if !a.proc.Healthy() {
					return errors.New("matrix writes are failing and being retried")
				}
				return nil
			}},
		},
		Endpoints: endpoints, Middleware: guard.Wrap, ShowDetails: guard.Authenticated,
	}); err != nil {
		return nil, err
	}
	return a, nil
}

// Addr is the HTTP API's listen address.
func (a *App) Addr() string { return a.http.Addr() }

// Store is the matrix store, for tools and the demo.
func (a *App) Store() *impactmatrix.Store { return a.store }

// Run processes until ctx ends, then stops: the consumer finishes its
// batches and leaves the group, the HTTP server drains, and the clients
// close. The stop is bounded by the config's shutdown_timeout.
func (a *App) Run(ctx context.Context) error {
	a.log.Info("socialpulse starting", zap.Strings("brokers", a.cfg.Kafka.Brokers), zap.String("topic", a.cfg.Kafka.Topic),
		zap.String("group", a.cfg.Kafka.Group), zap.Strings("redis", a.cfg.Redis.Addrs), zap.String("http", a.Addr()),
		zap.Int("features", len(a.enricher.Tagger().Features())), zap.String("fallback_model", a.cfg.Taxonomy.FallbackModel))
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.consumer.Run(gctx) })
	g.Go(func() error { return a.http.Run(gctx) })
	g.Go(func() error { a.reloadLoop(gctx); return nil })
	if a.miner != nil {
		g.Go(func() error { return a.miner.Run(gctx) })
	}
	if a.outbox != nil {
		g.Go(func() error { return a.outbox.Run(gctx) })
	}
	if a.monitor != nil {
		g.Go(func() error { return a.monitor.Run(gctx) })
	}

	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		select {
		case err = <-done:
		case <-time.After(a.cfg.ShutdownTimeout):
			err = fmt.Errorf("shutdown took longer than %v; exiting with work in flight (it is redelivered on restart)", a.cfg.ShutdownTimeout)
		}
	}
	a.closeClients()
	a.log.Info("socialpulse stopped")
	return err
}

func (a *App) closeClients() {
	var errs []error
	if a.scored != nil {
		errs = append(errs, a.scored.Close())
	}
	if a.alertsKafka != nil {
		errs = append(errs, a.alertsKafka.Close())
	}
	if a.dlq != nil {
		errs = append(errs, a.dlq.Close())
	}
	if a.rdb != nil {
		errs = append(errs, a.rdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		a.log.Warn("closing clients", zap.Error(err))
	}
}

func (a *App) reloadLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.reload:
		}
		a.reloadTaxonomy()
		a.reloadModel()
	}
}

// taggerFiles are the files the processor's tagger is built from.
func taggerFiles(cfg config.Config) enrich.Files {
	return enrich.Files{Taxonomy: cfg.Taxonomy.File, FallbackModel: cfg.Taxonomy.FallbackModel}
}

// reloadTaxonomy re-reads taxonomy.file and taxonomy.fallback_model,
// keeping the taxonomy (and model) in use when either is refused.
func (a *App) reloadTaxonomy() {
	tg, err := enrich.LoadTaggerFiles(taggerFiles(a.cfg))
	if err != nil {
		a.reloads.WithLabelValues("error").Inc()
		a.log.Error("taxonomy reload refused; keeping the current taxonomy", zap.String("file", a.cfg.Taxonomy.File),
			zap.String("fallback_model", a.cfg.Taxonomy.FallbackModel), zap.Error(err))
		return
	}
	a.enricher.SetTagger(tg)
	a.reloads.WithLabelValues("ok").Inc()
	a.log.Info("taxonomy reloaded", zap.String("file", a.cfg.Taxonomy.File), zap.Int("features", len(tg.Features())),
		zap.Bool("fallback", tg.Fallback() != nil))
}

// reloadModel re-reads sentiment.model_file (when one is set), keeping the
// model in use when the file fails its checks.
func (a *App) reloadModel() {
	path := a.cfg.Sentiment.ModelFile
	if path == "" {
		return
	}
	sa, err := enrich.LoadAnalyzer(path)
	if err != nil {
		a.modelReloads.WithLabelValues("error").Inc()
		a.log.Error("sentiment model reload refused; keeping the current model", zap.String("file", path), zap.Error(err))
		return
	}
	a.enricher.SetAnalyzer(sa)
	a.modelReloads.WithLabelValues("ok").Inc()
	a.log.Info("sentiment model reloaded", zap.String("file", path))
}

// refusedTimeout maps the config's "0 retries forever" to the consumer's
// negative value (the consumer reads 0 as its default).
func refusedTimeout(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
