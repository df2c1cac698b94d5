package monitor

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// metrics use the feature id as a label: ids come from the taxonomy, a
// reviewed and bounded list.
type metrics struct {
	current, baseline, firing, onset *prometheus.GaugeVec
	late, held                       *prometheus.CounterVec
	holding                          *prometheus.GaugeVec
	published                        *prometheus.CounterVec
	leader                           prometheus.Gauge
	ticks, tickErrors, publishErrors prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	const ns, sub = "socialpulse", "detector"
	g := func(name, help string) *prometheus.GaugeVec {
		return f.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: name, Help: help}, []string{"feature"})
	}
	return &metrics{
		current:  g("current", "Negative mentions in the detector's evaluation window, by feature."),
		baseline: g("baseline", "Expected negative mentions in the evaluation window, by feature."),
		firing:   g("firing", "1 while a feature's spike alert is firing (published; a held spike is not)."),
		onset:    g("onset_timestamp_seconds", "Start of the current (or last) spike of a feature, unix seconds."),
		late: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "late_mentions_total",
			Help: "Negative mentions counted in a bucket after the detector had evaluated it (a correction)."}, []string{"feature"}),
		held: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "held_total",
			Help: "Spikes the detector raised that were held, not published, because their negative mentions came from fewer distinct authors than detector.min_authors."}, []string{"feature"}),
		holding: g("holding", "1 while a feature's spike is held for too few distinct authors."),
		published: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "alert_versions_total",
			Help: "Alert versions stored by this processor, by state."}, []string{"state"}),
		leader: f.NewGauge(prometheus.GaugeOpts{Namespace: ns, Subsystem: sub, Name: "leader",
			Help: "1 while this processor holds the spike-detection lease."}),
		ticks: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evaluations_total",
			Help: "Buckets evaluated by this processor as leader."}),
		tickErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "evaluation_errors_total",
			Help: "Detection ticks that failed (retried at the next bucket)."}),
		publishErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "publish_errors_total",
			Help: "Alert versions that could not be stored (retried next tick)."}),
	}
}
