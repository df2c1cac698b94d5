package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

func TestNewOutboxRejectsBadOptions(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}) // never dialled
	defer rdb.Close()
	tests := []struct {
		name string
		o    OutboxOptions
	}{
		{"duplicate receiver names", OutboxOptions{Receivers: []Receiver{newRecorder("a"), newRecorder("a")}}},
		{"receiver name with a colon", OutboxOptions{Receivers: []Receiver{newRecorder("a:b")}}},
		{"lease not longer than send timeout", OutboxOptions{SendTimeout: time.Second, Lease: time.Second}},
		{"backoff max below min", OutboxOptions{BackoffMin: time.Second, BackoffMax: time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewOutbox(rdb, tt.o); err == nil {
				t.Fatal("NewOutbox accepted bad options")
			}
		})
	}
}

func TestPublishIsIdempotentAcrossConcurrentPublishers(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		a := testAlert("checkout", t0, 1)
		obs := []*Outbox{
			newOutbox(t, s, nil, newRecorder("hook"), newRecorder("chat")),
			newOutbox(t, s, nil, newRecorder("hook"), newRecorder("chat")),
		}
		const publishers = 8
		results := make(chan bool, publishers)
		var wg sync.WaitGroup
		for i := range publishers {
			wg.Go(func() {
				ok, err := obs[i%2].Publish(ctx, a)
				if err != nil {
					t.Error(err)
				}
				results <- ok
			})
		}
		wg.Wait()
		close(results)
		stored := 0
		for ok := range results {
			if ok {
				stored++
			}
		}
		if stored != 1 {
			t.Fatalf("%d publishers stored the alert, want exactly 1", stored)
		}
		rec, err := obs[0].Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Versions) != 1 || len(rec.Deliveries) != 2 {
			t.Fatalf("got %d versions and %d deliveries, want 1 and 2 (one per receiver)", len(rec.Versions), len(rec.Deliveries))
		}
		for _, r := range []string{"hook", "chat"} {
			if n := s.rdb.ZCard(ctx, obs[0].queueKey(r)).Val(); n != 1 {
				t.Errorf("receiver %s has %d queued deliveries, want 1", r, n)
			}
		}
	})
}

func TestDeliveryRetriesUntilReceiverSucceeds(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		rec := newRecorder("flaky")
		rec.failures = 3
		reg := prometheus.NewPedanticRegistry()
		ob := newOutbox(t, s, func(o *OutboxOptions) { o.Registerer = reg }, rec)
		a := testAlert("checkout", t0, 1)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		run(t, ob)
		eventually(t, 10*time.Second, "alert delivered after retries", func() bool { return rec.count(a) == 1 })
		// The outbox counts a delivery after the receiver returns and
		// acknowledges it after counting: read the counters once the
		// acknowledgement is stored, not when the receiver has the alert.
		eventually(t, 5*time.Second, "delivery acknowledged", func() bool {
			r, err := ob.Get(ctx, a.ID)
			return err == nil && len(r.Deliveries) == 1 && r.Deliveries[0].State == DeliveryDelivered
		})
		if got := metricValue(t, ob.m.deliveries.WithLabelValues("flaky", resultError)); got != 3 {
			t.Errorf("deliveries_total{result=error} = %v, want 3", got)
		}
		if got := metricValue(t, ob.m.deliveries.WithLabelValues("flaky", resultOK)); got != 1 {
			t.Errorf("deliveries_total{result=ok} = %v, want 1", got)
		}
		r, _ := ob.Get(ctx, a.ID)
		if d := r.Deliveries[0]; d.Attempts != 4 || d.LastError == "" {
			t.Errorf("delivery status %+v, want 4 attempts and the last error kept", d)
		}
		if rec.total() != 1 {
			t.Errorf("receiver accepted %d deliveries, want 1", rec.total())
		}
		if _, err := reg.Gather(); err != nil {
			t.Error(err)
		}
	})
}

func TestMaxAttemptsMarksDeliveryFailed(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		rec := newRecorder("down")
		rec.failures = 1 << 30
		ob := newOutbox(t, s, func(o *OutboxOptions) { o.MaxAttempts = 2 }, rec)
		a := testAlert("checkout", t0, 1)
		if _, err := ob.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		run(t, ob)
		eventually(t, 10*time.Second, "delivery marked failed", func() bool {
			r, err := ob.Get(ctx, a.ID)
			return err == nil && r.Deliveries[0].State == DeliveryFailed && r.Deliveries[0].Attempts == 2
		})
		if n := s.rdb.ZCard(ctx, ob.queueKey("down")).Val(); n != 0 {
			t.Errorf("failed delivery still queued (%d)", n)
		}
	})
}

