package emerging

import (
	"bufio"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap/zaptest"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// clock is a settable Options.Now.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time   { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }

// running starts m.Run and stops it at cleanup.
func running(t *testing.T, m *Miner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// drained waits until every queued post has been mined or dropped.
func drained(t *testing.T, m *Miner) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		offered := value(m.met.offered)
		done := value(m.met.mined) + value(m.met.tooOld) +
			value(m.met.sampled) + value(m.met.shed) + value(m.met.full)
		if done >= offered {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not drained: %v of %v offered posts handled", done, offered)
		}
		time.Sleep(time.Millisecond)
	}
}

// feeder offers a minute of background (and optional injected) posts at a
// time, spread over the minute's event times, then advances the clock.
type feeder struct {
	t          *testing.T
	m          *Miner
	clk        *clock
	rng        *rand.Rand
	background []string
	perMinute  int
}

func (f *feeder) minute(i int, injected []string) {
	f.t.Helper()
	start := t0.Add(time.Duration(i) * time.Minute)
	posts := make([]string, 0, f.perMinute+len(injected))
	for range f.perMinute {
		posts = append(posts, f.background[f.rng.IntN(len(f.background))])
	}
	posts = append(posts, injected...)
	f.rng.Shuffle(len(posts), func(a, b int) { posts[a], posts[b] = posts[b], posts[a] })
	for k, p := range posts {
		at := start.Add(time.Duration(k) * time.Minute / time.Duration(len(posts)))
		if !f.m.Offer(p, at) {
			f.t.Fatalf("post dropped at minute %d", i)
		}
	}
	drained(f.t, f.m)
	f.clk.set(start.Add(time.Minute - time.Second))
}

func newTestMiner(t *testing.T, clk *clock, heuristic bool) *Miner {
	t.Helper()
	m, err := New(Options{Window: 5 * time.Minute, Baseline: 30 * time.Minute, Workers: 2, QueueSize: 256, MaxRate: unlimited,
		Heuristic: heuristic, Logger: zaptest.NewLogger(t), Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestInjectedUnmappedComplaintRisesWithinMinutes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		heuristic bool
	}{{"pos tagging", false}, {"heuristic", true}} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock(t0)
			m := newTestMiner(t, clk, tc.heuristic)
			running(t, m)
			f := &feeder{t: t, m: m, clk: clk, rng: rand.New(rand.NewPCG(1, 2)),
				background: readLines(t, "testdata/background.txt"), perMinute: 20}
			injected := readLines(t, "testdata/injected.txt")

			const injectAt = 40
			for i := range injectAt {
				f.minute(i, nil)
			}
			if got := m.Snapshot(clk.now()); len(got) != 0 {
				t.Fatalf("before injection: rising %v, want none", texts(got))
			}
			// Three complaints a minute over twenty background posts.
			found := -1
			for i := injectAt; i < injectAt+10 && found < 0; i++ {
				f.minute(i, []string{injected[(3*i)%len(injected)], injected[(3*i+1)%len(injected)], injected[(3*i+2)%len(injected)]})
				got := m.Snapshot(clk.now())
				if len(got) > 0 && got[0].Text == "loyalty point" {
					found = i
					term := got[0]
					if term.Kind != KindPhrase || len(term.Samples) == 0 || !strings.Contains(term.Samples[0], "loyalty point") {
						t.Errorf("term = %+v, want a phrase with loyalty point samples", term)
					}
					if !term.FirstSeen.After(t0.Add(injectAt * time.Minute)) {
						t.Errorf("first seen %s, want after injection at %s", term.FirstSeen, t0.Add(injectAt*time.Minute))
					}
					t.Logf("minute +%d: %v", i-injectAt+1, got)
				}
			}
			if found < 0 {
				t.Fatalf("loyalty point not the top rising term within 10 minutes; rising: %v", texts(m.Snapshot(clk.now())))
			}
			if d := found - injectAt + 1; d > 3 {
				t.Errorf("found after %d minutes of event time, want at most 3", d)
			}
			if got := value(m.met.full) + value(m.met.shed); got != 0 {
				t.Errorf("dropped %v posts, want 0", got)
			}
		})
	}
}

func TestSteadyBackgroundRaisesNothing(t *testing.T) {
	clk := newClock(t0)
	m := newTestMiner(t, clk, true)
	running(t, m)
	f := &feeder{t: t, m: m, clk: clk, rng: rand.New(rand.NewPCG(3, 4)),
		background: readLines(t, "testdata/background.txt"), perMinute: 20}
	for i := range 90 {
		f.minute(i, nil)
		if got := m.Snapshot(clk.now()); len(got) != 0 {
			t.Fatalf("minute %d: rising %v, want none", i, texts(got))
		}
	}
}

func TestTermsExpireAfterTheRing(t *testing.T) {
	clk := newClock(t0)
	m := newTestMiner(t, clk, true)
	running(t, m)
	for i := range 40 {
		m.Offer("the loyalty points vanished", t0.Add(time.Duration(i)*time.Second))
	}
	drained(t, m)
	// Far later, one unrelated post rotates the ring past everything.
	clk.set(t0.Add(2 * time.Hour))
	m.Offer("the escalator squeaks", t0.Add(2*time.Hour))
	drained(t, m)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.st.terms["loyalty point"]; ok {
		t.Error("term still kept after its buckets left the ring")
	}
}

func TestPostOlderThanTheRingIsDropped(t *testing.T) {
	clk := newClock(t0.Add(2 * time.Hour))
	m := newTestMiner(t, clk, true)
	running(t, m)
	m.Offer("the escalator squeaks", t0.Add(2*time.Hour))
	drained(t, m)
	m.Offer("the loyalty points vanished", t0)
	drained(t, m)
	if got := value(m.met.tooOld); got != 1 {
		t.Errorf("too old = %v, want 1", got)
	}
}

