package impactmatrix

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type storeMetrics struct {
	applySeconds   prometheus.Histogram
	applyErrors    prometheus.Counter
	applied        prometheus.Counter
	alreadyApplied prometheus.Counter
	fenced         prometheus.Counter
}

// newStoreMetrics registers the store's metrics with reg; nil reg leaves
// them unregistered, which keeps tests isolated.
func newStoreMetrics(reg prometheus.Registerer) *storeMetrics {
	f := promauto.With(reg)
	const ns, sub = "socialpulse", "matrix"
	return &storeMetrics{
		applySeconds: f.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "redis_write_duration_seconds",
			Help: "Time of one atomic batch write (counts plus offset) to Redis.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		applyErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "redis_write_errors_total",
			Help: "Batch writes to Redis that failed and will be retried."}),
		applied: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "batches_applied_total",
			Help: "Batches written to the matrix."}),
		alreadyApplied: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "batches_already_applied_total",
			Help: "Batch writes found already applied (a retry after a lost reply); nothing was counted twice."}),
		fenced: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "batches_fenced_total",
			Help: "Batch writes refused because another processor had moved the partition's offset."}),
	}
}