func TestDeadReceiverDoesNotDelayOthers(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		srv500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusInternalServerError)
		}))
		defer srv500.Close()
		hang := newRecorder("hang")
		hang.block = true
		good := newRecorder("good")
		ob := newOutbox(t, s, func(o *OutboxOptions) {
			o.SendTimeout = 30 * time.Second
			o.Lease = time.Minute
		}, Named("broken", NewWebhook(srv500.URL, "s", nil)), hang, good)
		run(t, ob)
		start := time.Now()
		var alerts []Alert
		for i := range 5 {
			a := testAlert(fmt.Sprintf("feature%d", i), t0, 1)
			alerts = append(alerts, a)
			if _, err := ob.Publish(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		// Far below the hanging receiver's 30s send timeout.
		eventually(t, 5*time.Second, "all alerts delivered to the healthy receiver", func() bool { return good.total() == len(alerts) })
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("healthy receiver took %v", d)
		}
	})
}

func TestTwoOutboxesDeliverEachAlertOnce(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		var mu sync.Mutex
		got := map[string]int{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			mu.Lock()
			got[r.Header.Get(HeaderDelivery)]++
			mu.Unlock()
		}))
		defer srv.Close()
		a1 := newOutbox(t, s, func(o *OutboxOptions) { o.Workers = 2 }, NewWebhook(srv.URL, "s", srv.Client()))
		a2 := newOutbox(t, s, func(o *OutboxOptions) { o.Workers = 2 }, NewWebhook(srv.URL, "s", srv.Client()))
		run(t, a1)
		run(t, a2)
		const n = 20
		for i := range n {
			ob := []*Outbox{a1, a2}[i%2]
			if _, err := ob.Publish(ctx, testAlert(fmt.Sprintf("f%02d", i), t0, 1)); err != nil {
				t.Fatal(err)
			}
		}
		eventually(t, 15*time.Second, "every alert delivered and acknowledged", func() bool {
			mu.Lock()
			distinct := len(got)
			mu.Unlock()
			return distinct == n && s.rdb.ZCard(ctx, a1.queueKey("webhook")).Val() == 0
		})
		mu.Lock()
		defer mu.Unlock()
		for k, c := range got {
			if c != 1 {
				t.Errorf("delivery %s received %d times, want 1", k, c)
			}
		}
	})
}

func TestCrashedClaimIsRetriedAfterLeaseExpires(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		const lease = 1500 * time.Millisecond
		tweak := func(o *OutboxOptions) { o.SendTimeout = 500 * time.Millisecond; o.Lease = lease }
		crashed := newOutbox(t, s, tweak, newRecorder("hook"))
		a := testAlert("checkout", t0, 1)
		if _, err := crashed.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		// The worker claims the delivery and dies before settling it.
		c, _, err := crashed.claimNext(ctx, "hook")
		if err != nil || c == nil {
			t.Fatalf("claim: %v, %v", c, err)
		}
		claimedAt := time.Now()

		rec := newRecorder("hook")
		survivor := newOutbox(t, s, tweak, rec)
		run(t, survivor)
		eventually(t, 10*time.Second, "delivery retried by another worker", func() bool { return rec.count(a) == 1 })
		if d := time.Since(claimedAt); d < lease-200*time.Millisecond {
			t.Errorf("retried %v after the claim, before the %v lease expired", d, lease)
		}
		r, err := survivor.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := r.Deliveries[0]; d.Attempts != 2 {
			t.Errorf("attempts = %d, want 2 (crashed claim + retry)", d.Attempts)
		}
	})
}

func TestShutdownMidSendReleasesDelivery(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		tweak := func(o *OutboxOptions) { o.SendTimeout = 20 * time.Second; o.Lease = time.Minute }
		stuck := newRecorder("hook")
		stuck.block = true
		first := newOutbox(t, s, tweak, stuck)
		a := testAlert("checkout", t0, 1)
		if _, err := first.Publish(ctx, a); err != nil {
			t.Fatal(err)
		}
		stop := run(t, first)
		select {
		case <-stuck.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("first worker never started sending")
		}
		stop() // cancels mid-send

		rec := newRecorder("hook")
		run(t, newOutbox(t, s, tweak, rec))
		// Well before the one-minute lease: the delivery was released.
		eventually(t, 5*time.Second, "delivery retried after shutdown", func() bool { return rec.count(a) == 1 })
	})
}

