package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/valyala/fastjson"

	"github.com/socialpulse/socialpulse/stream"
)

// maxReplayLine is the longest line replay produces; longer ones are
// reported and skipped (Kafka's default max.message.bytes is about 1 MiB).
const maxReplayLine = 1 << 20

// runReplay is "socialpulse replay": load a JSONL file of posts into Kafka.
func runReplay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: socialpulse replay [flags] FILE|-")
		fmt.Fprintln(fs.Output(), "Produces each non-empty line of FILE (- for stdin) to Kafka unchanged, keyed by the post's id.")
		fs.PrintDefaults()
	}
	defBrokers := os.Getenv("SOCIALPULSE_KAFKA_BROKERS")
	if defBrokers == "" {
		defBrokers = "localhost:9092"
	}
	defTopic := os.Getenv("SOCIALPULSE_KAFKA_TOPIC")
	if defTopic == "" {
		defTopic = "social.posts"
	}
	brokers := fs.String("brokers", defBrokers, "comma-separated Kafka `brokers` (env SOCIALPULSE_KAFKA_BROKERS)")
	topic := fs.String("topic", defTopic, "`topic` to produce to (env SOCIALPULSE_KAFKA_TOPIC)")
	rate := fs.Float64("rate", 0, "at most this many `posts` per second; 0 is unlimited")
	batch := fs.Int("batch", 500, "most records per produce request")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("want one FILE (or - for stdin), got %d arguments", fs.NArg())
	}
	if *rate < 0 {
		return usageErrorf("--rate must not be negative, got %v", *rate)
	}
	if *batch < 1 {
		return usageErrorf("--batch must be at least 1, got %d", *batch)
	}
	var bl []string
	for _, b := range strings.Split(*brokers, ",") {
		if b = strings.TrimSpace(b); b != "" {
			bl = append(bl, b)
		}
	}
	if len(bl) == 0 {
		return usageErrorf("--brokers is empty")
	}

	in, size, closeIn, err := openInput(fs.Arg(0), stdin)
	if err != nil {
		return err
	}
	defer closeIn()

	p, err := stream.NewProducer(stream.ClientConfig{Brokers: bl, ClientID: "socialpulse-replay"}, *topic, stream.ProducerOptions{BatchSize: *batch})
	if err != nil {
		return err
	}
	r := &replayer{
		prod:     p,
		rate:     *rate,
		maxBatch: *batch,
		progress: newProgress(stderr, isTerminal(stderr), size),
		now:      time.Now,
	}
	runErr := r.run(ctx, in)
	if err := p.Close(); err != nil && runErr == nil {
		runErr = fmt.Errorf("close producer: %w", err)
	}
	r.progress.finish()
	fmt.Fprintln(stdout, r.summary(runErr != nil))
	return runErr
}

// openInput opens FILE or, for "-", stdin. size is the byte size when the
// input is a regular file, else 0.
func openInput(name string, stdin io.Reader) (r io.Reader, size int64, closeFn func(), err error) {
	if name == "-" {
		if f, ok := stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				size = fi.Size()
			}
		}
		return stdin, size, func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, err // *PathError names the file
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return f, size, func() { _ = f.Close() }, nil
}

// replayer produces lines to Kafka with optional pacing.
type replayer struct {
	prod     *stream.Producer
	rate     float64 // posts per second; 0 unlimited
	maxBatch int
	progress *progress
	now      func() time.Time

	lines    int // lines read, including skipped ones
	produced int
	empty    int
	tooLong  int

	p     fastjson.Parser
	arena []byte // values and keys of the pending batch
	msgs  []kafka.Message
}

func (r *replayer) run(ctx context.Context, in io.Reader) error {
	lr := newLineReader(in, maxReplayLine)
	maxBatch := r.maxBatch
	if r.rate > 0 {
		// hold at most ~100ms of records, so a paced replay trickles out
		maxBatch = min(maxBatch, max(1, int(r.rate/10)))
	}
	start := r.now()
	r.progress.start = start
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		line, size, err := lr.next()
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
			r.progress.note(fmt.Sprintf("line %d: %d bytes, over the %d-byte limit; skipped", r.lines, size, maxReplayLine))
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
		r.progress.update(r.lines, r.produced, lr.consumed, false)
	}
	if err := r.flush(ctx); err != nil {
		return err
	}
	r.progress.update(r.lines, r.produced, lr.consumed, true)
	return nil
}

