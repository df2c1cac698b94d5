package monitor

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/detect"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

// t0 is a Monday midnight (UTC) 3 to 10 days ago: recent enough that the
// matrix keys the tests write, which expire a retention (14 days) after
// their bucket on the server's clock, outlive the test, and on a fixed
// weekday and hour so that runs on different days see the same weeks.
var t0 = func() time.Time {
	d := time.Now().UTC().Add(-3 * 24 * time.Hour).Truncate(24 * time.Hour)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}()

var features = []feature.Feature{
	{ID: "checkout", Name: "Checkout", Owner: "web-team", Criticality: 5},
	{ID: "search", Name: "Search", Owner: "search-team", Criticality: 2},
}

// world is a matrix in miniredis (or a real Redis) with a clock the test
// moves.
type world struct {
	t      *testing.T
	rdb    *redis.Client
	prefix string
	store  *impactmatrix.Store
	outbox *alert.Outbox
	now    time.Time
	prev   int64
	rng    *rand.Rand
	author int // the last author id handed out
}

func newWorld(t *testing.T) *world {
	mr := miniredis.RunT(t)
	return newWorldOn(t, redis.NewClient(&redis.Options{Addr: mr.Addr()}), "t")
}

// newWorldOn builds a world on rdb, its keys under prefix; it closes rdb
// when the test ends.
func newWorldOn(t *testing.T, rdb *redis.Client, prefix string) *world {
	t.Cleanup(func() { rdb.Close() })
	w := &world{t: t, rdb: rdb, prefix: prefix, now: t0, prev: -1, rng: rand.New(rand.NewPCG(1, 2))}
	var err error
	if w.store, err = impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: prefix, Now: func() time.Time { return w.now }}); err != nil {
		t.Fatal(err)
	}
	if w.outbox, err = alert.NewOutbox(rdb, alert.OutboxOptions{Prefix: prefix, Now: func() time.Time { return w.now }}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.Register(context.Background(), impactmatrix.Source{Topic: "posts", Partition: 0}); err != nil {
		t.Fatal(err)
	}
	return w
}

// minute writes one minute of posts: checkout gets neg negative mentions,
// each by an author of its own, and both features some neutral chatter.
func (w *world) minute(start time.Time, neg int) { w.minuteBy(start, neg, 0) }

// minuteBy is minute with the negative checkout mentions written by the
// given number of accounts in turn (0: each by an author of its own).
func (w *world) minuteBy(start time.Time, neg, accounts int) {
	d := impactmatrix.NewDelta(time.Minute)
	first := w.author + 1
	for i := range neg {
		at := start.Add(10*time.Second + time.Duration(i)*10*time.Millisecond)
		d.Add(at, "checkout", impactmatrix.Negative, -0.6, 1)
		author := w.author + 1
		if accounts > 0 {
			author = first + i%accounts
		}
		w.author = max(w.author, author)
		d.AddAuthor(at, "checkout", impactmatrix.AuthorKey("x", strconv.Itoa(author), ""))
	}
	for range 20 {
		d.Add(start.Add(20*time.Second), "checkout", impactmatrix.Neutral, 0, 1)
		d.Add(start.Add(20*time.Second), "search", impactmatrix.Neutral, 0, 1)
	}
	for range w.rng.IntN(4) {
		d.Add(start.Add(30*time.Second), "search", impactmatrix.Negative, -0.5, 1)
		w.author++
		d.AddAuthor(start.Add(30*time.Second), "search", impactmatrix.AuthorKey("x", strconv.Itoa(w.author), ""))
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
	m, err := New(Options{Matrix: w.store, Publisher: w.outbox, Redis: w.rdb, Prefix: w.prefix, Instance: instance,
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

func TestBurstFromAHandfulOfAccountsDoesNotAlertButFromManyDoes(t *testing.T) {
	backends := []struct {
		name  string
		world func(t *testing.T) *world
	}{
		{"miniredis", newWorld},
		{"redis", func(t *testing.T) *world {
			return newWorldOn(t, redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(t)}), testenv.UniqueName(t, "t"))
		}},
	}
	// 60 negative checkout posts in 15 seconds, on a feature with a
	// complaint every 10 minutes, by this many accounts; then (join) this
	// many customers complaining in the next minute, each once.
	tests := []struct {
		name           string
		accounts, join int
		wantAlerts     int
		wantHeld       float64
	}{
		{"3 accounts are held and never published", 3, 0, 0, 1},
		{"4 accounts are held and never published", 4, 0, 0, 1},
		{"50 accounts are published at once", 50, 0, 1, 0},
		{"3 accounts joined by 20 customers are published when they join", 3, 20, 1, 1},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					w := b.world(t)
					ctx := context.Background()
					m := w.monitor("a")
					burst := t0.Add(205 * time.Minute)
					var publishedAt time.Time
					for i := range 260 {
						start := t0.Add(time.Duration(i) * time.Minute)
						switch {
						case start.Equal(burst):
							w.minuteBy(start, 60, tt.accounts)
						case start.Equal(burst.Add(time.Minute)) && tt.join > 0:
							w.minute(start, tt.join)
						case i%10 == 0:
							w.minute(start, 1)
						default:
							w.minute(start, 0)
						}
						if i < 180 {
							continue
						}
						w.now = start.Add(time.Minute + 20*time.Second)
						if err := m.Tick(ctx); err != nil {
							t.Fatal(err)
						}
						if publishedAt.IsZero() && len(w.alerts()) > 0 {
							publishedAt = start.Add(time.Minute)
						}
						if start.Equal(burst) && tt.accounts < DefaultMinAuthors && m.series["checkout"].lastDecision.State != detect.StateFiring {
							t.Fatal("the detector did not fire on the burst: the test shows nothing")
						}
					}
					all := w.alerts()
					if len(all) != tt.wantAlerts {
						t.Fatalf("alerts = %d, want %d: %+v", len(all), tt.wantAlerts, all)
					}
					if got := value(t, m.m.held.WithLabelValues("checkout")); got != tt.wantHeld {
						t.Errorf("held spikes = %v, want %v", got, tt.wantHeld)
					}
					if got := value(t, m.m.holding.WithLabelValues("checkout")); got != 0 {
						t.Errorf("a spike is still held after the burst ended")
					}
					if tt.wantAlerts == 0 {
						return
					}
					a := all[0]
					wantAt, minAuthors := burst.Add(time.Minute), int64(tt.accounts)
					if tt.join > 0 {
						wantAt, minAuthors = burst.Add(2*time.Minute), int64(tt.accounts+tt.join)
					}
					if !publishedAt.Equal(wantAt) || !a.StartsAt.Equal(burst) {
						t.Errorf("published at %v, starting %v; want at %v, starting at the burst %v", publishedAt, a.StartsAt, wantAt, burst)
					}
					rec, err := w.outbox.Get(ctx, a.ID)
					if err != nil {
						t.Fatal(err)
					}
					if got := rec.Versions[0].Evidence.DistinctAuthors; got < minAuthors || got > minAuthors+1 {
						t.Errorf("evidence shows %d distinct authors, want %d (or one more for a background post)", got, minAuthors)
					}
				})
			}
		})
	}
}

// value reads a counter or gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}
