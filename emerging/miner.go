package emerging

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

// ErrRunning is returned by a second call to Run.
var ErrRunning = errors.New("emerging: miner already running")

// maxTextBytes bounds the text copied into the queue per post.
const maxTextBytes = 2048

// Options configure a Miner. The zero value of every field is replaced by
// its default.
type Options struct {
	// Window is the trailing event-time span in which terms are counted
	// and compared with the baseline. Default: 5m.
	Window time.Duration
	// Baseline is the event-time span before the window that gives each
	// term's usual share of posts. At least Window. Default: 1h.
	Baseline time.Duration
	// Bucket is the counting granularity; Window and Baseline are rounded
	// down to whole buckets. Default: 1m.
	Bucket time.Duration
	// Workers mine posts concurrently. Default: 1.
	Workers int
	// MaxRate caps the posts mined a second (a token bucket holding one
	// second's worth); past it Offer drops and counts posts before they are
	// copied. Tagging parts of speech costs a few hundred microseconds a
	// post, so without a cap a backlog replay full of unmapped complaints
	// has a worker take a whole core from the hot path. Growth compares
	// shares of mined posts, which a cap leaves unbiased; counts in a busy
	// window shrink. 200 a second is 60,000 posts in a 5-minute window, far
	// more than MinCount needs, for under a tenth of a core. Default: 200.
	MaxRate float64
	// QueueSize bounds the posts waiting for a worker. Once it is more than
	// half full, Offer sheds posts at random with a probability rising to
	// one as it fills; a full queue drops. Either way the drop is counted.
	// Default: 512.
	QueueSize int
	// SampleRate is the fraction of offered posts kept before queueing,
	// in (0, 1]. Growth compares shares of mined posts, so uniform
	// sampling and shedding leave it unbiased; counts shrink. Default: 1.
	SampleRate float64
	// MinCount is the least number of mined posts in the window that
	// mention a term before it can rise. Default: 5.
	MinCount int
	// MinGrowth is the least ratio of a term's share of posts in the
	// window to its baseline share (smoothed by one post) for it to rise.
	// Default: 3.
	MinGrowth float64
	// MinZ is the least z-score of a term's window count against its
	// baseline share for it to rise (see Term.Growth). With thousands of
	// terms tested every window, growth alone lets chance clumps of rare
	// terms through; 5 kept a steady 20-posts-a-minute background quiet
	// in simulation while a new complaint at 3 a minute rose in 2 minutes.
	// Default: 5.
	MinZ float64
	// MaxTerms caps the distinct terms kept; past it, the tenth with the
	// lowest counts (least recent among equals) is forgotten. Default: 20000.
	MaxTerms int
	// Samples is how many of the newest posts each term keeps as examples.
	// Default: 3.
	Samples int
	// Heuristic replaces prose POS tagging with a cheap heuristic: every
	// content word, and runs of two or three adjacent content words as
	// phrases. About 50 times cheaper per post, with noisier phrases.
	Heuristic bool
	// Registerer receives the metrics; nil leaves them unregistered.
	Registerer prometheus.Registerer
	Logger     *zap.Logger
	// Now is the clock; nil means time.Now. It places the window for the
	// terms gauge and the handler, and clamps event times in the future.
	Now func() time.Time
}

func (o *Options) setDefaults() error {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.Window, 5*time.Minute)
	def(&o.Baseline, time.Hour)
	def(&o.Bucket, time.Minute)
	setInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setInt(&o.Workers, 1)
	setInt(&o.QueueSize, 512)
	setInt(&o.MinCount, 5)
	setInt(&o.MaxTerms, 20000)
	setInt(&o.Samples, 3)
	if o.SampleRate == 0 {
		o.SampleRate = 1
	}
	if o.MaxRate == 0 {
		o.MaxRate = 200
	}
	if o.MinGrowth == 0 {
		o.MinGrowth = 3
	}
	if o.MinZ == 0 {
		o.MinZ = 5
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	switch {
	case o.Bucket < 0 || o.Window < o.Bucket:
		return fmt.Errorf("emerging: window %s must be at least one bucket (%s)", o.Window, o.Bucket)
	case o.Baseline < o.Window:
		return fmt.Errorf("emerging: baseline %s must be at least the window %s", o.Baseline, o.Window)
	case o.Workers < 0, o.QueueSize < 0, o.MinCount < 0, o.MaxTerms < 0, o.Samples < 0:
		return errors.New("emerging: workers, queue size, min count, max terms and samples must not be negative")
	case o.MaxRate < 0:
		return fmt.Errorf("emerging: max rate %v must be positive", o.MaxRate)
	case o.SampleRate < 0 || o.SampleRate > 1:
		return fmt.Errorf("emerging: sample rate %v is outside (0, 1]", o.SampleRate)
	case o.MinGrowth < 1:
		return fmt.Errorf("emerging: min growth %v must be at least 1", o.MinGrowth)
	}
	o.Window -= o.Window % o.Bucket
	o.Baseline -= o.Baseline % o.Bucket
	return nil
}

