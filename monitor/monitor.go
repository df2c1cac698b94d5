// Package monitor runs spike detection over the impact matrix and publishes
// the resulting alerts: once per bucket (on wall-clock time, so a quiet
// feature still resolves) it reads the newly closed buckets, feeds each
// feature's negative-mention count to its detect.Detector, and turns
// fire, update and resolve events into alert versions with evidence and a
// priority, handed to an alert publisher (the Redis outbox). A spike whose
// negative mentions come from too few distinct authors is held, not
// published (gate.go).
//
// One alert per spike across many processors: only the holder of a Redis
// lease runs the detectors; a processor that takes the lease over rebuilds
// them from the matrix and continues the alerts already open instead of
// raising new ones, and the outbox stores each (alert, version) once.
//
// Non-goals: the detection statistics (detect.Detector), delivery and
// history (package alert), reading Kafka.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/incident"
)

// Matrix is what the monitor reads from the matrix store.
type Matrix interface {
	Series(ctx context.Context, from, to time.Time) (*impactmatrix.Buckets, error)
	Samples(ctx context.Context, feature string, c impactmatrix.Class, n int) ([]impactmatrix.Sample, error)
	// Authors counts the distinct authors of feature's negative mentions
	// in [from, to).
	Authors(ctx context.Context, feature string, from, to time.Time) (int64, error)
	Bucket() time.Duration
}

// Publisher stores and delivers alert versions (alert.Outbox).
type Publisher interface {
	Publish(ctx context.Context, a alert.Alert) (bool, error)
	List(ctx context.Context, q alert.Query) ([]alert.Alert, string, error)
}

// Options configure a Monitor. Zero values take the documented defaults.
type Options struct {
	Matrix    Matrix
	Publisher Publisher
	// Redis holds the leader lease.
	Redis redis.UniversalClient
	// Prefix starts the lease key. Default: socialpulse.
	Prefix string
	// Features returns the taxonomy in use (names, owners, criticality).
	Features func() []feature.Feature
	// Detector is the detection configuration. Default:
	// detect.DefaultDetectorConfig(bucket).
	Detector *detect.DetectorConfig
	// Weights for priorities. Default: detect.DefaultPriorityWeights().
	Weights *detect.PriorityWeights
	// Grace is how long after a bucket ends it is read, so late posts land
	// in it first. Default: 15s.
	Grace time.Duration
	// Warmup is how much matrix history a new leader replays to build its
	// baselines. Default: 6h.
	Warmup time.Duration
	// LeaseTTL bounds how long a dead leader blocks detection. Default: 30s.
	LeaseTTL time.Duration
	// Instance identifies this process in the lease.
	Instance string
	// DashboardURL, when set, is linked from every alert (with
	// ?var-feature=<id> appended).
	DashboardURL string
	// APIURL, when set, is the base URL of this API; alerts link to
	// <APIURL>/api/v1/spikes/<id>.
	APIURL string
	// Group configures how a new spike joins an incident (its incident
	// label; see incident.go). Default: incident.DefaultJoinGap, as the
	// incidents API groups.
	Group incident.GroupOptions
	// Samples is how many sample posts an alert quotes. Default: 5.
	Samples int
	// MinAuthors is how many distinct authors the negative mentions in the
	// detector's evaluation window must come from before a spike is
	// published; until then it is held (see gate.go). 1 publishes every
	// spike. Default: DefaultMinAuthors.
	MinAuthors int
	Registerer prometheus.Registerer
	Logger     *zap.Logger
	Now        func() time.Time
}

// Monitor is the detection loop. Create it with New and Run it once.
type Monitor struct {
	o       Options
	det     detect.DetectorConfig
	weights detect.PriorityWeights
	step    time.Duration
	log     *zap.Logger
	m       *metrics

	leader bool
	warm   bool
	next   time.Time // start of the next bucket to feed
	series map[string]*series
	// since is when the group began watching each feature, and dataSince
	// the first bucket with any post (see since.go).
	since     map[string]time.Time
	dataSince time.Time
	// pending are versions that failed to publish, retried first next tick.
	pending []alert.Alert
}

// series is one feature's detector and what the monitor remembers of it.
type series struct {
	d    *detect.Detector
	open *alert.Alert // the latest version of the open alert, if any
	// lastDecision is the detector's decision on the newest fed bucket.
	lastDecision detect.Decision
	// reach is the latest estimated audience of the complaints.
	reach float64
	// recent negative/scored counts per fed bucket, newest last, for the
	// negative share over the evaluation window and late-post checks.
	recent []fed
	// held is set while the detector fires but the spike is not published
	// for want of distinct authors (see gate.go).
	held bool
	// authors is the distinct-author count of the evaluation window ending
	// at authorsAt.
	authors   int64
	authorsAt time.Time
}

