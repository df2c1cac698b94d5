package stream

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/internal/kafkaerr"
)

// Producer writes records to one topic and waits for the brokers to
// acknowledge them. It is safe for concurrent use.
type Producer struct {
	w *kafka.Writer
}

// ProducerOptions tune a Producer.
type ProducerOptions struct {
	// Async makes Write return before acknowledgement (errors are then only
	// counted by the caller's completion hook). Default false: Write blocks
	// until every record is acknowledged by all in-sync replicas.
	Async bool
	// BatchSize is the most records sent in one request per partition.
	// Default: 1000.
	BatchSize int
	// Linger is how long a partly filled batch waits for more records.
	// Default: 2ms (synchronous callers hand over whole batches).
	Linger time.Duration
	// MaxBytes bounds a record batch sent to one partition, and so the
	// largest record: a larger record fails with kafka.MessageTooLargeError
	// before it is sent. Kafka refuses a batch over the topic's
	// max.message.bytes, so this should not exceed the limit of the topic
	// written. Default: DefaultMaxBytes (1 MiB, a topic's default limit).
	MaxBytes int
	// Completion, when set, is called after each batch (async mode).
	Completion func(msgs []kafka.Message, err error)
}

// DefaultMaxBytes is ProducerOptions.MaxBytes by default: Kafka's default
// max.message.bytes, less its 12 bytes of log overhead.
const DefaultMaxBytes = 1 << 20

// NewProducer returns a producer for topic. Records with a key are
// partitioned by its hash, others round-robin.
func NewProducer(cc ClientConfig, topic string, o ProducerOptions) (*Producer, error) {
	if err := cc.validate(); err != nil {
		return nil, err
	}
	if topic == "" {
		return nil, fmt.Errorf("stream: producer needs a topic")
	}
	if o.BatchSize == 0 {
		o.BatchSize = 1000
	}
	if o.Linger == 0 {
		o.Linger = 2 * time.Millisecond
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	return &Producer{w: &kafka.Writer{
		Addr:                   kafka.TCP(cc.Brokers...),
		Topic:                  topic,
		Balancer:               &kafka.Hash{},
		BatchSize:              o.BatchSize,
		BatchBytes:             int64(o.MaxBytes),
		BatchTimeout:           o.Linger,
		RequiredAcks:           kafka.RequireAll,
		Async:                  o.Async,
		Completion:             o.Completion,
		Transport:              cc.transport(),
		AllowAutoTopicCreation: true,
		MaxAttempts:            5,
		WriteBackoffMin:        50 * time.Millisecond,
		WriteBackoffMax:        time.Second,
	}}, nil
}

// Topic is the topic the producer writes to.
func (p *Producer) Topic() string { return p.w.Topic }

// Write sends msgs (their Topic field must be empty) and, unless the
// producer is async, waits until all are acknowledged.
func (p *Producer) Write(ctx context.Context, msgs ...kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := p.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("produce %d records to %s: %w", len(msgs), p.w.Topic, err)
	}
	return nil
}

// TooLarge reports whether err, from Write, says a record or record batch
// was over a size limit of the producer or of the topic or broker (see
// kafkaerr.TooLarge).
func TooLarge(err error) bool { return kafkaerr.TooLarge(err) }

// Close flushes pending records and releases connections.
func (p *Producer) Close() error {
	err := p.w.Close()
	// The writer closes only a transport it created; this one is ours.
	if t, ok := p.w.Transport.(*kafka.Transport); ok {
		t.CloseIdleConnections()
	}
	return err
}
