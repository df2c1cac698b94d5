package stream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/internal/backoff"
	"github.com/socialpulse/socialpulse/internal/zaplog"
)

// Record is one Kafka record as handed to a PartitionHandler.
type Record = kafka.Message

// Handler is told about each partition the consumer is assigned.
type Handler interface {
	// Assign is called when this member takes a partition. It returns the
	// handler for the partition's records and the offset to read next; a
	// negative offset means "where the group's committed offset says" (or
	// the consumer's start offset for a new group). Assign is retried with
	// backoff while it fails.
	Assign(ctx context.Context, topic string, partition int) (PartitionHandler, int64, error)
}

// PartitionHandler processes one partition's records in offset order.
type PartitionHandler interface {
	// Handle makes the effect of recs durable before it returns; the
	// consumer commits the offset after the last record only then. recs is
	// reused after Handle returns. Handle should retry transient failures
	// itself; an error ends this member's generation (the group rebalances
	// and the partition is assigned afresh).
	Handle(ctx context.Context, recs []Record) error
	// Close is called once when the partition is released.
	Close()
}

// ConsumerOptions tune a Consumer. Zero values take the documented defaults.
type ConsumerOptions struct {
	// Group is the consumer group id. Required.
	Group string
	// Topics to consume. Required.
	Topics []string
	// StartOffset for partitions the group never committed: kafka.FirstOffset
	// (default) or kafka.LastOffset.
	StartOffset int64
	// BatchSize is the most records handed to Handle at once. Default: 1000.
	BatchSize int
	// Linger is how long a batch waits to fill once it has a record.
	// Default: 50ms.
	Linger time.Duration
	// MaxFetchBytes bounds one fetch response per partition. Default: 8 MiB.
	MaxFetchBytes int
	// MaxBufferedBytes bounds the record bytes (keys, values, headers) a
	// partition holds in memory: a batch stops growing once it holds half
	// of it, and the reader's prefetch queue holds at most
	// MaxBufferedBytes/2/MaxRecordBytes records (at least 1, at most
	// BatchSize). While Handle is slow (Redis paused) a partition so holds
	// about MaxBufferedBytes, plus one fetch of MaxFetchBytes, for records
	// up to MaxRecordBytes; larger records count as one queue slot each.
	// Default: 64 MiB.
	MaxBufferedBytes int
	// MaxRecordBytes is the record size the prefetch queue is sized for
	// (see MaxBufferedBytes). Default: 1 MiB, a topic's default limit.
	MaxRecordBytes int
	// CommitInterval is the least time between two Kafka commits of a
	// partition (commits serve lag monitoring; Redis holds the truth).
	// Default: 1s.
	CommitInterval time.Duration
	// SessionTimeout for group membership. Default: 30s.
	SessionTimeout time.Duration
	// RebalanceTimeout is how long the group waits for members to rejoin.
	// Default: 30s.
	RebalanceTimeout time.Duration
	// HeartbeatInterval. Default: 3s.
	HeartbeatInterval time.Duration
	// ShutdownGrace is how long a batch in flight may take to finish once
	// the partition is revoked or the process stops. Default: 15s.
	ShutdownGrace time.Duration
	// RefusedTimeout is how long group joins may keep failing for a reason
	// retrying cannot fix (authentication or authorization refused, an
	// untrusted or mismatched certificate, TLS on one side only) before Run
	// gives up and returns the error, so that a misconfigured processor
	// exits instead of waiting forever. Any other error, or a successful
	// join, restarts the clock. Default: 1m; negative: retry forever.
	RefusedTimeout time.Duration
	// Registerer receives the consumer's metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	// Logger; nil means no logging.
	Logger *zap.Logger
}

// DefaultMaxBufferedBytes is ConsumerOptions.MaxBufferedBytes by default.
const DefaultMaxBufferedBytes = 64 << 20

// queueCapacity is the reader's prefetch queue length in records: half the
// byte budget in records of recordBytes, between 1 and batchSize.
func queueCapacity(maxBuffered, recordBytes, batchSize int) int {
	return max(1, min(batchSize, maxBuffered/2/max(1, recordBytes)))
}

// recordBytes is the size of a record as the consumer holds it.
func recordBytes(m *kafka.Message) int {
	n := len(m.Key) + len(m.Value)
	for _, h := range m.Headers {
		n += len(h.Key) + len(h.Value)
	}
	return n
}

// Consumer is a consumer-group member. Create it with NewConsumer and call
// Run once.
type Consumer struct {
	cc      ClientConfig
	o       ConsumerOptions
	handler Handler
	log     *zap.Logger
	m       *consumerMetrics

	running    atomic.Bool
	generation atomic.Int32 // last generation id; 0 before joining
	mu         sync.Mutex
	lags       map[string]*kafka.Reader // readers of owned partitions, for lag gauges
}

