// Package pipeline is the processor's per-partition work: decode each
// record, dead-letter what cannot be used, enrich the rest, aggregate them
// into a matrix delta and write it to Redis atomically with the partition's
// offset. It implements stream.Handler.
//
// Exactly-once effect: a partition resumes after the offset stored in Redis
// with the counts, records at or below it are skipped, and every write is
// conditional on the offset it expects, so a redelivered or stale batch is
// never counted twice. Dead letters and enriched copies are produced before
// the matrix write; they are at-least-once and carry their origin (topic,
// partition, offset) so consumers can drop duplicates.
//
// Non-goals: Kafka group mechanics (package stream), scoring rules
// (package sentiment), feature matching (package feature).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/incident"
	"github.com/socialpulse/socialpulse/internal/backoff"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/statements"
	"github.com/socialpulse/socialpulse/stream"
)

// Writer sends records to a topic and returns once they are acknowledged.
type Writer interface {
	Write(ctx context.Context, msgs ...kafka.Message) error
}

// Dead-letter headers added to the original record.
const (
	HeaderReason    = "socialpulse.dlq.reason"
	HeaderError     = "socialpulse.dlq.error"
	HeaderTopic     = "socialpulse.dlq.topic"
	HeaderPartition = "socialpulse.dlq.partition"
	HeaderOffset    = "socialpulse.dlq.offset"
	HeaderTimestamp = "socialpulse.dlq.timestamp"
	// HeaderTruncated is set, to the record value's original length in
	// bytes, on a dead letter whose record was larger than the dead-letter
	// topic accepts; see deadLetterCutBytes.
	HeaderTruncated = "socialpulse.dlq.truncated"
)