type fed struct {
	start       time.Time
	neg, scored int64
}

// New checks o and returns a Monitor.
func New(o Options) (*Monitor, error) {
	if o.Matrix == nil || o.Publisher == nil || o.Redis == nil || o.Features == nil {
		return nil, errors.New("monitor: matrix, publisher, redis and features are required")
	}
	if o.Prefix == "" {
		o.Prefix = "socialpulse"
	}
	if o.Grace == 0 {
		o.Grace = 15 * time.Second
	}
	if o.Warmup == 0 {
		o.Warmup = 6 * time.Hour
	}
	if o.LeaseTTL == 0 {
		o.LeaseTTL = 30 * time.Second
	}
	if o.Samples == 0 {
		o.Samples = 5
	}
	if o.MinAuthors == 0 {
		o.MinAuthors = DefaultMinAuthors
	}
	if o.MinAuthors < 0 {
		return nil, fmt.Errorf("monitor: min authors %d is negative", o.MinAuthors)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	step := o.Matrix.Bucket()
	det := detect.DefaultDetectorConfig(step)
	if o.Detector != nil {
		det = *o.Detector
	}
	if det.Step != step {
		return nil, fmt.Errorf("monitor: detector step %v differs from the matrix bucket %v", det.Step, step)
	}
	if err := det.Validate(); err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	w := detect.DefaultPriorityWeights()
	if o.Weights != nil {
		w = *o.Weights
	}
	if err := w.Validate(); err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	if o.Grace >= step {
		return nil, fmt.Errorf("monitor: grace %v must be shorter than the bucket %v", o.Grace, step)
	}
	return &Monitor{o: o, det: det, weights: w, step: step, log: o.Logger, m: newMetrics(o.Registerer), series: map[string]*series{},
		since: map[string]time.Time{}}, nil
}

// Run evaluates once per bucket, a little after it closes, until ctx ends.
func (m *Monitor) Run(ctx context.Context) error {
	defer m.release()
	for {
		now := m.o.Now()
		next := now.Truncate(m.step).Add(m.step + m.o.Grace)
		if now.Before(now.Truncate(m.step).Add(m.o.Grace)) {
			next = now.Truncate(m.step).Add(m.o.Grace)
		}
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		if err := m.Tick(ctx); err != nil && ctx.Err() == nil {
			m.m.tickErrors.Inc()
			m.log.Warn("spike detection tick failed; retrying next bucket", zap.Error(err))
		}
	}
}

// Tick does one evaluation: take or keep the lease, read the buckets closed
// since the last tick and act on the detectors' decisions. Run calls it on
// schedule; tests call it directly with a controlled clock.
func (m *Monitor) Tick(ctx context.Context) error {
	now := m.o.Now()
	closedEnd := now.Add(-m.o.Grace).Truncate(m.step)
	leader, err := m.lease(ctx)
	if err != nil {
		return err
	}
	if !leader {
		if m.leader {
			m.log.Info("spike detection lease lost; another processor detects now")
		}
		m.leader, m.warm = false, false
		m.series = map[string]*series{}
		m.m.leader.Set(0)
		return nil
	}
	if !m.leader {
		m.log.Info("spike detection lease taken; this processor detects now", zap.String("instance", m.o.Instance))
	}
	m.leader = true
	m.m.leader.Set(1)
	m.flushPending(ctx)

	if !m.warm {
		return m.warmUp(ctx, closedEnd)
	}
	// Re-read a few fed buckets too: posts that arrived late are counted
	// there, and noted as corrections.
	lookback := m.next.Add(-3 * m.step)
	if !m.next.Before(closedEnd) {
		return nil
	}
	b, err := m.o.Matrix.Series(ctx, lookback, closedEnd)
	if err != nil {
		return err
	}
	feats := m.o.Features()
	if err := m.loadSince(ctx, feats, closedEnd); err != nil {
		return err
	}
	for i, mat := range b.Matrix {
		start := b.Start.Add(time.Duration(i) * m.step)
		if start.Before(m.next) {
			m.noteLate(feats, start, mat)
			continue
		}
		m.noteData(start, mat)
		for _, f := range feats {
			m.feed(ctx, f, start, mat, true)
		}
		m.next = start.Add(m.step)
	}
	m.m.ticks.Inc()
	return nil
}

// warmUp replays history into fresh detectors, then reconciles with the
// alerts already open (raised by a previous leader).
func (m *Monitor) warmUp(ctx context.Context, closedEnd time.Time) error {
	open, err := m.openAlerts(ctx)
	if err != nil {
		return err
	}
	b, err := m.o.Matrix.Series(ctx, closedEnd.Add(-m.o.Warmup), closedEnd)
	if err != nil {
		return err
	}
	m.series = map[string]*series{}
	m.dataSince = time.Time{}
	feats := m.o.Features()
	if err := m.loadSince(ctx, feats, closedEnd); err != nil {
		return err
	}
	for i, mat := range b.Matrix {
		start := b.Start.Add(time.Duration(i) * m.step)
		m.noteData(start, mat)
		for _, f := range feats {
			m.feed(ctx, f, start, mat, false)
		}
	}
	m.next = closedEnd
	m.warm = true
	// Continue, raise or resolve what history says is going on now.
	for _, f := range feats {
		s := m.series[f.ID]
		if s == nil {
			continue
		}
		prev, wasOpen := open[f.ID]
		last := s.lastDecision
		switch {
		case wasOpen && last.State == detect.StateFiring:
			s.open = &prev
		case wasOpen:
			s.open = &prev
			m.publish(ctx, f, s, last, detect.EventResolve, closedEnd)
		case last.State == detect.StateFiring:
			m.fire(ctx, f, s, last, closedEnd)
		}
		m.setFiring(f, s)
	}
	m.log.Info("spike detectors warmed up", zap.Duration("history", m.o.Warmup), zap.Int("features", len(feats)), zap.Int("open_alerts", len(open)))
	return nil
}

func (m *Monitor) feed(ctx context.Context, f feature.Feature, start time.Time, mat *impactmatrix.Matrix, live bool) {
	var neg, scored, total int64
	if row := mat.Rows[f.ID]; row != nil {
		neg = row[impactmatrix.Negative].Count
		scored = row[impactmatrix.Negative].Count + row[impactmatrix.Neutral].Count + row[impactmatrix.Positive].Count
		total = row.Total().Count
	}
	s := m.series[f.ID]
	if s == nil {
		// A series starts with the feature's first mention, or earlier
		// with a zero where the zero is real (quietStart): the empty
		// buckets before a deployment or before a taxonomy change added
		// the feature are not a baseline of zero to surge from.
		if total == 0 && !m.quietStart(f.ID, start) {
			return
		}
		d, err := detect.NewDetector(m.det)
		if err != nil { // cannot happen: New validated the configuration
			m.log.Error("detector not created", zap.String("feature", f.ID), zap.Error(err))
			return
		}
		s = &series{d: d}
		m.series[f.ID] = s
	}
	s.recent = append(s.recent, fed{start: start, neg: neg, scored: scored})
	if keep := max(m.det.EvalSteps, 4); len(s.recent) > keep {
		s.recent = s.recent[len(s.recent)-keep:]
	}
	dec := s.d.Observe(start, float64(neg))
	s.lastDecision = dec
	m.m.current.WithLabelValues(f.ID).Set(dec.Value)
	m.m.baseline.WithLabelValues(f.ID).Set(dec.Baseline)
	if dec.State == detect.StateFiring {
		m.m.onset.WithLabelValues(f.ID).Set(float64(dec.Since.Unix()))
	}
	defer m.setFiring(f, s)
	if !live {
		return
	}
	at := start.Add(m.step)
	switch {
	case s.held:
		m.recheckHeld(ctx, f, s, dec, at)
	case dec.Event == detect.EventFire && s.open != nil:
		m.publish(ctx, f, s, dec, detect.EventUpdate, at)
	case dec.Event == detect.EventFire:
		m.fire(ctx, f, s, dec, at)
	case dec.Event != detect.EventNone:
		m.publish(ctx, f, s, dec, dec.Event, at)
	case dec.State == detect.StateFiring && s.open != nil:
		// Priority grows with persistence: publish when the level changes.
		if p, _ := m.priority(f, dec, s, at); p != s.open.Priority {
			m.publish(ctx, f, s, dec, detect.EventUpdate, at)
		}
	}
}

// noteLate counts mentions that arrived after their bucket was evaluated.
func (m *Monitor) noteLate(feats []feature.Feature, start time.Time, mat *impactmatrix.Matrix) {
	for _, f := range feats {
		s := m.series[f.ID]
		if s == nil {
			continue
		}
		for i := range s.recent {
			r := &s.recent[i]
			if !r.start.Equal(start) {
				continue
			}
			var neg int64
			if row := mat.Rows[f.ID]; row != nil {
				neg = row[impactmatrix.Negative].Count
			}
			if neg > r.neg {
				m.m.late.WithLabelValues(f.ID).Add(float64(neg - r.neg))
				m.log.Info("late negative mentions counted after their bucket was evaluated",
					zap.String("feature", f.ID), zap.Time("bucket", start), zap.Int64("late", neg-r.neg))
				r.neg = neg
			}
		}
	}
}