// NewConsumer checks the options and returns a Consumer.
func NewConsumer(cc ClientConfig, o ConsumerOptions, h Handler) (*Consumer, error) {
	if err := cc.validate(); err != nil {
		return nil, err
	}
	if o.Group == "" {
		return nil, errors.New("stream: consumer group id is required")
	}
	if len(o.Topics) == 0 {
		return nil, errors.New("stream: at least one topic is required")
	}
	if h == nil {
		return nil, errors.New("stream: handler is required")
	}
	if o.StartOffset == 0 {
		o.StartOffset = kafka.FirstOffset
	}
	if o.StartOffset != kafka.FirstOffset && o.StartOffset != kafka.LastOffset {
		return nil, fmt.Errorf("stream: start offset must be FirstOffset or LastOffset, got %d", o.StartOffset)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 1000
	}
	if o.MaxFetchBytes <= 0 {
		o.MaxFetchBytes = 8 << 20
	}
	if o.MaxBufferedBytes <= 0 {
		o.MaxBufferedBytes = DefaultMaxBufferedBytes
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = 1 << 20
	}
	def(&o.Linger, 50*time.Millisecond)
	def(&o.CommitInterval, time.Second)
	def(&o.SessionTimeout, 30*time.Second)
	def(&o.RebalanceTimeout, 30*time.Second)
	def(&o.HeartbeatInterval, 3*time.Second)
	def(&o.ShutdownGrace, 15*time.Second)
	def(&o.RefusedTimeout, time.Minute)
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	c := &Consumer{cc: cc, o: o, handler: h, log: log, lags: map[string]*kafka.Reader{}}
	c.m = newConsumerMetrics(o.Registerer, c.collectLag)
	return c, nil
}

// Joined reports whether the consumer is in a group generation (it may own
// no partitions if the group has more members than partitions).
func (c *Consumer) Joined() bool { return c.generation.Load() != 0 }

// Run joins the group and consumes until ctx is cancelled, then finishes the
// batches in flight, commits and leaves the group. It returns nil after a
// clean stop.
func (c *Consumer) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("stream: consumer already running")
	}
	cg, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                c.o.Group,
		Brokers:           c.cc.Brokers,
		Dialer:            c.cc.dialer(),
		Topics:            c.o.Topics,
		StartOffset:       c.o.StartOffset,
		SessionTimeout:    c.o.SessionTimeout,
		RebalanceTimeout:  c.o.RebalanceTimeout,
		HeartbeatInterval: c.o.HeartbeatInterval,
		JoinGroupBackoff:  time.Second,
		Logger:            kafka.LoggerFunc(zaplog.Sampled(c.log.Named("kafka")).Sugar().Debugf),
		ErrorLogger:       kafka.LoggerFunc(zaplog.Sampled(c.log.Named("kafka")).Sugar().Warnf),
	})
	if err != nil {
		return fmt.Errorf("stream: consumer group: %w", err)
	}
	defer func() {
		// Close ends the generation and waits for every partition loop.
		_ = cg.Close()
		c.generation.Store(0)
		c.log.Info("left consumer group", zap.String("group", c.o.Group))
	}()

	var refusedSince time.Time // start of the current run of refusals
	for {
		gen, err := cg.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
				return nil
			}
			c.m.groupErrors.Inc()
			if !Refused(err) {
				refusedSince = time.Time{}
			} else if refusedSince.IsZero() {
				refusedSince = time.Now()
			} else if c.o.RefusedTimeout >= 0 && time.Since(refusedSince) >= c.o.RefusedTimeout {
				return fmt.Errorf("stream: the brokers refused this consumer for %v, check the kafka tls and sasl settings: %w",
					time.Since(refusedSince).Round(time.Second), err)
			}
			// The group retries joining by itself; a failed attempt is worth a log line.
			c.log.Warn("consumer group join failed; retrying", zap.Error(err), zap.Bool("refused", !refusedSince.IsZero()))
			continue
		}
		refusedSince = time.Time{}
		c.generation.Store(max(gen.ID, 1))
		c.m.rebalances.Inc()
		n := 0
		for topic, parts := range gen.Assignments {
			for _, pa := range parts {
				n++
				gen.Start(func(gctx context.Context) { c.consumePartition(gctx, gen, topic, pa) })
			}
		}
		c.log.Info("joined consumer group generation", zap.String("group", c.o.Group),
			zap.Int32("generation", gen.ID), zap.String("member", gen.MemberID), zap.Int("partitions", n))
	}
}

