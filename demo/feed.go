package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/stream"
	"github.com/socialpulse/socialpulse/synth"
)

// feedTick is how often the live feed hands a batch to Kafka.
const feedTick = 100 * time.Millisecond

// backfillBatch is the most history records written in one call.
const backfillBatch = 1000

// feeder turns the synthetic generator into Kafka records, mixing in a
// malformed record every so often.
type feeder struct {
	gen   *synth.Generator
	every int // one malformed record in this many; <= 0: none
	n     int // records made
	bad   int // malformed records made
	msgs  []kafka.Message
}

func (f *feeder) add(t time.Time) error {
	f.n++
	if f.every > 0 && f.n%f.every == 0 {
		f.msgs = append(f.msgs, kafka.Message{Value: synth.Malformed(f.bad), Time: t})
		f.bad++
		return nil
	}
	p := f.gen.Next(t)
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode synthetic post: %w", err)
	}
	f.msgs = append(f.msgs, kafka.Message{Key: []byte(p.ID), Value: b, Time: t})
	return nil
}

// feed produces the backfill, then live posts at the configured rate until
// ctx ends.
func (d *Demo) feed(ctx context.Context) error {
	p, err := stream.NewProducer(stream.ClientConfig{Brokers: d.kafka.ListenAddrs(), ClientID: "socialpulse-demo-feed"},
		Topic, stream.ProducerOptions{})
	if err != nil {
		return fmt.Errorf("demo: feed: %w", err)
	}
	defer func() {
		if err := p.Close(); err != nil {
			d.log.Warn("closing the feed producer", zap.Error(err))
		}
	}()
	gen := synth.New(d.o.Seed)
	if d.incident != nil {
		gen.Incidents = []synth.Incident{*d.incident}
	}
	// New complaints the taxonomy does not cover start rising a minute
	// in, for the emerging-terms miner to find.
	gen.Trends = synth.Trends(d.start)
	f := &feeder{gen: gen, every: d.o.MalformedEvery}

	if err := d.backfill(ctx, p, f); err != nil {
		return ignoreStop(ctx, err)
	}
	return ignoreStop(ctx, d.live(ctx, p, f))
}

// backfill writes Backfill of history ending now, BackfillPerMinute posts
// per minute, evenly spaced in event time.
func (d *Demo) backfill(ctx context.Context, p *stream.Producer, f *feeder) error {
	if d.o.Backfill <= 0 || d.o.BackfillPerMinute <= 0 {
		return nil
	}
	now := time.Now()
	step := time.Minute / time.Duration(d.o.BackfillPerMinute)
	total := int(d.o.Backfill / step)
	for i := range total {
		if err := f.add(now.Add(-d.o.Backfill + time.Duration(i)*step)); err != nil {
			return err
		}
		if len(f.msgs) == backfillBatch || i == total-1 {
			if err := p.Write(ctx, f.msgs...); err != nil {
				return fmt.Errorf("demo: backfill: %w", err)
			}
			f.msgs = f.msgs[:0]
		}
	}
	d.log.Info("history backfilled", zap.Int("records", total), zap.Duration("span", d.o.Backfill))
	return nil
}

// live writes posts stamped with the current time at Rate per second,
// one batch per tick.
func (d *Demo) live(ctx context.Context, p *stream.Producer, f *feeder) error {
	t := time.NewTicker(feedTick)
	defer t.Stop()
	last := time.Now()
	owed := 0.0 // posts due but not yet made (fractional)
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			owed += now.Sub(last).Seconds() * d.o.Rate
			n := int(owed)
			owed -= float64(n)
			for i := range n {
				// spread the batch over the interval it stands for
				if err := f.add(last.Add(now.Sub(last) * time.Duration(i+1) / time.Duration(n))); err != nil {
					return err
				}
			}
			last = now
			if err := p.Write(ctx, f.msgs...); err != nil {
				return fmt.Errorf("demo: live feed: %w", err)
			}
			f.msgs = f.msgs[:0]
		}
	}
}

// ignoreStop drops an error once ctx has ended: a write cut short by the
// stop loses nothing that matters in a demo.
func ignoreStop(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
