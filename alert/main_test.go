package alert

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/internal/testenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// store is one Redis backend under test with a fresh key prefix.
type store struct {
	rdb    redis.UniversalClient
	mr     *miniredis.Miniredis // nil for real Redis
	prefix string
}

// forEachRedis runs fn against miniredis and, when SOCIALPULSE_TEST_REDIS is
// set, against real Redis.
func forEachRedis(t *testing.T, fn func(t *testing.T, s store)) {
	t.Helper()
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { _ = rdb.Close() })
		fn(t, store{rdb: rdb, mr: mr, prefix: "t"})
	})
	t.Run("redis", func(t *testing.T) {
		addr := testenv.RedisAddr(t)
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { _ = rdb.Close() })
		fn(t, store{rdb: rdb, prefix: testenv.UniqueName(t, "alert")})
	})
}

// newOutbox builds an Outbox with fast test timings; tweak adjusts options.
func newOutbox(t *testing.T, s store, tweak func(*OutboxOptions), rs ...Receiver) *Outbox {
	t.Helper()
	o := OutboxOptions{
		Prefix:       s.prefix,
		Receivers:    rs,
		BackoffMin:   10 * time.Millisecond,
		BackoffMax:   50 * time.Millisecond,
		SendTimeout:  2 * time.Second,
		Lease:        5 * time.Second,
		PollInterval: 20 * time.Millisecond,
		Logger:       zaptest.NewLogger(t),
	}
	if tweak != nil {
		tweak(&o)
	}
	ob, err := NewOutbox(s.rdb, o)
	if err != nil {
		t.Fatal(err)
	}
	return ob
}

// run starts ob.Run and stops it when the test ends.
func run(t *testing.T, ob *Outbox) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ob.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testAlert returns a firing P1 alert about feature, version seq.
func testAlert(feature string, onset time.Time, seq int) Alert {
	fp := Fingerprint(feature, KindNegativeSurge)
	a := Alert{
		ID:          EpisodeID(fp, onset),
		Fingerprint: fp,
		Kind:        KindNegativeSurge,
		State:       StateFiring,
		Priority:    1,
		Sequence:    seq,
		StartsAt:    onset,
		UpdatedAt:   onset.Add(time.Duration(seq) * time.Minute),
		Evidence: Evidence{
			Feature: feature, FeatureName: feature, Owner: "payments-team", Criticality: 5,
			Window: 15 * time.Minute, Current: 40, Baseline: 10, ChangePct: 300,
			PValue: 1e-6, Score: 0.97, NegativeShare: 0.8, DistinctAuthors: 312, Reach: 120000,
			TopWords: []string{"declined", "error"},
			Samples: []Sample{{ID: "p1", Text: "my card was declined at " + feature, URL: "https://example.com/p1",
				Author: "ann", Followers: 1200, Time: onset}},
			DashboardURL: "https://grafana.example.com/d/spikes?var-feature=" + feature,
			APIURL:       "https://api.example.com/v1/spikes/" + feature,
		},
	}
	a.Summary = FormatSummary(a)
	return a
}

func resolved(a Alert, seq int) Alert {
	a.State = StateResolved
	a.Sequence = seq
	a.EndsAt = a.StartsAt.Add(time.Hour)
	a.UpdatedAt = a.EndsAt
	a.Summary = FormatSummary(a)
	return a
}

// recorder is an in-process receiver that counts what it gets per
// "<id>#<seq>" and fails or blocks as told.
type recorder struct {
	name string

	mu       sync.Mutex
	got      map[string]int
	order    []string
	failures int // fail this many sends first
	calls    int
	// block, when set, makes Send wait until its ctx ends.
	block   bool
	entered chan struct{}
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, got: map[string]int{}, entered: make(chan struct{}, 100)}
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Send(ctx context.Context, a Alert) error {
	r.mu.Lock()
	r.calls++
	block, fail := r.block, r.calls <= r.failures
	r.mu.Unlock()
	select {
	case r.entered <- struct{}{}:
	default:
	}
	if block {
		<-ctx.Done()
		return ctx.Err()
	}
	if fail {
		return errors.New("receiver unavailable")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := fmt.Sprintf("%s#%d", a.ID, a.Sequence)
	r.got[k]++
	r.order = append(r.order, k)
	return nil
}

func (r *recorder) count(a Alert) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[fmt.Sprintf("%s#%d", a.ID, a.Sequence)]
}

func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.got {
		n += c
	}
	return n
}

// metricValue reads a counter or gauge.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	}
	t.Fatalf("metric %v is neither counter nor gauge", m.Desc())
	return 0
}
