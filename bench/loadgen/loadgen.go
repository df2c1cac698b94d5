// Package loadgen fills a Kafka topic with synthetic posts as fast as the
// broker takes them, for the end-to-end benchmarks: every consumer under
// test then reads the same records from offset zero.
//
// Non-goals: rate limiting and incidents (socialpulse replay, the demo and
// spbench's alert-latency run cover those).
package loadgen

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/synth"
)

// Options configure Produce.
type Options struct {
	Brokers []string
	Topic   string
	// Posts is how many records to produce, malformed ones included.
	Posts int64
	// MalformedEvery makes every n-th record malformed. Default: 100.
	MalformedEvery int64
	// End and Span place event times evenly over [End-Span, End).
	// Defaults: now and 1h.
	End  time.Time
	Span time.Duration
	// Seed makes the posts reproducible. Producer w uses Seed+w.
	Seed uint64
	// Producers is the number of concurrent generating goroutines. Default: 2.
	Producers int
	// Progress, if set, is called about once a second with the records
	// acknowledged so far.
	Progress func(done int64)
	// Acked, if set, is incremented as records are acknowledged, for a
	// consumer's lag to be measured while Produce runs.
	Acked *atomic.Int64
}

// Result describes a finished Produce.
type Result struct {
	Records   int64
	Malformed int64
	Bytes     int64
	Elapsed   time.Duration
}

// batchSize is the records handed to the writer per call: about 1,000 per
// partition of a 6-partition topic.
const batchSize = 6000

// Produce writes o.Posts records round-robin over the topic's partitions and
// returns once the broker has acknowledged all of them (acks=all).
func Produce(ctx context.Context, o Options) (Result, error) {
	if o.MalformedEvery <= 0 {
		o.MalformedEvery = 100
	}
	if o.End.IsZero() {
		o.End = time.Now()
	}
	if o.Span <= 0 {
		o.Span = time.Hour
	}
	if o.Producers <= 0 {
		o.Producers = 2
	}
	// The writer's own transport: kafka.Writer.Close leaves its connections
	// open, so Produce closes them when it returns.
	transport := &kafka.Transport{MetadataTTL: 500 * time.Millisecond}
	defer transport.CloseIdleConnections()
	w := &kafka.Writer{
		Addr:         kafka.TCP(o.Brokers...),
		Topic:        o.Topic,
		Balancer:     &kafka.RoundRobin{},
		BatchSize:    1000,
		BatchBytes:   4 << 20,
		BatchTimeout: 5 * time.Millisecond,
		RequiredAcks: kafka.RequireAll,
		// A short metadata TTL: the default caches metadata for 6s, longer
		// than a new topic takes to get its leaders.
		Transport: transport,
	}
	defer w.Close()

	start := time.Now()
	var done, malformed, bytes atomic.Int64
	stop := make(chan struct{})
	var progress sync.WaitGroup
	if o.Progress != nil {
		progress.Add(1)
		go func() {
			defer progress.Done()
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					o.Progress(done.Load())
				}
			}
		}()
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, o.Producers)
	var wg sync.WaitGroup
	per := (o.Posts + int64(o.Producers) - 1) / int64(o.Producers)
	for p := range o.Producers {
		from, to := int64(p)*per, min(int64(p+1)*per, o.Posts)
		if from >= to {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := produceRange(ctx, w, o, uint64(p), from, to, &done, &malformed, &bytes); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	close(stop)
	progress.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return Result{}, err
	}
	return Result{Records: done.Load(), Malformed: malformed.Load(), Bytes: bytes.Load(), Elapsed: time.Since(start)}, nil
}

// produceRange writes records [from, to), numbered from 1 for the
// malformed rotation and the event-time spread.
func produceRange(ctx context.Context, w *kafka.Writer, o Options, worker uint64, from, to int64, done, malformed, bytes *atomic.Int64) error {
	gen := synth.New(o.Seed + worker)
	first := o.End.Add(-o.Span)
	step := float64(o.Span) / float64(o.Posts)
	batch := make([]kafka.Message, 0, batchSize)
	flush := func() error {
		if err := w.WriteMessages(ctx, batch...); err != nil {
			return fmt.Errorf("produce to %s: %w", o.Topic, err)
		}
		done.Add(int64(len(batch)))
		if o.Acked != nil {
			o.Acked.Add(int64(len(batch)))
		}
		batch = batch[:0]
		return nil
	}
	for i := from + 1; i <= to; i++ {
		var v []byte
		if i%o.MalformedEvery == 0 {
			v = synth.Malformed(int(i / o.MalformedEvery))
			malformed.Add(1)
		} else {
			v = gen.JSON(first.Add(time.Duration(float64(i-1) * step)))
		}
		bytes.Add(int64(len(v)))
		batch = append(batch, kafka.Message{Value: v})
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}
