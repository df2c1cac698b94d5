// Package demo runs socialpulse end to end in one process with no external
// services: an in-process Kafka (kfake), an in-process Redis (miniredis), the
// real processor from package app, and a synthetic feed of posts (package
// synth) with an injected outage, so a person can watch the impact matrix
// react: the outage's spikes join one incident, the shop's own account posts
// a statement that the processor records on the incident as a milestone
// (incidents.brand_handles), and the
// surge dies away so the recovery can be measured. Unmapped complaints that
// start rising a minute in feed the emerging-terms miner.
//
// Non-goals: production use. kfake and miniredis keep everything in memory
// and are here for the demo and fast tests only; `socialpulse run` is the
// processor for real Kafka and Redis.
package demo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/synth"
)

// Options shape a demo. Zero values take the documented defaults.
type Options struct {
	// Listen is the HTTP address of the API. Default: 127.0.0.1:8080.
	// "127.0.0.1:0" picks a free port (see Demo.Addr).
	Listen string
	// Rate is the live feed's posts per second. Default: 50.
	Rate float64
	// Seed makes the synthetic feed reproducible. Default: 0 (a fixed seed).
	Seed uint64
	// IncidentFeature is the feature whose complaints surge; a key of
	// synth.Complaints. Default: checkout.
	IncidentFeature string
	// IncidentAfter is when the incident starts, counted from New.
	// Default: 90s. A negative value disables the incident.
	IncidentAfter time.Duration
	// IncidentLength is how long the incident lasts at full strength.
	// Default: 10m.
	IncidentLength time.Duration
	// IncidentDecay is how long the surge takes to die away after
	// IncidentLength, so the recovery can be measured. Default: 10m.
	// Negative: the surge stops at once.
	IncidentDecay time.Duration
	// StatementAfter is when, counted from the incident's start, the
	// shop's own account (synth.Handle) posts a statement into the stream
	// (or, if the API does not list the incident yet, as soon as it does,
	// dated StatementAfter); the processor records it on the incident as a
	// statement milestone. Default: 4m. Negative: no statement.
	StatementAfter time.Duration
	// IncidentShare is the share of posts during the incident that are
	// complaints about IncidentFeature. Default: 0.5.
	IncidentShare float64
	// Duration stops the demo after this long; 0 runs until the context
	// ends (Ctrl-C).
	Duration time.Duration
	// Backfill is how much history is produced at start, event-timed in
	// the past, so every window and the incident's baseline have data.
	// Default: 3h (incidents.DefaultBaselineSpan). Negative disables it.
	Backfill time.Duration
	// BackfillPerMinute is the density of the history. Default: Rate × 60,
	// the live feed's density, so the live feed is not a surge of every
	// feature over its baseline and only the incident stands out.
	BackfillPerMinute int
	// MalformedEvery makes one record in this many malformed, so the
	// dead-letter path is exercised. Default: 250. Negative disables them.
	MalformedEvery int
	// ReportEvery is how often the top features' negative counts are
	// logged. Default: 10s.
	ReportEvery time.Duration
	// Logger receives the demo's and the processor's logs; nil means none.
	Logger *zap.Logger
}

// Topic names inside the demo's Kafka.
const (
	Topic    = "social.posts"
	DLQTopic = "social.posts.dlq"
)

