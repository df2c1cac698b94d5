package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/sentiment"
)

// webhookSink is an alert receiver that checks signatures and counts
// deliveries per (alert, version).
type webhookSink struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	got    map[string]int // "<id>:<sequence>" -> deliveries
	alerts []alert.Alert
	bad    int
}

func (s *webhookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := alert.VerifyWebhook(s.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		s.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var env alert.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		s.bad++
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.got[env.Alert.ID+":"+strconv.Itoa(env.Alert.Sequence)]++
	s.alerts = append(s.alerts, env.Alert)
}

func (s *webhookSink) snapshot() ([]alert.Alert, map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := make(map[string]int, len(s.got))
	for k, v := range s.got {
		got[k] = v
	}
	return append([]alert.Alert(nil), s.alerts...), got, s.bad
}

// spikeTexts are post texts that the default taxonomy and scorer read as
// one feature with one sentiment, checked before they are used.
type spikeTexts struct {
	complaints []string // negative, about checkout only
	chatter    []string // no feature or not negative
}

func newSpikeTexts(t *testing.T) spikeTexts {
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var sc enrich.Scratch
	var st spikeTexts
	for _, c := range []string{
		"checkout keeps failing, I can't place my order",
		"checkout rejected my address again, so annoying",
		"checkout failed three times, terrible",
		"can't complete checkout, it just errors out. awful",
	} {
		r := en.Enrich(c, "en", &sc)
		if len(r.Features) != 1 || r.Features[0].ID != "checkout" || r.Features[0].Label != sentiment.Negative {
			t.Fatalf("complaint %q enriches as %+v; the test needs checkout-only negatives", c, r.Features)
		}
		st.complaints = append(st.complaints, c)
	}
	for _, c := range []string{
		"what time does the winter sale start?",
		"just ordered a new jacket, love it",
		"the new search is great, found it in seconds",
		"is there a student discount this week?",
		"delivery arrived early, thanks!",
	} {
		r := en.Enrich(c, "en", &sc)
		for _, f := range r.Features {
			if f.Label == sentiment.Negative {
				t.Fatalf("chatter %q has a negative feature %+v", c, f)
			}
		}
		st.chatter = append(st.chatter, c)
	}
	return st
}

// spikeFeed produces posts per bucket: negative checkout complaints and
// chatter, event-timed inside the bucket.
type spikeFeed struct {
	t     *testing.T
	w     *kafka.Writer
	texts spikeTexts
	rng   *rand.Rand
	seq   int
}

func (f *spikeFeed) bucket(start time.Time, step time.Duration, complaints int) {
	msgs := make([]kafka.Message, 0, complaints+10)
	add := func(text string) {
		f.seq++
		at := start.Add(time.Duration(f.rng.Int64N(int64(step))))
		v, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("s%d", f.seq), "text": text, "created_at": at.UTC().Format(time.RFC3339Nano),
			"url": fmt.Sprintf("https://social.example/p/%d", f.seq), "author": map[string]any{"id": "u" + strconv.Itoa(f.seq%97), "handle": "@u" + strconv.Itoa(f.seq%97), "followers": 50 + f.rng.IntN(5000)}})
		msgs = append(msgs, kafka.Message{Key: []byte(strconv.Itoa(f.seq)), Value: v})
	}
	for range complaints {
		add(f.texts.complaints[f.rng.IntN(len(f.texts.complaints))])
	}
	for range 10 {
		add(f.texts.chatter[f.rng.IntN(len(f.texts.chatter))])
	}
	if err := f.w.WriteMessages(context.Background(), msgs...); err != nil {
		f.t.Fatalf("produce: %v", err)
	}
}

// background is 2-4 checkout complaints a bucket.
func (f *spikeFeed) background() int { return 2 + f.rng.IntN(3) }

// amLists reports whether Alertmanager lists an active alert for feature.
func amLists(t *testing.T, base, feature string) bool {
	t.Helper()
	resp, err := http.Get(base + "/api/v2/alerts?active=true&silenced=true&inhibited=true")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Labels["feature"] == feature && a.Labels["alertname"] == "SocialpulseSpike" {
			return true
		}
	}
	return false
}