// add queues line, keyed by the post's id when the line parses and has one.
func (r *replayer) add(line []byte) {
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
func (r *replayer) flush(ctx context.Context) error {
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

// summary is the closing line. When the run stopped early (stopped), it
// says so: the lines counted are those read before the stop, not the file's.
func (r *replayer) summary(stopped bool) string {
	el := r.now().Sub(r.progress.start)
	s := fmt.Sprintf("replay: produced %d records from %d lines in %s (%.0f posts/s)", r.produced, r.lines, el.Round(time.Millisecond), perSecond(r.produced, el))
	if stopped {
		s = fmt.Sprintf("replay: stopped after reading %d lines; %d records were produced (acknowledged by Kafka) before the error", r.lines, r.produced)
	}
	if r.empty > 0 || r.tooLong > 0 {
		s += fmt.Sprintf("; skipped %d empty and %d over %d bytes", r.empty, r.tooLong, maxReplayLine)
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

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// progress shows how far a replay is: redrawn in place at most 4 times a
// second on a terminal, a plain line every 5 seconds otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	total int64 // input bytes; 0 when unknown
	every time.Duration
	now   func() time.Time

	start, last time.Time
	drawn       bool // a redrawable line is on screen
}

func newProgress(w io.Writer, tty bool, total int64) *progress {
	p := &progress{w: w, tty: tty, total: total, every: 5 * time.Second, now: time.Now}
	if tty {
		p.every = 250 * time.Millisecond
	}
	p.start = p.now()
	p.last = p.start
	return p
}

// update shows the state if it is time to, or always when final.
func (p *progress) update(lines, produced int, consumed int64, final bool) {
	now := p.now()
	if !final && now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	line := progressLine(lines, produced, consumed, p.total, now.Sub(p.start))
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+line)
		p.drawn = true
		return
	}
	if !final {
		fmt.Fprintln(p.w, line)
	}
}

// note prints a message on its own line, keeping the progress line below it.
func (p *progress) note(msg string) {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
	fmt.Fprintln(p.w, "replay: "+msg)
}

// finish ends the redrawn line so later output starts on a fresh one.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// progressLine renders "12000 lines, 11990 produced, 2400 posts/s, 48%,
// ETA 6s"; percent and ETA only when the input size is known.
func progressLine(lines, produced int, consumed, total int64, elapsed time.Duration) string {
	s := fmt.Sprintf("replay: %d lines, %d produced, %.0f posts/s", lines, produced, perSecond(produced, elapsed))
	if total > 0 {
		frac := min(float64(consumed)/float64(total), 1)
		s += fmt.Sprintf(", %.0f%%", frac*100)
		if frac > 0 && elapsed > 0 {
			eta := time.Duration(float64(elapsed) * (1 - frac) / frac)
			s += ", ETA " + eta.Round(time.Second).String()
		}
	}
	return s
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// lineReader reads lines of any length, bounded by max bytes each.
type lineReader struct {
	br       *bufio.Reader
	max      int
	buf      []byte
	consumed int64 // bytes consumed, terminators included
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its "\n" or "\r\n" terminator; the
// slice is valid until the next call. A line longer than max is discarded:
// line is nil and size is its length. At the end of input err is io.EOF.
func (r *lineReader) next() (line []byte, size int, err error) {
	chunk, err := r.br.ReadSlice('\n')
	r.consumed += int64(len(chunk))
	if err == nil || (errors.Is(err, io.EOF) && len(chunk) > 0) {
		// the common case: the whole line is in the buffer
		return r.finish(chunk, len(chunk), false)
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, 0, err
	}
	r.buf = append(r.buf[:0], chunk...)
	size = len(chunk)
	tooLong := false
	for {
		chunk, err = r.br.ReadSlice('\n')
		r.consumed += int64(len(chunk))
		size += len(chunk)
		if !tooLong {
			if len(r.buf)+len(chunk) > r.max+2 { // +2: room for "\r\n"
				tooLong = true
				r.buf = r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		switch {
		case err == nil, errors.Is(err, io.EOF):
			if tooLong {
				return r.finish(nil, size, true)
			}
			return r.finish(r.buf, size, false)
		case errors.Is(err, bufio.ErrBufferFull):
		default:
			return nil, size, err
		}
	}
}

func (r *lineReader) finish(line []byte, size int, tooLong bool) ([]byte, int, error) {
	line = bytes.TrimSuffix(line, []byte{'\n'})
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if tooLong || len(line) > r.max {
		return nil, size, nil
	}
	if line == nil {
		line = []byte{}
	}
	return line, size, nil
}
