package alert

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Delivery results, the values of the result label.
const (
	resultOK    = "ok"
	resultError = "error"
)

// Reasons a delivery was given up, the values of the reason label of
// socialpulse_alert_deliveries_given_up_total.
const (
	givenUpTooLarge    = "too_large"    // refused as too large even in its smallest trim
	givenUpMaxAttempts = "max_attempts" // OutboxOptions.MaxAttempts failures
	givenUpUnreadable  = "unreadable"   // the stored version could not be decoded
	givenUpPermanent   = "permanent"    // another PermanentError
)

var givenUpReasons = []string{givenUpTooLarge, givenUpMaxAttempts, givenUpUnreadable, givenUpPermanent}

func givenUpReason(err error) string {
	var permanent *PermanentError
	switch {
	case errors.Is(err, ErrPayloadTooLarge):
		return givenUpTooLarge
	case errors.As(err, &permanent):
		return givenUpPermanent
	}
	return givenUpMaxAttempts
}

type metrics struct {
	givenUp    *prometheus.CounterVec   // receiver, reason
	deliveries *prometheus.CounterVec   // receiver, result
	duration   *prometheus.HistogramVec // receiver
	pending    *prometheus.GaugeVec     // receiver
	published  *prometheus.CounterVec   // priority, state
	open       *prometheus.GaugeVec     // priority, owner
	incidents  prometheus.Gauge
}

// newMetrics builds the package metrics on reg; a nil reg leaves them
// unregistered (tests). Labels are bounded: receivers are configured, owners
// come from the reviewed taxonomy, priorities and states are enums.
func newMetrics(reg prometheus.Registerer) *metrics {
	f := promauto.With(reg)
	return &metrics{
		givenUp: f.NewCounterVec(prometheus.CounterOpts{
			Namespace: "socialpulse", Subsystem: "alert", Name: "deliveries_given_up_total",
			Help: "Alert deliveries given up (state failed in the spike history), by receiver and reason " +
				"(too_large, max_attempts, unreadable, permanent).",
		}, []string{"receiver", "reason"}),
		deliveries: f.NewCounterVec(prometheus.CounterOpts{
			Namespace: "socialpulse", Subsystem: "alert", Name: "deliveries_total",
			Help: "Alert delivery attempts by receiver and result (ok, error).",
		}, []string{"receiver", "result"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "socialpulse", Subsystem: "alert", Name: "delivery_duration_seconds",
			Help:    "Time taken by one delivery attempt, by receiver.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"receiver"}),
		pending: f.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "socialpulse", Subsystem: "alert", Name: "pending_deliveries",
			Help: "Deliveries queued in Redis and not yet acknowledged, by receiver.",
		}, []string{"receiver"}),
		published: f.NewCounterVec(prometheus.CounterOpts{
			Namespace: "socialpulse", Subsystem: "alerts", Name: "published_total",
			Help: "Alert versions stored by this process (duplicates excluded), by priority and state.",
		}, []string{"priority", "state"}),
		open: f.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "socialpulse", Subsystem: "alerts", Name: "open",
			Help: "Firing alerts in the history, by priority and owning team.",
		}, []string{"priority", "owner"}),
		incidents: f.NewGauge(prometheus.GaugeOpts{
			Namespace: "socialpulse", Subsystem: "incidents", Name: "open",
			Help: "Incidents with a firing alert: the distinct incident labels of the firing alerts (an alert without one counts as its own).",
		}),
	}
}
