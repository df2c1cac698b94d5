package e2e

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

// flakyReceiver is a signed-webhook receiver that answers 503 while down.
// It keys every request by its X-Socialpulse-Delivery header ("<id>:<seq>"),
// which stays the same on every retry of one alert version.
type flakyReceiver struct {
	secret   string
	mu       sync.Mutex
	down     bool
	refused  map[string]int         // delivery key -> 503 answers
	accepted map[string]int         // delivery key -> 2xx answers
	firstOK  map[string]time.Time   // delivery key -> first 2xx
	states   map[string]alert.State // delivery key -> the version's state
	bad      int                    // bad signature, body or key
}

func newFlakyReceiver(secret string) *flakyReceiver {
	return &flakyReceiver{secret: secret, down: true, refused: map[string]int{}, accepted: map[string]int{},
		firstOK: map[string]time.Time{}, states: map[string]alert.State{}}
}

func (s *flakyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get(alert.HeaderDelivery)
	s.mu.Lock()
	defer s.mu.Unlock()
	var env alert.Envelope
	if err := alert.VerifyWebhook(s.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		s.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if err := json.Unmarshal(body, &env); err != nil || key != env.Alert.ID+":"+strconv.Itoa(env.Alert.Sequence) {
		s.bad++
		http.Error(w, "body does not match the delivery header", http.StatusBadRequest)
		return
	}
	s.states[key] = env.Alert.State
	if s.down {
		s.refused[key]++
		http.Error(w, "receiver down", http.StatusServiceUnavailable)
		return
	}
	if s.accepted[key] == 0 {
		s.firstOK[key] = time.Now()
	}
	s.accepted[key]++
}

func (s *flakyReceiver) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// refusedState reports whether a version in state st has been refused.
func (s *flakyReceiver) refusedState(st alert.State) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.refused {
		if s.states[k] == st {
			return true
		}
	}
	return false
}

