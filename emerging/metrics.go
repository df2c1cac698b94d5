package emerging

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons a post offered to the Miner is not mined (the "reason" label of
// socialpulse_emerging_dropped_total).
const (
	reasonSampled   = "sampled"    // not kept by Options.SampleRate
	reasonRate      = "rate"       // over Options.MaxRate
	reasonShed      = "shed"       // shed early because the queue is filling
	reasonQueueFull = "queue_full" // the queue was full
	reasonTooOld    = "too_old"    // event time older than window + baseline
)

type metrics struct {
	offered  prometheus.Counter
	dropped  *prometheus.CounterVec
	sampled  prometheus.Counter
	rate     prometheus.Counter
	shed     prometheus.Counter
	full     prometheus.Counter
	tooOld   prometheus.Counter
	mined    prometheus.Counter
	evicted  prometheus.Counter
	duration prometheus.Histogram
}

// newMetrics registers the Miner's metrics with reg (nil: unregistered).
// No label carries term text: terms are unbounded user input.
func newMetrics(reg prometheus.Registerer, rising func() float64) *metrics {
	f := promauto.With(reg)
	const ns, sub = "socialpulse", "emerging"
	m := &metrics{
		offered: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "offered_total",
			Help: "Unmapped negative posts offered for emerging-issue mining."}),
		dropped: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "dropped_total",
			Help: "Offered posts not mined, by reason (sampled, rate, shed, queue_full, too_old)."}, []string{"reason"}),
		mined: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "mined_total",
			Help: "Posts mined for terms."}),
		evicted: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evicted_terms_total",
			Help: "Distinct terms forgotten early because the term cap was reached."}),
		duration: f.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "mine_duration_seconds",
			Help:    "Time to extract and count the terms of one post.",
			Buckets: prometheus.ExponentialBuckets(1e-5, 2.5, 10)}),
	}
	f.NewGaugeFunc(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "terms",
		Help: "Terms rising now, computed at scrape time."}, rising)
	m.sampled = m.dropped.WithLabelValues(reasonSampled)
	m.rate = m.dropped.WithLabelValues(reasonRate)
	m.shed = m.dropped.WithLabelValues(reasonShed)
	m.full = m.dropped.WithLabelValues(reasonQueueFull)
	m.tooOld = m.dropped.WithLabelValues(reasonTooOld)
	return m
}