// consumePartition reads one partition until the generation ends.
func (c *Consumer) consumePartition(ctx context.Context, gen *kafka.Generation, topic string, pa kafka.PartitionAssignment) {
	log := c.log.With(zap.String("topic", topic), zap.Int("partition", pa.ID), zap.Int32("generation", gen.ID))
	ph, start, ok := c.assign(ctx, log, topic, pa.ID)
	if !ok {
		return
	}
	defer ph.Close()
	if start < 0 {
		start = pa.Offset // the group's committed offset, or StartOffset
	}

	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        c.cc.Brokers,
		Topic:          topic,
		Partition:      pa.ID,
		Dialer:         c.cc.dialer(),
		MinBytes:       1,
		MaxBytes:       c.o.MaxFetchBytes,
		MaxWait:        500 * time.Millisecond,
		QueueCapacity:  queueCapacity(c.o.MaxBufferedBytes, c.o.MaxRecordBytes, c.o.BatchSize),
		ReadBackoffMin: 50 * time.Millisecond,
		ReadBackoffMax: time.Second,
		ErrorLogger:    kafka.LoggerFunc(zaplog.Sampled(log.Named("reader")).Sugar().Warnf),
	})
	defer r.Close()
	if err := r.SetOffset(start); err != nil {
		log.Error("cannot seek partition", zap.Int64("offset", start), zap.Error(err))
		return
	}
	key := topic + "/" + strconv.Itoa(pa.ID)
	c.mu.Lock()
	c.lags[key] = r
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.lags, key)
		c.mu.Unlock()
	}()
	log.Info("partition assigned", zap.String("start", offsetName(start)))

	var (
		batch             = make([]Record, 0, c.o.BatchSize)
		uncommitted int64 = -1 // next offset to commit, once durable
		lastCommit  time.Time
	)
	commit := func(force bool) {
		if uncommitted < 0 || (!force && time.Since(lastCommit) < c.o.CommitInterval) {
			return
		}
		if err := gen.CommitOffsets(map[string]map[int]int64{topic: {pa.ID: uncommitted}}); err != nil {
			// Not fatal: Redis holds the applied offset; Kafka's is for lag and fallback.
			c.m.commitErrors.Inc()
			log.Warn("offset commit failed", zap.Int64("offset", uncommitted), zap.Error(err))
			return
		}
		uncommitted = -1
		lastCommit = time.Now()
	}
	defer commit(true)

	for {
		clear(batch) // drop the last batch's records: they count against the budget until overwritten
		batch = batch[:0]
		// While a commit is pending, wait for records at most until it is
		// due, so an idle partition's lag is not reported stale.
		fctx, fcancel := ctx, context.CancelFunc(func() {})
		if uncommitted >= 0 {
			fctx, fcancel = context.WithTimeout(ctx, c.o.CommitInterval)
		}
		first, err := r.FetchMessage(fctx)
		fcancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if fctx.Err() != nil {
				commit(true)
				continue
			}
			c.m.fetchErrors.Inc()
			log.Warn("fetch failed", zap.Error(err))
			if !backoff.Sleep(ctx, time.Second) {
				return
			}
			continue
		}
		batch = append(batch, first)
		size := recordBytes(&first)
		lctx, cancel := context.WithTimeout(ctx, c.o.Linger)
		for len(batch) < c.o.BatchSize && size < c.o.MaxBufferedBytes/2 {
			m, err := r.FetchMessage(lctx)
			if err != nil {
				break
			}
			batch = append(batch, m)
			size += recordBytes(&m)
		}
		cancel()

		hctx, hcancel := graceCtx(ctx, c.o.ShutdownGrace)
		start := time.Now()
		err = ph.Handle(hctx, batch)
		hcancel()
		c.m.handleSeconds.Observe(time.Since(start).Seconds())
		if err != nil {
			c.m.handleErrors.Inc()
			if ctx.Err() == nil {
				log.Error("partition handler failed; leaving generation to rebalance", zap.Error(err))
			} else {
				log.Info("partition released with a batch unfinished", zap.Error(err))
			}
			return
		}
		c.m.records.WithLabelValues(topic).Add(float64(len(batch)))
		c.m.batches.Inc()
		uncommitted = batch[len(batch)-1].Offset + 1
		commit(false)
		if ctx.Err() != nil {
			return
		}
	}
}

// assign asks the handler for the partition, retrying with backoff while it
// fails (e.g. Redis unreachable), so one bad dependency does not churn the
// whole group.
func (c *Consumer) assign(ctx context.Context, log *zap.Logger, topic string, partition int) (PartitionHandler, int64, bool) {
	policy := backoff.Policy{Min: 100 * time.Millisecond, Max: 10 * time.Second}
	for attempt := 1; ; attempt++ {
		ph, start, err := c.handler.Assign(ctx, topic, partition)
		if err == nil {
			return ph, start, true
		}
		c.m.assignErrors.Inc()
		d := policy.Delay(attempt)
		log.Warn("partition assignment failed; retrying", zap.Error(err), zap.Duration("backoff", d))
		if !backoff.Sleep(ctx, d) {
			return nil, 0, false
		}
	}
}

// collectLag reports the lag of owned partitions as seen by their readers.
func (c *Consumer) collectLag(ch chan<- prometheus.Metric, desc *prometheus.Desc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.lags {
		st := r.Stats()
		if st.Lag < 0 {
			continue
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(st.Lag), st.Topic, st.Partition)
	}
}

// graceCtx returns a context that outlives parent by grace: work started
// before a revoke or shutdown may finish, but not forever.
func graceCtx(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(parent))
	stop := context.AfterFunc(parent, func() {
		t := time.AfterFunc(grace, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	return ctx, func() {
		stop()
		cancel()
	}
}

// offsetName renders a reader start offset for logs: kafka-go's sentinels
// by name, real offsets as numbers.
func offsetName(o int64) string {
	switch o {
	case kafka.FirstOffset:
		return "earliest"
	case kafka.LastOffset:
		return "latest"
	}
	return strconv.FormatInt(o, 10)
}
