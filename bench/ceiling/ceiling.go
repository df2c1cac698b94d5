// Package ceiling is the upper bound of the end-to-end benchmarks: a
// kafka-go consumer group member that reads every partition of a topic and
// decodes each record with post.Decoder, and does nothing else (no scoring,
// no tagging, no Redis). No processor that decodes its input can beat it on
// the same broker and machine.
package ceiling

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/post"
)

// Options configure a Consumer.
type Options struct {
	Brokers []string
	Topic   string
	Group   string
	// Total is the number of records after which Run returns.
	Total int64
}

// Consumer reads and decodes. Build it with New and call Run once.
type Consumer struct {
	o         Options
	processed atomic.Int64
	invalid   atomic.Int64
}

// New returns a Consumer; it does not contact Kafka.
func New(o Options) (*Consumer, error) {
	if len(o.Brokers) == 0 || o.Topic == "" || o.Group == "" || o.Total <= 0 {
		return nil, errors.New("ceiling: brokers, topic, group and a positive total are required")
	}
	return &Consumer{o: o}, nil
}

// Processed is the number of records read and decoded so far. It is safe
// to call while Run runs.
func (c *Consumer) Processed() int64 { return c.processed.Load() }

// Invalid is the number of records the decoder rejected.
func (c *Consumer) Invalid() int64 { return c.invalid.Load() }

// Run joins the group from the earliest offset and returns nil once Total
// records are decoded, or ctx's error.
func (c *Consumer) Run(ctx context.Context) error {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers: c.o.Brokers,
		GroupID: c.o.Group,
		Topic:   c.o.Topic,
		// The same fetch settings as socialpulse's per-partition readers.
		MinBytes:       1,
		MaxBytes:       8 << 20,
		MaxWait:        500 * time.Millisecond,
		QueueCapacity:  1000,
		CommitInterval: time.Second,
		StartOffset:    kafka.FirstOffset,
	})
	defer r.Close()
	var (
		d post.Decoder
		p post.Post
	)
	for c.processed.Load() < c.o.Total {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("ceiling: read %s: %w", c.o.Topic, err)
		}
		if d.Decode(m.Value, &p) != nil {
			c.invalid.Add(1)
		}
		c.processed.Add(1)
	}
	return nil
}