// blockingExtractor stalls workers until release is closed.
type blockingExtractor struct {
	release chan struct{}
	started chan struct{}
	once    *sync.Once
}

func (b blockingExtractor) extract(text string, toks []token, dst []candidate) ([]token, []candidate) {
	b.once.Do(func() { close(b.started) })
	<-b.release
	return toks, dst
}

func TestOfferNeverBlocksWhenWorkersStall(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m, err := New(Options{QueueSize: 8, Workers: 1, Heuristic: true, Registerer: reg, MaxRate: unlimited})
	if err != nil {
		t.Fatal(err)
	}
	b := blockingExtractor{release: make(chan struct{}), started: make(chan struct{}), once: &sync.Once{}}
	m.ext = b
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	m.Offer("first post stalls the worker", t0)
	<-b.started

	const n = 10000
	queued := 0
	for i := range n {
		if m.Offer("the loyalty points vanished", t0.Add(time.Duration(i)*time.Millisecond)) {
			queued++
		}
	}
	if queued > 8 {
		t.Errorf("queued %d posts into a queue of 8", queued)
	}
	dropped := value(m.met.shed) + value(m.met.full)
	if int(dropped) != n-queued {
		t.Errorf("dropped %v, want %d", dropped, n-queued)
	}
	if got := value(m.met.offered); got != n+1 {
		t.Errorf("offered %v, want %d", got, n+1)
	}
	close(b.release)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Gather(); err != nil {
		t.Errorf("gather: %v", err)
	}
}

func TestSampleRateKeepsAFraction(t *testing.T) {
	m, err := New(Options{QueueSize: 100000, SampleRate: 0.1, Heuristic: true, MaxRate: unlimited})
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for range 10000 {
		if m.Offer("x", t0) {
			kept++
		}
	}
	if kept < 800 || kept > 1200 {
		t.Errorf("kept %d of 10000 at rate 0.1", kept)
	}
}

func TestRunTwiceIsRefused(t *testing.T) {
	m, err := New(Options{Heuristic: true})
	if err != nil {
		t.Fatal(err)
	}
	running(t, m)
	for !m.running.Load() {
		runtime.Gosched()
	}
	if err := m.Run(context.Background()); !errors.Is(err, ErrRunning) {
		t.Fatalf("second Run = %v, want ErrRunning", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"window shorter than a bucket", Options{Window: time.Second}},
		{"baseline shorter than window", Options{Window: 10 * time.Minute, Baseline: 5 * time.Minute}},
		{"sample rate above one", Options{SampleRate: 1.5}},
		{"negative workers", Options{Workers: -1}},
		{"growth below one", Options{MinGrowth: 0.5}},
		{"negative max rate", Options{MaxRate: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Heuristic = true
			if _, err := New(tc.o); err == nil {
				t.Error("New succeeded, want an error")
			}
		})
	}
}

func TestTermsGaugeCountsRisingTerms(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	clk := newClock(t0)
	m, err := New(Options{Window: 2 * time.Minute, Baseline: 2 * time.Minute, MinCount: 2, MinZ: 1, Heuristic: true,
		Registerer: reg, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	m.mu.Lock()
	for i := range 4 {
		m.st.add(nil, "", t0.Add(time.Duration(i)*time.Minute))
	}
	for range 3 {
		m.st.add([]candidate{{"loyalty point", KindPhrase}}, "lost my loyalty points", t0.Add(3*time.Minute))
	}
	m.mu.Unlock()
	clk.set(t0.Add(3*time.Minute + 30*time.Second))
	if got := gathered(t, reg, "socialpulse_emerging_terms"); got != 1 {
		t.Errorf("terms gauge = %v, want 1", got)
	}
}

// value reads a counter or gauge.
func value(m prometheus.Metric) float64 {
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		panic(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}

// gathered reads the single-series gauge or counter name from reg.
func gathered(t *testing.T, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.Metric) == 1 {
			if g := mf.Metric[0].Gauge; g != nil {
				return g.GetValue()
			}
			return mf.Metric[0].Counter.GetValue()
		}
	}
	t.Fatalf("metric %s not gathered", name)
	return 0
}

func texts(ts []Term) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Text
	}
	return out
}

// unlimited lifts the rate cap for simulations that offer hours of posts in
// milliseconds.
var unlimited = math.Inf(1)

// TestMaxRateCapsPostsASecond offers posts far faster than the cap on a
// fake wall clock: a second's worth goes through at once, then the cap's
// rate, and the rest are dropped as "rate" before they are copied.
func TestMaxRateCapsPostsASecond(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := New(Options{MaxRate: 100, QueueSize: 100000, Heuristic: true, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.wallNow = func() time.Time { return wall }
	kept := 0
	for range 10 { // 10 s, 1,000 offers a second
		for range 1000 {
			if m.Offer("the loyalty points vanished", wall) {
				kept++
			}
			wall = wall.Add(time.Millisecond)
		}
	}
	// 100 at the start (the full bucket) plus 100 a second for 10 s.
	if kept < 1000 || kept > 1100 {
		t.Fatalf("kept %d of 10,000 offered at 1,000/s with a cap of 100/s, want 1,000..1,100", kept)
	}
	var d dto.Metric
	if err := m.met.rate.Write(&d); err != nil {
		t.Fatal(err)
	}
	if got := d.GetCounter().GetValue(); int(got) != 10000-kept {
		t.Fatalf("rate drops %v, want %d", got, 10000-kept)
	}
}