// Term is a rising term.
type Term struct {
	Text string `json:"text"`
	// Kind is KindWord or KindPhrase.
	Kind string `json:"kind"`
	// Count is the number of mined posts in the window mentioning it.
	Count int `json:"count"`
	// Baseline is the count expected in the window at the term's baseline
	// share of posts.
	Baseline float64 `json:"baseline"`
	// Growth is Count / (Baseline + 1).
	Growth float64 `json:"growth"`
	// Samples are the newest posts mentioning it (at most 280 bytes each),
	// newest first.
	Samples []string `json:"samples"`
	// FirstSeen is the earliest event time it was counted at, within the
	// window and baseline.
	FirstSeen time.Time `json:"firstSeen"`
}

type job struct {
	text string
	at   time.Time
}

// Miner finds rising terms in unmapped negative posts. Offer is safe for
// concurrent use and never blocks; Run mines what was offered.
type Miner struct {
	o       Options
	log     *zap.Logger
	met     *metrics
	ext     extractor
	queue   chan job
	shedAt  int // queue length above which Offer sheds
	running atomic.Bool

	rateMu  sync.Mutex
	tokens  float64   // posts that may be queued now
	refill  time.Time // when tokens was last topped up
	wallNow func() time.Time

	mu sync.Mutex
	st *store
}

// New checks o, loads the shared POS model (once per process, unless
// o.Heuristic) and returns a Miner.
func New(o Options) (*Miner, error) {
	if err := o.setDefaults(); err != nil {
		return nil, err
	}
	m := &Miner{
		o:       o,
		log:     o.Logger.Named("emerging"),
		queue:   make(chan job, o.QueueSize),
		shedAt:  o.QueueSize / 2,
		st:      newStore(o.Bucket, o.Window+o.Baseline, o.MaxTerms, o.Samples),
		ext:     heuristicExtractor{},
		tokens:  o.MaxRate,
		wallNow: time.Now,
	}
	if !o.Heuristic {
		model, err := sharedModel()
		if err != nil {
			return nil, fmt.Errorf("emerging: loading POS model: %w", err)
		}
		m.ext = posExtractor{model: model}
	}
	m.met = newMetrics(o.Registerer, func() float64 { return float64(len(m.Snapshot(m.o.Now()))) })
	return m, nil
}

// Offer queues a copy of text, with its event time, for mining. It never
// blocks: a post is dropped (and counted) when sampled out, shed, or when
// the queue is full. It reports whether the post was queued. It implements
// pipeline.UnmappedObserver and is safe for concurrent use.
func (m *Miner) Offer(text string, at time.Time) bool {
	m.met.offered.Inc()
	if m.o.SampleRate < 1 && rand.Float64() >= m.o.SampleRate {
		m.met.sampled.Inc()
		return false
	}
	if !m.take() {
		m.met.rate.Inc()
		return false
	}
	if q := len(m.queue); q > m.shedAt && rand.IntN(cap(m.queue)-m.shedAt) < q-m.shedAt {
		m.met.shed.Inc()
		return false
	}
	if len(text) > maxTextBytes {
		text = truncate(text, maxTextBytes)
	} else {
		text = strings.Clone(text)
	}
	select {
	case m.queue <- job{text: text, at: at}:
		return true
	default:
		m.met.full.Inc()
		return false
	}
}

// take reports whether the rate cap lets one more post through, and spends
// a token if so.
func (m *Miner) take() bool {
	m.rateMu.Lock()
	defer m.rateMu.Unlock()
	now := m.wallNow()
	if m.refill.IsZero() {
		m.refill = now
	}
	if d := now.Sub(m.refill); d > 0 {
		m.tokens = min(m.o.MaxRate, m.tokens+d.Seconds()*m.o.MaxRate)
		m.refill = now
	}
	if m.tokens < 1 {
		return false
	}
	m.tokens--
	return true
}

// Run mines queued posts with Options.Workers goroutines until ctx ends,
// then waits for them and returns nil. Posts still queued are abandoned.
// A Miner runs once; a second call returns ErrRunning.
func (m *Miner) Run(ctx context.Context) error {
	if !m.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	var wg sync.WaitGroup
	for range m.o.Workers {
		wg.Go(func() { m.work(ctx) })
	}
	wg.Wait()
	return nil
}

func (m *Miner) work(ctx context.Context) {
	var toks []token
	var cands []candidate
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-m.queue:
			toks, cands = m.mine(j, toks, cands[:0])
		}
	}
}

// mine extracts the terms of one post outside the lock, then counts them.
func (m *Miner) mine(j job, toks []token, cands []candidate) ([]token, []candidate) {
	start := time.Now()
	toks, cands = m.ext.extract(j.text, toks, cands)
	cands = dedupe(cands)
	at := j.at
	if now := m.o.Now(); at.After(now.Add(m.o.Bucket)) {
		at = now
	}
	m.mu.Lock()
	before := m.st.evicted
	ok := m.st.add(cands, j.text, at)
	evicted := m.st.evicted - before
	m.mu.Unlock()
	if evicted > 0 {
		m.met.evicted.Add(float64(evicted))
	}
	if ok {
		m.met.mined.Inc()
	} else {
		m.met.tooOld.Inc()
	}
	m.met.duration.Observe(time.Since(start).Seconds())
	return toks, cands
}

// Snapshot returns the terms rising in the window ending at now, highest
// growth first. It is safe for concurrent use.
func (m *Miner) Snapshot(now time.Time) []Term {
	return m.snapshot(now, m.o.Window)
}

func (m *Miner) snapshot(now time.Time, window time.Duration) []Term {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.st.snapshot(now, window, m.o.MinCount, m.o.MinGrowth, m.o.MinZ)
}
