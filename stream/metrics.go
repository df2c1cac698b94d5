package stream

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

const ns = "socialpulse"

type consumerMetrics struct {
	records       *prometheus.CounterVec
	batches       prometheus.Counter
	handleSeconds prometheus.Histogram
	handleErrors  prometheus.Counter
	fetchErrors   prometheus.Counter
	commitErrors  prometheus.Counter
	assignErrors  prometheus.Counter
	groupErrors   prometheus.Counter
	rebalances    prometheus.Counter
}

type lagCollector struct {
	desc    *prometheus.Desc
	collect func(chan<- prometheus.Metric, *prometheus.Desc)
}

func (l lagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }
func (l lagCollector) Collect(ch chan<- prometheus.Metric) { l.collect(ch, l.desc) }

func newConsumerMetrics(reg prometheus.Registerer, lag func(chan<- prometheus.Metric, *prometheus.Desc)) *consumerMetrics {
	f := promauto.With(reg)
	const sub = "consumer"
	m := &consumerMetrics{
		records: f.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "records_total",
			Help: "Records consumed and durably handled."}, []string{"topic"}),
		batches: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "batches_total",
			Help: "Batches handled."}),
		handleSeconds: f.NewHistogram(prometheus.HistogramOpts{Namespace: ns, Subsystem: sub, Name: "batch_duration_seconds",
			Help: "Time to handle one batch, from decode to the durable Redis write.", Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)}),
		handleErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "handler_errors_total",
			Help: "Batches whose handler failed, ending the partition's session."}),
		fetchErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "fetch_errors_total",
			Help: "Failed fetches from Kafka (retried)."}),
		commitErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "commit_errors_total",
			Help: "Failed Kafka offset commits (not fatal: Redis holds the applied offset)."}),
		assignErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "assign_errors_total",
			Help: "Failed partition set-ups (retried)."}),
		groupErrors: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "group_errors_total",
			Help: "Failed attempts to join the consumer group (retried)."}),
		rebalances: f.NewCounter(prometheus.CounterOpts{Namespace: ns, Subsystem: sub, Name: "generations_total",
			Help: "Consumer group generations joined (each rebalance starts one)."}),
	}
	if reg != nil {
		reg.MustRegister(lagCollector{
			desc: prometheus.NewDesc(ns+"_consumer_lag_records", "Records between the read position and the partition's end, per owned partition.",
				[]string{"topic", "partition"}, nil),
			collect: lag,
		})
	}
	return m
}
