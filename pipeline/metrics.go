package pipeline

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/statements"
)

// Metrics are the pipeline's Prometheus metrics. Their names are used by the
// dashboards in dashboards/: treat them as an API.
type Metrics struct {
	Posts            *prometheus.CounterVec // by sentiment class
	FeaturePosts     *prometheus.CounterVec // by feature and the feature's own sentiment class
	DeadLetters      *prometheus.CounterVec // by reason
	Skipped          prometheus.Counter
	FutureTimestamps prometheus.Counter
	DeadLettersCut   prometheus.Counter
	EnrichedDropped  prometheus.Counter
	Duplicates       prometheus.Counter
	Retries          *prometheus.CounterVec // by operation
	SamplesDropped   prometheus.Counter
	Statements       *prometheus.CounterVec // brand posts, by outcome (statements.Outcome)
	BatchSeconds     prometheus.Histogram
	PostsPerBatch    prometheus.Histogram
}

// NewMetrics registers the pipeline metrics with reg (nil: unregistered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	const ns, sub = "socialpulse", "pipeline"
	m := &Metrics{
		Posts: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "posts_total",
			Help: "Posts counted in the matrix, by overall sentiment."}, []string{"sentiment"}),
		FeaturePosts: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "feature_mentions_total",
			Help: "Feature mentions counted in the matrix, by feature (taxonomy id, or other) and the sentiment of the mentioning clause."},
			[]string{"feature", "sentiment"}),
		DeadLetters: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "dead_letters_total",
			Help: "Records sent to the dead-letter topic, by reason."}, []string{"reason"}),
		Skipped: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "redelivered_skipped_total",
			Help: "Redelivered records skipped because their offset was already applied."}),
		FutureTimestamps: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "future_timestamps_total",
			Help: "Event times too far ahead of the clock: a created_at replaced by the Kafka timestamp, or a Kafka timestamp replaced by the processing time."}),
		DeadLettersCut: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "dead_letters_cut_total",
			Help: "Dead letters too large for the dead-letter topic, written with their value cut to 64 KiB."}),
		EnrichedDropped: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "enriched_dropped_total",
			Help: "Enriched copies too large for their topic, dropped (the posts were counted)."}),
		Duplicates: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "duplicates_total",
			Help: "Posts not counted because the partition counted a post with the same id within the dedupe window."}),
		Retries: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "retries_total",
			Help: "Retried writes, by operation."}, []string{"operation"}),
		SamplesDropped: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evidence_write_errors_total",
			Help: "Batches whose evidence samples could not be stored (best effort; the counts were written)."}),
		Statements: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "brand_posts_total",
			Help: "Posts of the brand's own accounts (incidents.brand_handles), by what became of them: recorded as a statement milestone, duplicate (recorded before), no_incident, failed."},
			[]string{"outcome"}),
		BatchSeconds: f.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "batch_duration_seconds",
			Help: "Time to decode, enrich, aggregate and durably write one batch.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		PostsPerBatch: f.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "batch_posts",
			Help: "Posts per written batch.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
	}
	for c := range impactmatrix.NumClasses {
		m.Posts.WithLabelValues(impactmatrix.Class(c).String())
	}
	for _, r := range post.Reasons {
		m.DeadLetters.WithLabelValues(string(r))
	}
	for _, o := range []statements.Outcome{statements.Recorded, statements.Duplicate, statements.NoIncident, statements.Failed} {
		m.Statements.WithLabelValues(string(o))
	}
	return m
}

func (m *Metrics) observeBatch(h *partition, skipped int, d time.Duration) {
	for k, n := range h.featureCounts {
		m.FeaturePosts.WithLabelValues(k.feature, k.class.String()).Add(float64(n))
	}
	for c, n := range h.classCounts {
		if n > 0 {
			m.Posts.WithLabelValues(impactmatrix.Class(c).String()).Add(float64(n))
		}
	}
	for r, n := range h.reasons {
		m.DeadLetters.WithLabelValues(string(r)).Add(float64(n))
	}
	if skipped > 0 {
		m.Skipped.Add(float64(skipped))
	}
	m.BatchSeconds.Observe(d.Seconds())
	m.PostsPerBatch.Observe(float64(h.delta.Posts()))
}