func (o *Options) setDefaults() error {
	if o.Listen == "" {
		o.Listen = "127.0.0.1:8080"
	}
	if o.Rate == 0 {
		o.Rate = 50
	}
	if o.Rate < 0 {
		return fmt.Errorf("demo: rate must be positive, got %v", o.Rate)
	}
	if o.IncidentFeature == "" {
		o.IncidentFeature = "checkout"
	}
	if _, ok := synth.Complaints[o.IncidentFeature]; !ok {
		return fmt.Errorf("demo: no synthetic complaints for feature %q", o.IncidentFeature)
	}
	if o.IncidentAfter == 0 {
		o.IncidentAfter = 90 * time.Second
	}
	if o.IncidentLength == 0 {
		o.IncidentLength = 10 * time.Minute
	}
	if o.IncidentDecay == 0 {
		o.IncidentDecay = 10 * time.Minute
	}
	if o.StatementAfter == 0 {
		o.StatementAfter = 4 * time.Minute
	}
	if o.IncidentShare == 0 {
		o.IncidentShare = 0.5
	}
	if o.IncidentShare < 0 || o.IncidentShare > 1 {
		return fmt.Errorf("demo: incident share must be in (0, 1], got %v", o.IncidentShare)
	}
	if o.Duration < 0 {
		return fmt.Errorf("demo: duration must not be negative, got %v", o.Duration)
	}
	if o.Backfill == 0 {
		o.Backfill = incidents.DefaultBaselineSpan
	}
	if o.BackfillPerMinute == 0 {
		o.BackfillPerMinute = max(1, int(o.Rate*60+0.5))
	}
	if o.MalformedEvery == 0 {
		o.MalformedEvery = 250
	}
	if o.ReportEvery == 0 {
		o.ReportEvery = 10 * time.Second
	}
	if o.ReportEvery < 0 {
		return fmt.Errorf("demo: report interval must be positive, got %v", o.ReportEvery)
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	return nil
}

// Demo is a running set of in-process services plus the processor. Build it
// with New, then call Run once; Run releases everything when it returns.
type Demo struct {
	o        Options
	log      *zap.Logger
	start    time.Time
	incident *synth.Incident

	kafka *kfake.Cluster
	redis *miniredis.Miniredis
	app   *app.App

	closeOnce sync.Once
}

// New starts the in-process Kafka and Redis and builds the processor with
// its HTTP listener open, so Addr is known before Run. If Run is not
// called, Close releases Kafka and Redis.
func New(o Options) (_ *Demo, err error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	// d is not the named result: an error return sets that to nil, and the
	// deferred cleanup below must still see what was started.
	d := &Demo{o: o, log: o.Logger.Named("demo"), start: time.Now()}
	if o.IncidentAfter >= 0 {
		s := d.start.Add(o.IncidentAfter)
		d.incident = &synth.Incident{Feature: o.IncidentFeature, Start: s, End: s.Add(o.IncidentLength), Share: o.IncidentShare,
			Decay: max(o.IncidentDecay, 0)}
	}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()

	d.kafka, err = kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.SeedTopics(3, Topic),
		kfake.SeedTopics(1, DLQTopic),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(1),
	)
	if err != nil {
		return nil, fmt.Errorf("demo: start kafka: %w", err)
	}
	d.redis = miniredis.NewMiniRedis()
	if err := d.redis.Start(); err != nil {
		return nil, fmt.Errorf("demo: start redis: %w", err)
	}

	cfg := config.Default()
	cfg.Kafka.Brokers = d.kafka.ListenAddrs()
	cfg.Kafka.Topic = Topic
	cfg.Kafka.DLQTopic = DLQTopic
	cfg.Kafka.Group = "socialpulse-demo"
	cfg.Kafka.DialTimeout = 5 * time.Second
	cfg.Redis.Addrs = []string{d.redis.Addr()}
	cfg.HTTP.Listen = o.Listen
	cfg.Log.Format = "console"
	cfg.ShutdownTimeout = 15 * time.Second
	// The shop's posts during an incident become its statements.
	cfg.Incidents.BrandHandles = []string{synth.Handle}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d.app, err = app.New(cfg, app.Options{Logger: o.Logger})
	if err != nil {
		return nil, fmt.Errorf("demo: build processor: %w", err)
	}
	return d, nil
}

// Addr is the HTTP API's address (host:port).
func (d *Demo) Addr() string { return d.app.Addr() }

// Incident returns the injected incident, if any.
func (d *Demo) Incident() (synth.Incident, bool) {
	if d.incident == nil {
		return synth.Incident{}, false
	}
	return *d.incident, true
}

// Run feeds posts and runs the processor until ctx ends or Duration
// passes, then stops everything and releases Kafka and Redis. It returns
// nil on a clean stop.
func (d *Demo) Run(ctx context.Context) error {
	defer d.Close()
	if d.o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.o.Duration)
		defer cancel()
	}
	d.announce()

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return d.app.Run(gctx) })
	g.Go(func() error { return d.feed(gctx) })
	g.Go(func() error { d.report(gctx); return nil })
	g.Go(func() error { return d.respond(gctx) })
	err := g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	d.log.Info("demo stopped")
	return nil
}

// Close stops the in-process Kafka and Redis. Run calls it; call it
// yourself only when Run is never called. It is idempotent.
func (d *Demo) Close() {
	d.closeOnce.Do(func() {
		if d.kafka != nil {
			d.kafka.Close()
		}
		if d.redis != nil {
			d.redis.Close()
		}
	})
}

func (d *Demo) announce() {
	base := "http://" + d.Addr()
	d.log.Info("open the web page: spikes, sample posts, notes and the live matrix", zap.String("url", base+"/ui/"))
	d.log.Info("socialpulse demo: embedded Kafka and Redis are up; the processor is starting",
		zap.Strings("kafka", d.kafka.ListenAddrs()), zap.String("redis", d.redis.Addr()))
	d.log.Info("impact matrix (try window=5m, 15m, 1h, 24h)", zap.String("url", base+"/api/v1/matrix?window=15m"))
	d.log.Info("prometheus metrics", zap.String("url", base+"/metrics"))
	d.log.Info("readiness", zap.String("url", base+"/readyz"))
	fields := []zap.Field{zap.Float64("posts_per_second", d.o.Rate), zap.Duration("backfill", max(d.o.Backfill, 0))}
	if inc, ok := d.Incident(); ok {
		fields = append(fields, zap.String("incident_feature", inc.Feature),
			zap.Time("incident_start", inc.Start), zap.Duration("incident_in", time.Until(inc.Start).Round(time.Second)),
			zap.Duration("incident_length", inc.End.Sub(inc.Start)), zap.Duration("incident_decay", inc.Decay))
		if d.o.StatementAfter >= 0 {
			fields = append(fields, zap.Duration("statement_in", time.Until(inc.Start.Add(d.o.StatementAfter)).Round(time.Second)))
		}
	}
	d.log.Info("synthetic feed", fields...)
	d.log.Info("press Ctrl-C to stop")
}
