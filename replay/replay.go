// Package replay loads a file of JSON posts, one a line, into Kafka: each
// non-empty line is produced unchanged, keyed by the post's id, optionally
// paced to a rate, with progress on a terminal or in plain lines. It backs
// "socialpulse replay". It does not validate posts: the processor does, and
// dead-letters what it refuses.
package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/valyala/fastjson"

	"github.com/socialpulse/socialpulse/internal/jsonl"
)

// MaxLine is the longest line produced; longer ones are reported and
// skipped (Kafka's default max.message.bytes is about 1 MiB).
const MaxLine = 1 << 20

// Writer writes a batch of records and returns once Kafka acknowledged
// them (stream.Producer).
type Writer interface {
	Write(ctx context.Context, msgs ...kafka.Message) error
}

// Options configure a Replayer.
type Options struct {
	// Rate is the most posts a second; 0 is unlimited. Default: 0.
	Rate float64
	// MaxBatch is the most records a produce request. Default: 500.
	MaxBatch int
	// Progress shows how far the replay is (jsonl.NewProgress with name
	// "replay" and verb "produced"); nil shows nothing.
	Progress *jsonl.Progress
}

// New returns a Replayer writing to w.
func New(w Writer, o Options) *Replayer {
	if o.MaxBatch <= 0 {
		o.MaxBatch = 500
	}
	return &Replayer{prod: w, rate: o.Rate, maxBatch: o.MaxBatch, progress: o.Progress, now: time.Now}
}

// Finish ends the progress display; call it before printing the summary.
func (r *Replayer) Finish() { r.progress.Finish() }

// Replayer produces lines to Kafka unchanged, keyed by the post's id, with
// optional pacing. Use it once.
type Replayer struct {
	prod     Writer
	rate     float64 // posts per second; 0 unlimited
	maxBatch int
	progress *jsonl.Progress
	now      func() time.Time
	start    time.Time

	lines    int // lines read, including skipped ones
	produced int
	empty    int
	tooLong  int

	p     fastjson.Parser
	arena []byte // values and keys of the pending batch
	msgs  []kafka.Message
}

// Run produces every non-empty line of in, flushing at most MaxBatch
// records a request, and returns the first error. Lines over MaxLine bytes
// are reported through the progress and skipped.
func (r *Replayer) Run(ctx context.Context, in io.Reader) error {
	lr := jsonl.NewReader(in, MaxLine)
	maxBatch := r.maxBatch
	if r.rate > 0 {
		// hold at most ~100ms of records, so a paced replay trickles out
		maxBatch = min(maxBatch, max(1, int(r.rate/10)))
	}
	start := r.now()
	r.start = start
	r.progress.Start()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		line, size, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read line %d: %w", r.lines+1, err)
		}
		r.lines++
		switch {
		case line == nil && size > 0:
			r.tooLong++
			r.progress.Note(fmt.Sprintf("line %d: %d bytes, over the %d-byte limit; skipped", r.lines, size, MaxLine))
			continue
		case len(bytes.TrimSpace(line)) == 0:
			r.empty++
			continue
		}
		if r.rate > 0 {
			due := start.Add(time.Duration(float64(r.produced+len(r.msgs)) / r.rate * float64(time.Second)))
			if wait := due.Sub(r.now()); wait > 0 {
				if timer == nil {
					timer = time.NewTimer(wait)
				} else {
					timer.Reset(wait)
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("interrupted: %w", ctx.Err())
				case <-timer.C:
				}
			}
		}
		r.add(line)
		if len(r.msgs) >= maxBatch {
			if err := r.flush(ctx); err != nil {
				return err
			}
		}
		r.progress.Update(r.lines, r.produced, lr.Consumed(), false)
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	r.progress.Update(r.lines, r.produced, lr.Consumed(), true)
	return nil
}

// add queues line, keyed by the post's id when the line parses and has one.
func (r *Replayer) add(line []byte) {
	start := len(r.arena)
	r.arena = append(r.arena, line...)
	m := kafka.Message{Value: r.arena[start:len(r.arena):len(r.arena)]}
	if id := postID(&r.p, line); id != nil {
		ks := len(r.arena)
		r.arena = append(r.arena, id...)
		m.Key = r.arena[ks:len(r.arena):len(r.arena)]
	}
	r.msgs = append(r.msgs, m)
}

// flush writes the pending batch and waits for the acknowledgement.
func (r *Replayer) flush(ctx context.Context) error {
	if len(r.msgs) == 0 {
		return nil
	}
	if err := r.prod.Write(ctx, r.msgs...); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted: %w", ctx.Err())
		}
		return fmt.Errorf("after %d records: %w", r.produced, err)
	}
	r.produced += len(r.msgs)
	clear(r.msgs) // drop references into the arena
	r.msgs = r.msgs[:0]
	r.arena = r.arena[:0]
	return nil
}

// Summary is the closing line. When the run stopped early (stopped), it
// says so: the lines counted are those read before the stop, not the file's.
func (r *Replayer) Summary(stopped bool) string {
	el := r.now().Sub(r.start)
	s := fmt.Sprintf("replay: produced %d records from %d lines in %s (%.0f posts/s)", r.produced, r.lines, el.Round(time.Millisecond), jsonl.PerSecond(r.produced, el))
	if stopped {
		s = fmt.Sprintf("replay: stopped after reading %d lines; %d records were produced (acknowledged by Kafka) before the error", r.lines, r.produced)
	}
	if r.empty > 0 || r.tooLong > 0 {
		s += fmt.Sprintf("; skipped %d empty and %d over %d bytes", r.empty, r.tooLong, MaxLine)
	}
	return s
}

// postID returns the id of a JSON post (a string, or a number as written),
// or nil when the line does not parse or has no usable id. The result
// aliases the parser's memory until its next use.
func postID(p *fastjson.Parser, line []byte) []byte {
	v, err := p.ParseBytes(line)
	if err != nil {
		return nil
	}
	id := v.Get("id")
	if id == nil {
		return nil
	}
	switch id.Type() {
	case fastjson.TypeString:
		b, _ := id.StringBytes()
		if len(b) == 0 {
			return nil
		}
		return b
	case fastjson.TypeNumber:
		return id.MarshalTo(nil)
	}
	return nil
}