// TestFaultAlertReceiverDown5m raises and resolves a checkout spike while
// the webhook receiver answers 503, keeps it down for five minutes, then
// brings it back: every alert's latest version must arrive, each earlier
// version must arrive or be superseded by a later delivered one (the outbox
// never sends an alert back in time), nothing may stay pending or fail, and
// repeats are counted (delivery is at least once; receivers dedupe on the
// delivery header).
func TestFaultAlertReceiverDown5m(t *testing.T) {
	if testing.Short() {
		t.Skip("a five-minute receiver outage; CI runs it (without -short)")
	}
	t.Parallel()
	const partitions = 3
	const step = 10 * time.Second // small buckets keep the test short, as in spike_test.go
	const outage = 5 * time.Minute
	// Retries back off up to alerting.retry_backoff_max, so the first retry
	// after the receiver returns comes within that.
	const backoffMax = 30 * time.Second
	// A private broker and Redis: this test runs for ten minutes, and the
	// outbox state must not depend on the shared services staying up.
	k := testenv.StartKafka(t)
	r := testenv.StartRedis(t)
	e := newEnvOn(t, partitions, []string{k.Addr}, r.Addr, nil)
	rcv := newFlakyReceiver("fault-secret")
	hook := httptest.NewServer(rcv)
	defer hook.Close()

	tr := &kafka.Transport{MetadataTTL: 200 * time.Millisecond}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(e.brokers...), Topic: e.topic, Balancer: &kafka.Hash{}, BatchTimeout: 2 * time.Millisecond,
		RequiredAcks: kafka.RequireAll, Transport: tr}
	defer w.Close()
	feed := &spikeFeed{t: t, w: w, texts: newSpikeTexts(t), rng: rand.New(rand.NewPCG(7, 8))}
	now := time.Now().Truncate(step)
	for b := now.Add(-3 * time.Hour); b.Before(now); b = b.Add(step) {
		feed.bucket(b, step, feed.background())
	}

	downAt := time.Now() // the receiver has answered 503 from the start
	env := []string{
		"SOCIALPULSE_MATRIX_BUCKET=" + step.String(), "SOCIALPULSE_MATRIX_WINDOWS=1m,5m",
		"SOCIALPULSE_DETECTOR_GRACE=3s", "SOCIALPULSE_DETECTOR_WARMUP=2h", "SOCIALPULSE_DETECTOR_LEASE_TTL=5s",
		"SOCIALPULSE_ALERTING_RETRY_BACKOFF_MAX=" + backoffMax.String(),
		"SOCIALPULSE_ALERTING_WEBHOOK_URL=" + hook.URL, "SOCIALPULSE_ALERTING_WEBHOOK_SECRET=" + rcv.secret,
		"SOCIALPULSE_ALERTING_PUBLIC_URL=http://socialpulse.example", "SOCIALPULSE_EMERGING_ENABLED=false",
	}
	e.startProcessor("p1", env...)
	e.startProcessor("p2", env...)

	live := func(d time.Duration, factor int) {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			b := time.Now().Truncate(step)
			feed.bucket(b, step, feed.background()*factor)
			time.Sleep(time.Until(b.Add(step)))
		}
	}
	live(40*time.Second, 1)
	deadline := time.Now().Add(3 * time.Minute)
	for !rcv.refusedState(alert.StateFiring) {
		if time.Now().After(deadline) {
			t.Fatal("no firing alert was attempted 3 minutes into the surge")
		}
		live(step, 4)
	}
	t.Logf("firing alert refused %v after the receiver went down", time.Since(downAt).Round(time.Second))
	deadline = time.Now().Add(3 * time.Minute)
	for !rcv.refusedState(alert.StateResolved) {
		if time.Now().After(deadline) {
			t.Fatal("no resolved version was attempted 3 minutes after the surge")
		}
		live(step, 1)
	}
	t.Logf("resolved version refused %v after the receiver went down", time.Since(downAt).Round(time.Second))
	live(time.Until(downAt.Add(outage)), 1)
	rcv.setDown(false)
	upAt := time.Now()
	t.Logf("receiver back after %v down", upAt.Sub(downAt).Round(time.Second))

	ob, err := alert.NewOutbox(e.rdb, alert.OutboxOptions{Prefix: e.prefix})
	if err != nil {
		t.Fatal(err)
	}
	var recs []alert.Record
	deadline = upAt.Add(backoffMax + time.Minute)
	for {
		var settled bool
		recs, settled = outboxSettled(t, ob, rcv)
		if settled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not settled %v after the receiver came back: %+v", time.Since(upAt).Round(time.Second), recs)
		}
		live(step, 1)
	}

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.bad > 0 {
		t.Errorf("receiver rejected %d requests (signature, body or delivery header)", rcv.bad)
	}
	if len(recs) == 0 {
		t.Fatal("no alert was raised")
	}
	versions, delivered, superseded, dups, refused := 0, 0, 0, 0, 0
	for _, n := range rcv.refused {
		refused += n
	}
	for _, rec := range recs {
		status := map[int]alert.DeliveryStatus{}
		for _, d := range rec.Deliveries {
			if d.Receiver == "webhook" {
				status[d.Sequence] = d
			}
		}
		sort.Slice(rec.Versions, func(i, j int) bool { return rec.Versions[i].Sequence < rec.Versions[j].Sequence })
		for _, v := range rec.Versions {
			d := status[v.Sequence]
			d.Sequence = v.Sequence
			key := rec.Alert.ID + ":" + strconv.Itoa(d.Sequence)
			versions++
			n := rcv.accepted[key]
			switch {
			case n > 0:
				delivered++
				dups += n - 1
				t.Logf("alert %s version %d (%s): delivered %d time(s), %v after the receiver came back; %d attempts, %d refused",
					rec.Alert.ID, d.Sequence, rcv.states[key], n, rcv.firstOK[key].Sub(upAt).Round(time.Second), d.Attempts, rcv.refused[key])
			case d.State == alert.DeliverySuperseded:
				superseded++
				t.Logf("alert %s version %d (%s): superseded by a later version delivered first; %d attempts, %d refused",
					rec.Alert.ID, d.Sequence, rcv.states[key], d.Attempts, rcv.refused[key])
			default:
				t.Errorf("alert %s version %d: never delivered (outbox state %s)", rec.Alert.ID, d.Sequence, d.State)
			}
			if n > 1 {
				t.Logf("alert %s version %d delivered %d times (duplicates; receivers dedupe on %s)", rec.Alert.ID, d.Sequence, n, alert.HeaderDelivery)
			}
		}
	}
	t.Logf("%d alerts, %d versions: %d delivered, %d superseded, %d duplicate deliveries, %d requests refused while down",
		len(recs), versions, delivered, superseded, dups, refused)
}

// outboxSettled reads every alert's record and reports whether each
// version's webhook delivery is finished: the latest version received by
// the receiver, earlier ones received or superseded.
func outboxSettled(t *testing.T, ob *alert.Outbox, rcv *flakyReceiver) ([]alert.Record, bool) {
	t.Helper()
	ctx := context.Background()
	latest, _, err := ob.List(ctx, alert.Query{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	settled := len(latest) > 0
	recs := make([]alert.Record, 0, len(latest))
	for _, a := range latest {
		rec, err := ob.Get(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
		if rcv.accepted[a.ID+":"+strconv.Itoa(a.Sequence)] == 0 {
			settled = false
		}
		status := map[int]string{}
		for _, d := range rec.Deliveries {
			if d.Receiver == "webhook" {
				status[d.Sequence] = d.State
			}
		}
		for _, v := range rec.Versions {
			st := status[v.Sequence]
			if st != alert.DeliverySuperseded && (st != alert.DeliveryDelivered || rcv.accepted[a.ID+":"+strconv.Itoa(v.Sequence)] == 0) {
				settled = false
			}
		}
	}
	return recs, settled
}