// TestSurgeRaisesOneAlertDeliveredOnce is the alerting promise end to end:
// three processors share the posts; a 4x surge of checkout complaints over
// realistic background raises exactly one P1/P2 alert within two minutes of
// event time, delivered once to a signed webhook and to a real Alertmanager,
// and resolved after the surge. At the end every dashboard query returns
// data from a real Prometheus scraping the three processors.
func TestSurgeRaisesOneAlertDeliveredOnce(t *testing.T) {
	const partitions = 3
	const step = 10 * time.Second // small buckets keep the test short; the detector scales by step
	promBin := testenv.PrometheusBinary(t)
	amURL := testenv.StartAlertmanager(t)
	e := newEnv(t, partitions)
	sink := &webhookSink{t: t, secret: "e2e-secret", got: map[string]int{}}
	hook := httptest.NewServer(sink)
	defer hook.Close()

	tr := &kafka.Transport{MetadataTTL: 200 * time.Millisecond}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(e.brokers...), Topic: e.topic, Balancer: &kafka.Hash{}, BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: tr}
	defer w.Close()
	feed := &spikeFeed{t: t, w: w, texts: newSpikeTexts(t), rng: rand.New(rand.NewPCG(5, 6))}
	tokens := newWebTokens(t) // the web page's subtest signs in with these

	// Three hours of history, event-timed in the past, so baselines exist.
	now := time.Now().Truncate(step)
	for b := now.Add(-3 * time.Hour); b.Before(now); b = b.Add(step) {
		feed.bucket(b, step, feed.background())
	}

	env := []string{
		"SOCIALPULSE_MATRIX_BUCKET=" + step.String(), "SOCIALPULSE_MATRIX_WINDOWS=1m,5m",
		"SOCIALPULSE_DETECTOR_GRACE=3s", "SOCIALPULSE_DETECTOR_WARMUP=2h", "SOCIALPULSE_DETECTOR_LEASE_TTL=5s",
		"SOCIALPULSE_ALERTING_WEBHOOK_URL=" + hook.URL, "SOCIALPULSE_ALERTING_WEBHOOK_SECRET=" + sink.secret,
		"SOCIALPULSE_ALERTING_ALERTMANAGER_URL=" + amURL, "SOCIALPULSE_ALERTING_PUBLIC_URL=http://socialpulse.example",
		"SOCIALPULSE_EMERGING_ENABLED=false", "SOCIALPULSE_API_TOKENS_FILE=" + tokens.file,
	}
	var addrs []string
	for _, name := range []string{"p1", "p2", "p3"} {
		addr := freeAddr(t)
		addrs = append(addrs, addr)
		e.startProcessor(name, append(env, "SOCIALPULSE_HTTP_LISTEN="+addr)...)
	}
	prom := startPrometheus(t, promBin, addrs...)

	// Live: background, then the surge, then background until it resolves.
	live := func(d time.Duration, factor int) {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			b := time.Now().Truncate(step)
			feed.bucket(b, step, feed.background()*factor)
			time.Sleep(time.Until(b.Add(step)))
		}
	}
	live(40*time.Second, 1)
	surgeStart := time.Now().Truncate(step)
	live(60*time.Second, 4)
	// While it fires, Alertmanager's API lists it (delivery is asynchronous:
	// keep the surge going while polling).
	amDeadline := time.Now().Add(time.Minute)
	for !amLists(t, amURL, "checkout") {
		if time.Now().After(amDeadline) {
			t.Fatal("Alertmanager does not list a firing checkout alert a minute into the surge")
		}
		live(step, 4)
	}
	// Every dashboard panel has data now, the open spike included: wait
	// until Prometheus has scraped the open-alert gauge, then query.
	for {
		if v, err := prom.scalar("sum(socialpulse_alerts_open)"); err == nil && v > 0 {
			break
		}
		if time.Now().After(amDeadline.Add(time.Minute)) {
			t.Fatal("Prometheus never saw an open alert")
		}
		live(step, 4)
	}
	checkDashboardQueries(t, prom, nil)
	surgeEnd := time.Now()

	var fired alert.Alert
	deadline := time.Now().Add(2 * time.Minute)
	for {
		live(step, 1)
		alerts, _, _ := sink.snapshot()
		resolved := false
		for _, a := range alerts {
			if fired.ID == "" && a.State == alert.StateFiring {
				fired = a
			}
			if a.State == alert.StateResolved {
				resolved = true
			}
		}
		if resolved {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no resolved alert 2 minutes after the surge ended at %v; webhook got %+v", surgeEnd, alerts)
		}
	}

	alerts, counts, bad := sink.snapshot()
	if bad > 0 {
		t.Errorf("webhook refused %d deliveries (signature or body)", bad)
	}
	ids := map[string]bool{}
	for _, a := range alerts {
		ids[a.ID] = true
	}
	if len(ids) != 1 {
		t.Fatalf("webhook got %d distinct alerts, want exactly 1: %+v", len(ids), alerts)
	}
	for k, n := range counts {
		if n != 1 {
			t.Errorf("alert version %s delivered %d times, want once", k, n)
		}
	}
	if fired.Evidence.Feature != "checkout" || fired.Priority > 2 || fired.Evidence.Owner == "" {
		t.Errorf("alert is %s P%d owner %q, want checkout P1/P2 with an owner", fired.Evidence.Feature, fired.Priority, fired.Evidence.Owner)
	}
	if delay := fired.UpdatedAt.Sub(surgeStart); delay > 2*time.Minute {
		t.Errorf("alert raised %v of event time after the surge began, want within 2m", delay)
	}
	ev := fired.Evidence
	if ev.Current <= ev.Baseline || ev.ChangePct <= 0 || len(ev.Samples) == 0 || ev.APIURL == "" || ev.NegativeShare <= 0 {
		t.Errorf("evidence incomplete: %+v", ev)
	}
	t.Logf("alert %s: %s; raised %v after the surge began (event time)", fired.ID, fired.Summary, fired.UpdatedAt.Sub(surgeStart))

	// Resolved: Alertmanager no longer lists it as active.
	amDeadline = time.Now().Add(time.Minute)
	for amLists(t, amURL, "checkout") {
		if time.Now().After(amDeadline) {
			t.Fatal("Alertmanager still lists the checkout alert a minute after it resolved")
		}
		time.Sleep(time.Second)
	}

	// The web page shows the spike to a person (e2e/webui_test.go). Fresh
	// background posts first, so the live heatmap's 5m window has them.
	live(step, 1)
	t.Run("web page", func(t *testing.T) {
		checkWebUI(t, "http://"+addrs[0], fired, tokens, feed.texts.complaints)
	})
}