// Options configure a Processor.
type Options struct {
	Store    *impactmatrix.Store
	Enricher *enrich.Enricher
	// DLQ receives records that cannot be counted. Required.
	DLQ Writer
	// Scored, when set, receives each counted post with its sentiment and
	// features as JSON.
	Scored Writer
	// Unmapped, when set, is offered each negative post that no term of
	// the taxonomy matched, including those the fallback model tagged
	// (emerging-issue mining). It must not block, and must copy
	// text if it keeps it: text is only valid during the call.
	Unmapped UnmappedObserver
	// Statements, when set, is asked about every post's author handle
	// (Match must not allocate: it is on the hot path), and given the posts
	// that match, the brand's own, after the batch's matrix write, to be
	// recorded as statement milestones (best effort, like the evidence
	// samples; *statements.Recorder is one).
	Statements StatementRecorder
	// MaxTextBytes bounds a post's text. Default: post.DefaultMaxTextBytes.
	MaxTextBytes int
	// MaxFutureSkew is how far ahead of the clock a post's created_at may
	// be; beyond it the Kafka timestamp is used. Default: 10m.
	MaxFutureSkew time.Duration
	// RetryMax caps the backoff between retries of a failed write. Default: 5s.
	RetryMax time.Duration
	Metrics  *Metrics
	Logger   *zap.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// StatementRecorder records the brand's own posts as statements.
type StatementRecorder interface {
	Match(handle string) bool
	Record(ctx context.Context, posts []statements.Post) []statements.Outcome
}

// UnmappedObserver receives negative posts that no feature matched.
type UnmappedObserver interface {
	Offer(text string, at time.Time) bool
}

// Processor implements stream.Handler.
type Processor struct {
	o       Options
	log     *zap.Logger
	m       *Metrics
	healthy atomic.Bool // last Redis write succeeded

	dlqLock, scoredLock outputLock // see writeDeadLetters
}

// New checks o and returns a Processor.
func New(o Options) (*Processor, error) {
	if o.Store == nil || o.Enricher == nil || o.DLQ == nil {
		return nil, errors.New("pipeline: store, enricher and dead-letter writer are required")
	}
	if o.MaxFutureSkew == 0 {
		o.MaxFutureSkew = 10 * time.Minute
	}
	if o.RetryMax == 0 {
		o.RetryMax = 5 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	p := &Processor{o: o, log: o.Logger, m: o.Metrics}
	p.healthy.Store(true)
	return p, nil
}

// Healthy reports whether the last matrix write succeeded (false while
// Redis is unreachable and writes are being retried).
func (p *Processor) Healthy() bool { return p.healthy.Load() }

// Assign registers the partition as a matrix source and resumes it after
// the offset stored in Redis.
func (p *Processor) Assign(ctx context.Context, topic string, part int) (stream.PartitionHandler, int64, error) {
	src := impactmatrix.Source{Topic: topic, Partition: part}
	if err := p.o.Store.Register(ctx, src); err != nil {
		return nil, 0, err
	}
	stored, err := p.o.Store.Offset(ctx, src)
	if err != nil {
		return nil, 0, err
	}
	h := &partition{
		p:             p,
		src:           src,
		prev:          stored,
		dec:           post.Decoder{MaxTextBytes: p.o.MaxTextBytes},
		delta:         impactmatrix.NewDelta(p.o.Store.Bucket()),
		featureCounts: make(map[featureClass]int),
		samples:       make(map[string][]impactmatrix.Sample),
		intent:        make(map[impactmatrix.IntentCell]int64),
		reasons:       make(map[post.Reason]int),
		log:           p.log.With(zap.String("topic", topic), zap.Int("partition", part)),
		dedupe:        p.o.Store.DedupeWindow() > 0,
	}
	start := int64(-1) // no stored offset: the group's committed offset decides
	if stored >= 0 {
		start = stored + 1
	}
	return h, start, nil
}

// partition handles one partition; the consumer calls it from one goroutine.
type partition struct {
	p     *Processor
	src   impactmatrix.Source
	prev  int64 // offset stored in Redis (last applied), -1 if none
	dec   post.Decoder
	post  post.Post
	delta *impactmatrix.Delta
	sc    enrich.Scratch
	dlq   []kafka.Message
	out   []kafka.Message
	// dlqSent and outSent count the dead letters and enriched copies of the
	// batch already acknowledged, so a retry does not repeat them.
	dlqSent, outSent int
	log              *zap.Logger

	samples       map[string][]impactmatrix.Sample // negative evidence per feature, this batch
	classCounts   [impactmatrix.NumClasses]int
	featureCounts map[featureClass]int
	reasons       map[post.Reason]int
	brand         []statements.Post // the brand's own posts, this batch
	// intent counts, this batch, the posts per feature and hour that
	// express an intent to leave (incident.ExpressesLeaveIntent).
	intent map[impactmatrix.IntentCell]int64

	dedupe bool // the store has a dedupe window; see dedupe.go
	batchDedupe
}

type featureClass struct {
	feature string
	class   impactmatrix.Class
}

func (h *partition) Close() {}

// Handle processes recs and makes their effect durable.
func (h *partition) Handle(ctx context.Context, recs []stream.Record) error {
	h.delta.Reset()
	h.dlq, h.out = h.dlq[:0], h.out[:0]
	h.dlqSent, h.outSent = 0, 0
	h.classCounts = [impactmatrix.NumClasses]int{}
	clear(h.reasons)
	clear(h.featureCounts)
	for f := range h.samples {
		h.samples[f] = h.samples[f][:0]
	}
	h.batchDedupe.reset()
	clear(h.brand)
	h.brand = h.brand[:0]
	clear(h.intent)
	var last int64 = -1
	skipped := 0
	start := time.Now()
	now := h.p.o.Now()
	for i := range recs {
		r := &recs[i]
		if r.Offset <= h.prev {
			skipped++ // already applied before a restart or rebalance
			continue
		}
		last = r.Offset
		h.process(r, now)
	}
	if last < 0 {
		h.p.m.Skipped.Add(float64(skipped))
		return nil
	}
	if h.dedupe {
		if err := h.retry(ctx, "read applied post ids", func() error { return h.dropDuplicates(ctx, now) }); err != nil {
			return err
		}
	}
	if err := h.retry(ctx, "produce dead letters", func() error { return h.writeDeadLetters(ctx) }); err != nil {
		return err
	}
	if h.p.o.Scored != nil {
		if err := h.retry(ctx, "produce scored posts", func() error { return h.writeScored(ctx) }); err != nil {
			return err
		}
	}
	err := h.retry(ctx, "write matrix", func() error {
		err := h.p.o.Store.Apply(ctx, h.src, h.prev, last, h.delta)
		h.p.healthy.Store(err == nil || errors.Is(err, impactmatrix.ErrFenced))
		return err
	})
	if err != nil {
		return err
	}
	h.prev = last
	h.p.m.observeBatch(h, skipped, time.Since(start))
	h.storeSamples(ctx)
	h.storeLeaveIntent(ctx)
	h.recordStatements(ctx)
	return nil
}

// storeLeaveIntent writes the batch's leave-intent counts, best effort
// like the evidence samples.
func (h *partition) storeLeaveIntent(ctx context.Context) {
	if len(h.intent) == 0 {
		return
	}
	if err := h.p.o.Store.AddLeaveIntent(ctx, h.intent); err != nil {
		h.log.Warn("leave-intent counts not stored", zap.Error(err))
	}
}

// recordStatements hands the batch's brand posts to the statement recorder.
// It is best effort: the recorder logs its failures.
func (h *partition) recordStatements(ctx context.Context) {
	if len(h.brand) == 0 {
		return
	}
	for _, o := range h.p.o.Statements.Record(ctx, h.brand) {
		h.p.m.Statements.WithLabelValues(string(o)).Inc()
	}
}

// samplesPerBatch bounds the evidence kept per feature and batch.
const samplesPerBatch = 3

// MaxSampleTextBytes is how much of a post's text a sample keeps as
// evidence (the whole text is scored and counted); a longer text is cut at a
// character boundary and ends in "…".
const MaxSampleTextBytes = 1000

func sampleText(s string) string {
	if len(s) <= MaxSampleTextBytes {
		return s
	}
	n := MaxSampleTextBytes - len("…")
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// keepSample remembers a negative post as evidence for feature; inferred
// says the fallback model, not a term, tagged it.
func (h *partition) keepSample(feature string, ps *post.Post, t time.Time, score float64, inferred bool) {
	if len(h.samples[feature]) >= samplesPerBatch {
		return
	}
	c := ps.Clone()
	h.samples[feature] = append(h.samples[feature], impactmatrix.Sample{
		ID: c.ID, Text: sampleText(c.Text), URL: c.URL, Author: c.Author.Handle, Followers: c.Author.Followers, Time: t.UTC(), Score: score, Inferred: inferred,
	})
}

// storeSamples writes the batch's evidence. It is best effort: evidence is
// not part of the matrix's exactly-once write, and a failure only logs. The
// first failure drops the rest of the batch's evidence, so that a Redis
// outage right after the matrix write does not hold the batch (and the
// commit of its offset) for one failed write per feature.
func (h *partition) storeSamples(ctx context.Context) {
	for f, ss := range h.samples {
		if len(ss) == 0 {
			continue
		}
		if err := h.p.o.Store.AddSamples(ctx, f, impactmatrix.Negative, ss); err != nil {
			h.p.m.SamplesDropped.Inc()
			h.log.Warn("evidence samples not stored; dropping the rest of this batch's", zap.String("feature", f), zap.Error(err))
			return
		}
	}
}

// process handles one record into the delta, the dead letters or both outputs.
func (h *partition) process(r *kafka.Message, now time.Time) {
	if err := h.dec.Decode(r.Value, &h.post); err != nil {
		h.deadLetter(r, err)
		return
	}
	ps := &h.post
	t := ps.CreatedAt
	future := now.Add(h.p.o.MaxFutureSkew)
	if t.IsZero() || t.After(future) {
		ahead := !t.IsZero()
		t = r.Time
		if t.After(future) {
			// The Kafka timestamp is ahead too (a producer's clock; brokers
			// accept up to log.message.timestamp.after.max.ms ahead): count
			// the post now rather than in a bucket that has not begun.
			ahead = true
			t = now
		}
		if ahead {
			h.p.m.FutureTimestamps.Inc()
		}
	}
	if h.p.o.Store.Expired(t) {
		h.deadLetter(r, &post.Error{Reason: post.ReasonStale, Field: "created_at",
			Detail: "event time " + t.UTC().Format(time.RFC3339) + " is older than the matrix retention"})
		return
	}
	if st := h.p.o.Statements; st != nil && st.Match(ps.Author.Handle) {
		c := ps.Clone()
		h.brand = append(h.brand, statements.Post{ID: c.ID, Platform: c.Platform, Handle: c.Author.Handle, Text: c.Text, URL: c.URL, Time: t})
	}
	res := h.p.o.Enricher.Enrich(ps.Text, ps.Lang, &h.sc)
	reach := impactmatrix.ReachWeight(ps.Author.Followers)
	class := ClassOf(res.Sentiment.Label)
	if h.dedupe {
		h.recordPost(ps.ID, t, reach, class)
	}
	if len(res.Features) == 0 {
		h.add(t, impactmatrix.OtherFeature, class, res.Sentiment.Score, reach)
		if class == impactmatrix.Negative {
			h.keepSample(impactmatrix.OtherFeature, ps, t, res.Sentiment.Score, false)
		}
	}
	// Emerging-issue mining looks for what the terms miss: a post only the
	// fallback model tagged is still offered, so its guess does not hide a
	// new complaint.
	if class == impactmatrix.Negative && h.p.o.Unmapped != nil && (len(res.Features) == 0 || res.Features[0].Inferred) {
		h.p.o.Unmapped.Offer(ps.Text, t)
	}
	if len(res.Features) > 0 && incident.ExpressesLeaveIntent(ps.Text) {
		hour := impactmatrix.HourOf(t)
		for _, f := range res.Features {
			h.intent[impactmatrix.IntentCell{Feature: f.ID, Hour: hour}]++
		}
	}
	var author uint64 // for the distinct-author sketches, once per post
	hasAuthor := false
	for _, f := range res.Features {
		c := ClassOf(f.Label)
		h.add(t, f.ID, c, f.Score, reach)
		if c == impactmatrix.Negative {
			if !hasAuthor {
				author, hasAuthor = impactmatrix.AuthorKey(ps.Platform, ps.Author.ID, ps.Text), true
			}
			h.delta.AddAuthor(t, f.ID, author)
			h.keepSample(f.ID, ps, t, f.Score, f.Inferred)
		}
	}
	h.delta.CountPost()
	h.classCounts[class]++
	if h.p.o.Scored != nil {
		if h.dedupe {
			h.posts[len(h.posts)-1].out = len(h.out)
		}
		h.out = append(h.out, kafka.Message{Key: r.Key, Value: scoredJSON(ps, t, &res, r), Headers: originHeaders(r)})
	}
}

// add counts one mention in the batch's delta and metrics.
func (h *partition) add(t time.Time, feature string, c impactmatrix.Class, score, reach float64) {
	h.delta.Add(t, feature, c, score, reach)
	h.featureCounts[featureClass{feature, c}]++
	if h.dedupe {
		h.mentions = append(h.mentions, mention{feature: feature, class: c, score: score})
	}
}

func (h *partition) deadLetter(r *kafka.Message, err error) {
	reason := post.ReasonOf(err)
	h.reasons[reason]++
	hdrs := make([]kafka.Header, 0, len(r.Headers)+6)
	hdrs = append(hdrs, r.Headers...)
	hdrs = append(hdrs,
		kafka.Header{Key: HeaderReason, Value: []byte(reason)},
		kafka.Header{Key: HeaderError, Value: []byte(err.Error())},
	)
	hdrs = append(hdrs, originHeaders(r)...)
	hdrs = append(hdrs, kafka.Header{Key: HeaderTimestamp, Value: []byte(r.Time.UTC().Format(time.RFC3339Nano))})
	h.dlq = append(h.dlq, kafka.Message{Key: r.Key, Value: r.Value, Headers: hdrs})
	h.log.Debug("record dead-lettered", zap.Int64("offset", r.Offset), zap.String("reason", string(reason)), zap.Error(err))
}

func originHeaders(r *kafka.Message) []kafka.Header {
	return []kafka.Header{
		{Key: HeaderTopic, Value: []byte(r.Topic)},
		{Key: HeaderPartition, Value: strconv.AppendInt(nil, int64(r.Partition), 10)},
		{Key: HeaderOffset, Value: strconv.AppendInt(nil, r.Offset, 10)},
	}
}

// retry runs fn until it succeeds, ctx ends, or it returns ErrFenced.
func (h *partition) retry(ctx context.Context, what string, fn func() error) error {
	policy := backoff.Policy{Min: 50 * time.Millisecond, Max: h.p.o.RetryMax}
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if errors.Is(err, impactmatrix.ErrFenced) {
			return fmt.Errorf("%s: %w", what, err)
		}
		h.p.m.Retries.WithLabelValues(what).Inc()
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		d := policy.Delay(attempt)
		h.log.Warn(what+" failed; retrying", zap.Int("attempt", attempt), zap.Duration("backoff", d), zap.Error(err))
		if !backoff.Sleep(ctx, d) {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
	}
}

// ClassOf maps a sentiment label to its matrix column.
func ClassOf(l sentiment.Label) impactmatrix.Class {
	switch l {
	case sentiment.Negative:
		return impactmatrix.Negative
	case sentiment.Positive:
		return impactmatrix.Positive
	case sentiment.Unscored:
		return impactmatrix.Unscored
	}
	return impactmatrix.Neutral
}