func TestVersionsReachReceiverInSequenceOrder(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		rec := newRecorder("hook")
		ob := newOutbox(t, s, nil, rec)
		a := testAlert("checkout", t0, 1)
		for _, v := range []Alert{a, func() Alert { b := a; b.Sequence = 2; b.Priority = 2; return b }(), resolved(a, 3)} {
			if _, err := ob.Publish(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		run(t, ob)
		eventually(t, 10*time.Second, "resolved version delivered", func() bool { return rec.count(resolved(a, 3)) == 1 })
		eventually(t, 5*time.Second, "queue drained", func() bool { return s.rdb.ZCard(ctx, ob.queueKey("hook")).Val() == 0 })
		rec.mu.Lock()
		defer rec.mu.Unlock()
		want := []string{a.ID + "#1", a.ID + "#2", a.ID + "#3"}
		if fmt.Sprint(rec.order) != fmt.Sprint(want) {
			t.Errorf("receiver saw %v, want %v", rec.order, want)
		}
	})
}

func TestGaugesComeFromHistory(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		ob := newOutbox(t, s, func(o *OutboxOptions) { o.Registerer = prometheus.NewRegistry() }, newRecorder("hook"))
		a, b, c := testAlert("checkout", t0, 1), testAlert("login", t0, 1), testAlert("search", t0, 1)
		c.Priority = 3
		for _, x := range []Alert{a, b, c, resolved(b, 2)} {
			if _, err := ob.Publish(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		if err := ob.refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if got := metricValue(t, ob.m.open.WithLabelValues("P1", "payments-team")); got != 1 {
			t.Errorf("open{P1} = %v, want 1 (login resolved)", got)
		}
		if got := metricValue(t, ob.m.open.WithLabelValues("P3", "payments-team")); got != 1 {
			t.Errorf("open{P3} = %v, want 1", got)
		}
		if got := metricValue(t, ob.m.pending.WithLabelValues("hook")); got != 4 {
			t.Errorf("pending{hook} = %v, want 4", got)
		}
		if got := metricValue(t, ob.m.published.WithLabelValues("P1", "resolved")); got != 1 {
			t.Errorf("published{P1,resolved} = %v, want 1", got)
		}
	})
}

func TestPublishRejectsInvalidAlerts(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ob := newOutbox(t, s, nil)
		a := testAlert("checkout", t0, 1)
		a.ID = "has|pipe"
		if _, err := ob.Publish(context.Background(), a); err == nil {
			t.Fatal("Publish accepted an id with '|'")
		}
		b := testAlert("checkout", t0, 1)
		b.State = StateResolved
		if _, err := ob.Publish(context.Background(), b); err == nil {
			t.Fatal("Publish accepted a resolved alert without endsAt")
		}
	})
}

// Alerts stored in JSON round-trip unchanged (the outbox stores JSON).
func TestAlertJSONRoundTrip(t *testing.T) {
	a := resolved(testAlert("checkout", t0, 1), 2)
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Alert
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back) != fmt.Sprint(a) {
		t.Fatalf("round trip changed the alert:\n%v\n%v", back, a)
	}
}

// funcReceiver adapts a function to Receiver.
type funcReceiver struct {
	name string
	send func(context.Context, Alert) error
}

func (f funcReceiver) Name() string                            { return f.name }
func (f funcReceiver) Send(ctx context.Context, a Alert) error { return f.send(ctx, a) }

func TestOlderVersionIsSkippedOnceANewerOneWasDelivered(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		var mu sync.Mutex
		var seen []int
		failedFirst := false
		hook := funcReceiver{name: "hook", send: func(_ context.Context, a Alert) error {
			mu.Lock()
			defer mu.Unlock()
			if a.Sequence == 1 && !failedFirst {
				failedFirst = true
				return fmt.Errorf("temporary failure")
			}
			seen = append(seen, a.Sequence)
			return nil
		}}
		ob := newOutbox(t, s, func(o *OutboxOptions) { o.BackoffMin, o.BackoffMax = 300*time.Millisecond, 300*time.Millisecond }, hook)
		a := testAlert("checkout", t0, 1)
		for _, v := range []Alert{a, resolved(a, 2)} {
			if _, err := ob.Publish(ctx, v); err != nil {
				t.Fatal(err)
			}
		}
		run(t, ob)
		eventually(t, 10*time.Second, "both versions settled", func() bool {
			r, err := ob.Get(ctx, a.ID)
			if err != nil {
				return false
			}
			return r.Deliveries[0].State == DeliverySuperseded && r.Deliveries[1].State == DeliveryDelivered
		})
		mu.Lock()
		defer mu.Unlock()
		if fmt.Sprint(seen) != "[2]" {
			t.Errorf("receiver got sequences %v, want only [2]: firing must not follow resolved", seen)
		}
	})
}

