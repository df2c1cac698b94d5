package monitor

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
)

var t0 = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

var features = []feature.Feature{
	{ID: "checkout", Name: "Checkout", Owner: "web-team", Criticality: 5},
	{ID: "search", Name: "Search", Owner: "search-team", Criticality: 2},
}

// world is a matrix in miniredis with a clock the test moves.
type world struct {
	t      *testing.T
	rdb    *redis.Client
	store  *impactmatrix.Store
	outbox *alert.Outbox
	now    time.Time
	prev   int64
	rng    *rand.Rand
}

func newWorld(t *testing.T) *world {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	w := &world{t: t, rdb: rdb, now: t0, prev: -1, rng: rand.New(rand.NewPCG(1, 2))}
	var err error
	if w.store, err = impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: "t", Now: func() time.Time { return w.now }}); err != nil {
		t.Fatal(err)
	}
	if w.outbox, err = alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: "t", Now: func() time.Time { return w.now }}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.Register(context.Background(), impactmatrix.Source{Topic: "posts", Partition: 0}); err != nil {
		t.Fatal(err)
	}
	return w
}

// minute writes one minute of posts: checkout gets neg negative mentions,
// and both features some neutral chatter.
func (w *world) minute(start time.Time, neg int) {
	d := impactmatrix.NewDelta(time.Minute)
	for range neg {
		d.Add(start.Add(10*time.Second), "checkout", impactmatrix.Negative, -0.6, 1)
	}
	for range 20 {
		d.Add(start.Add(20*time.Second), "checkout", impactmatrix.Neutral, 0, 1)
		d.Add(start.Add(20*time.Second), "search", impactmatrix.Neutral, 0, 1)
	}
	for range w.rng.IntN(4) {
		d.Add(start.Add(30*time.Second), "search", impactmatrix.Negative, -0.5, 1)
	}
	if err := w.store.Apply(context.Background(), impactmatrix.Source{Topic: "posts", Partition: 0}, w.prev, w.prev+1, d); err != nil {
		w.t.Fatal(err)
	}
	w.prev++
	if neg > 0 {
		_ = w.store.AddSamples(context.Background(), "checkout", impactmatrix.Negative, []impactmatrix.Sample{
			{ID: "p", Text: "checkout fails with a payment gateway timeout", Followers: 100, Time: start},
			{ID: "q", Text: "gateway timeout at checkout again", Followers: 300, Time: start},
		})
	}
}

func (w *world) monitor(instance string) *Monitor {
	m, err := New(Options{Matrix: w.store, Publisher: w.outbox, Redis: w.rdb, Prefix: "t", Instance: instance,
		Features: func() []feature.Feature { return features }, APIURL: "http://sp.example",
		Logger: zaptest.NewLogger(w.t), Now: func() time.Time { return w.now }})
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// background is Poisson-like noise around 5 negative checkout posts a minute.
func (w *world) background() int { return 3 + w.rng.IntN(5) }

func (w *world) alerts() []alert.Alert {
	all, _, err := w.outbox.List(context.Background(), alert.Query{Limit: 500})
	if err != nil {
		w.t.Fatal(err)
	}
	return all
}

func TestSurgeRaisesOneAlertThatResolves(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := w.monitor("a")
	// Three hours of background before the monitor starts.
	for i := range 180 {
		w.minute(t0.Add(time.Duration(i)*time.Minute), w.background())
	}
	surgeStart := t0.Add(200 * time.Minute)
	var firedAt time.Time
	for i := 180; i < 260; i++ {
		start := t0.Add(time.Duration(i) * time.Minute)
		n := w.background()
		if !start.Before(surgeStart) && start.Before(surgeStart.Add(15*time.Minute)) {
			n *= 4 // the incident
		}
		w.minute(start, n)
		w.now = start.Add(time.Minute + 20*time.Second)
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if firedAt.IsZero() && len(w.alerts()) > 0 {
			firedAt = start.Add(time.Minute)
		}
	}
	all := w.alerts()
	if len(all) != 1 {
		t.Fatalf("alerts = %d, want exactly 1: %+v", len(all), all)
	}
	a := all[0]
	if delay := firedAt.Sub(surgeStart); delay > 2*time.Minute {
		t.Errorf("alert raised %v after the surge began, want within 2m", delay)
	}
	if a.Evidence.Feature != "checkout" || a.Evidence.Owner != "web-team" || a.Priority > 2 {
		t.Errorf("alert = feature %s owner %s P%d, want checkout/web-team P1-P2", a.Evidence.Feature, a.Evidence.Owner, a.Priority)
	}
	if a.State != alert.StateResolved || a.EndsAt.IsZero() {
		t.Errorf("alert state %s ends %v, want resolved after the surge", a.State, a.EndsAt)
	}
	rec, err := w.outbox.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	first := rec.Versions[0]
	if first.Evidence.ChangePct < 100 || first.Evidence.Current <= first.Evidence.Baseline || len(first.Evidence.Samples) == 0 ||
		first.Evidence.APIURL != "http://sp.example/api/v1/spikes/"+a.ID || first.Evidence.NegativeShare <= 0 {
		t.Errorf("first version's evidence is incomplete: %+v", first.Evidence)
	}
	if len(first.Evidence.TopWords) == 0 || first.Evidence.TopWords[0] != "gateway" && first.Evidence.TopWords[0] != "timeout" {
		t.Errorf("top words = %v", first.Evidence.TopWords)
	}
}

func TestFlatNoisyWeekRaisesNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	m := w.monitor("a")
	for i := range 7 * 24 * 60 { // a week, one tick a minute
		start := t0.Add(time.Duration(i) * time.Minute)
		w.minute(start, w.background())
		if i < 120 {
			continue
		}
		w.now = start.Add(time.Minute + 20*time.Second)
		if err := m.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if all := w.alerts(); len(all) != 0 {
		t.Fatalf("flat background raised %d alerts, first: %s", len(all), all[0].Summary)
	}
}

func TestNewLeaderContinuesTheOpenAlert(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, b := w.monitor("a"), w.monitor("b")
	for i := range 180 {
		w.minute(t0.Add(time.Duration(i)*time.Minute), w.background())
	}
	step := func(i, neg int, ms ...*Monitor) {
		start := t0.Add(time.Duration(i) * time.Minute)
		w.minute(start, neg)
		w.now = start.Add(time.Minute + 20*time.Second)
		for _, m := range ms {
			if err := m.Tick(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := 180; i < 185; i++ {
		step(i, w.background(), a, b)
	}
	if !a.leader || b.leader {
		t.Fatalf("leaders: a=%v b=%v, want only a", a.leader, b.leader)
	}
	for i := 185; i < 190; i++ {
		step(i, 25, a, b) // surge: a raises the alert
	}
	if n := len(w.alerts()); n != 1 {
		t.Fatalf("alerts after the surge = %d, want 1", n)
	}
	a.release() // a stops
	for i := 190; i < 195; i++ {
		step(i, 25, b)
	}
	if !b.leader {
		t.Fatal("b did not take the lease over")
	}
	all := w.alerts()
	if len(all) != 1 || all[0].State != alert.StateFiring {
		t.Fatalf("after the take-over: %d alerts (%+v), want the one open alert continued", len(all), all)
	}
	for i := 195; i < 240; i++ {
		step(i, w.background(), b)
	}
	all = w.alerts()
	if len(all) != 1 || all[0].State != alert.StateResolved {
		t.Fatalf("after the surge: %d alerts, state %s; want one, resolved", len(all), all[0].State)
	}
}