type resendRecorder struct {
	*recorder
	every time.Duration
}

func (r resendRecorder) ResendInterval() time.Duration { return r.every }

func TestFiringAlertsAreResentToResenders(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		rec := resendRecorder{newRecorder("am"), 100 * time.Millisecond}
		ob := newOutbox(t, s, nil, rec)
		firing, done := testAlert("checkout", t0, 1), resolved(testAlert("login", t0, 1), 1)
		for _, a := range []Alert{firing, done} {
			if _, err := ob.Publish(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		run(t, ob)
		eventually(t, 10*time.Second, "firing alert re-sent", func() bool {
			if s.mr != nil {
				s.mr.FastForward(rec.every) // miniredis expires keys on FastForward only
			}
			return rec.count(firing) >= 3
		})
		if n := rec.count(done); n != 1 {
			t.Errorf("resolved alert sent %d times, want 1", n)
		}
	})
}

func TestDeliveryLogsNeverContainSecrets(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		srv := newCapture(t, http.StatusInternalServerError)
		core, logs := observer.New(zap.DebugLevel)
		ob := newOutbox(t, s, func(o *OutboxOptions) { o.Logger = zap.New(core) },
			NewSlack(srv.URL+"/services/T0/B0/SLACKTOKEN"),
			NewWebhook("http://127.0.0.1:1/hook?key=HOOKTOKEN", "WEBHOOKSECRET", nil))
		if _, err := ob.Publish(context.Background(), testAlert("checkout", t0, 1)); err != nil {
			t.Fatal(err)
		}
		run(t, ob)
		eventually(t, 10*time.Second, "both receivers failed at least twice", func() bool {
			return metricValue(t, ob.m.deliveries.WithLabelValues("slack", resultError)) >= 2 &&
				metricValue(t, ob.m.deliveries.WithLabelValues("webhook", resultError)) >= 2
		})
		for _, e := range logs.All() {
			line := fmt.Sprint(e.Message, e.ContextMap())
			for _, secret := range []string{"SLACKTOKEN", "HOOKTOKEN", "WEBHOOKSECRET"} {
				if strings.Contains(line, secret) {
					t.Errorf("log line leaks %s: %s", secret, line)
				}
			}
		}
	})
}

func TestOpenIncidentsCountDistinctIncidentLabels(t *testing.T) {
	forEachRedis(t, func(t *testing.T, s store) {
		ctx := context.Background()
		ob := newOutbox(t, s, func(o *OutboxOptions) { o.Registerer = prometheus.NewRegistry() })
		checkout, availability, search, login := testAlert("checkout", t0, 1), testAlert("availability", t0, 1),
			testAlert("search", t0, 1), testAlert("login", t0, 1)
		checkout.Incident, availability.Incident = checkout.ID, checkout.ID // one outage
		search.Incident = search.ID                                         // another, resolved below
		// login was raised before incidents were labelled: its own.
		for _, x := range []Alert{checkout, availability, search, login, resolved(search, 2)} {
			if _, err := ob.Publish(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		if err := ob.refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if got := metricValue(t, ob.m.incidents); got != 2 {
			t.Errorf("open incidents = %v, want 2 (the outage and the unlabelled login alert)", got)
		}
		if got := metricValue(t, ob.m.open.WithLabelValues("P1", "payments-team")); got != 3 {
			t.Errorf("open{P1} = %v, want 3 alerts", got)
		}
	})
}

func TestParseOpenValueReadsBothFormats(t *testing.T) {
	cases := []struct {
		name, v                   string
		priority, owner, incident string
	}{
		{"with an incident", "P1|web-team|abc-123", "P1", "web-team", "abc-123"},
		{"without an owner", "P2||abc-123", "P2", "", "abc-123"},
		{"written before incidents", "P3|web-team", "P3", "web-team", ""},
		{"an unlabelled alert", "P1|web-team|", "P1", "web-team", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, o, i := parseOpenValue(c.v)
			if p != c.priority || o != c.owner || i != c.incident {
				t.Errorf("parseOpenValue(%q) = %q %q %q", c.v, p, o, i)
			}
		})
	}
}
