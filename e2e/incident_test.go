package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/api/incidents"
	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/sentiment"
)

// outageFeatures are the two features the test's outage hits.
var outageFeatures = []string{"checkout", "availability"}

// outagePoint is one bucket of the outage features' counts, summed over
// the two features, as the test produced them.
type outagePoint struct{ negative, scored, scoreSum float64 }

// outageFeed produces posts and keeps its own account of what it produced
// per bucket: for each post, the enricher's reading of the two outage
// features (the same reading the processor makes; the texts are checked to
// read as intended).
type outageFeed struct {
	t        *testing.T
	w        *kafka.Writer
	en       *enrich.Enricher
	sc       enrich.Scratch
	rng      *rand.Rand
	step     time.Duration
	seq      int
	produced int64
	series   map[int64]*outagePoint // bucket start (Unix seconds) -> counts

	checkout, availability, praise, chatter []string
}

func newOutageFeed(t *testing.T, w *kafka.Writer, step time.Duration) *outageFeed {
	t.Helper()
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	f := &outageFeed{t: t, w: w, en: en, rng: rand.New(rand.NewPCG(16, 17)), step: step, series: map[int64]*outagePoint{}}
	only := func(texts []string, id string, label sentiment.Label) []string {
		for _, c := range texts {
			r := en.Enrich(c, "en", &f.sc)
			if len(r.Features) != 1 || r.Features[0].ID != id || r.Features[0].Label != label {
				t.Fatalf("%q enriches as %+v; the test needs it to be about %s only, label %v", c, r.Features, id, label)
			}
		}
		return texts
	}
	f.checkout = only([]string{
		"checkout keeps failing, I can't place my order",
		"checkout failed three times, terrible",
		"can't complete checkout, it just errors out. awful",
	}, "checkout", sentiment.Negative)
	f.availability = only([]string{
		"website won't load, just a blank page after 5 minutes. useless",
		"site so slow it's unusable, 30 seconds per page. awful",
		"can't load anything on the site, 10 minutes now. servers down?",
	}, "availability", sentiment.Negative)
	f.praise = only([]string{
		"checkout was quick and easy, love it",
		"checkout took seconds, great job",
	}, "checkout", sentiment.Positive)
	f.chatter = []string{
		"what time does the winter sale start?",
		"is there a student discount this week?",
		"delivery arrived early, thanks!",
	}
	for _, c := range f.chatter {
		r := en.Enrich(c, "en", &f.sc)
		for _, ft := range r.Features {
			if slices.Contains(outageFeatures, ft.ID) {
				t.Fatalf("chatter %q mentions outage feature %s", c, ft.ID)
			}
		}
	}
	return f
}

// message makes a post at `at` and records it in the feed's series.
func (f *outageFeed) message(at time.Time, text, handle string) kafka.Message {
	f.seq++
	if handle == "" {
		handle = "@u" + strconv.Itoa(f.seq%97)
	}
	v, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("o%d", f.seq), "text": text, "lang": "en",
		"created_at": at.UTC().Format(time.RFC3339Nano), "url": fmt.Sprintf("https://social.example/p/%d", f.seq),
		"author": map[string]any{"id": "a" + handle, "handle": handle, "followers": 50 + f.rng.IntN(5000)}})
	r := f.en.Enrich(text, "en", &f.sc)
	for _, ft := range r.Features {
		if !slices.Contains(outageFeatures, ft.ID) || ft.Label == sentiment.Unscored {
			continue
		}
		k := at.Truncate(f.step).Unix()
		p := f.series[k]
		if p == nil {
			p = &outagePoint{}
			f.series[k] = p
		}
		p.scored++
		p.scoreSum += ft.Score
		if ft.Label == sentiment.Negative {
			p.negative++
		}
	}
	return kafka.Message{Key: []byte(strconv.Itoa(f.seq)), Value: v}
}

func (f *outageFeed) write(msgs ...kafka.Message) {
	if err := f.w.WriteMessages(context.Background(), msgs...); err != nil {
		f.t.Fatalf("produce: %v", err)
	}
	f.produced += int64(len(msgs))
}

// bucket produces one bucket's posts, event-timed inside it: the background
// complaints about each feature times factor, praise of checkout and
// chatter about nothing the outage touches.
func (f *outageFeed) bucket(start time.Time, factor float64) {
	var msgs []kafka.Message
	add := func(n int, texts []string) {
		for range n {
			at := start.Add(time.Duration(f.rng.Int64N(int64(f.step))))
			msgs = append(msgs, f.message(at, texts[f.rng.IntN(len(texts))], ""))
		}
	}
	add(int(math.Round(float64(2+f.rng.IntN(3))*factor)), f.checkout)
	add(int(math.Round(float64(1+f.rng.IntN(3))*factor)), f.availability)
	add(6+f.rng.IntN(2), f.praise) // enough that the share band is under 1
	add(4, f.chatter)
	f.write(msgs...)
}

// at is the feed's counts in the bucket starting at t (zero when it
// produced nothing there).
func (f *outageFeed) at(t time.Time) outagePoint {
	if p := f.series[t.Unix()]; p != nil {
		return *p
	}
	return outagePoint{}
}

// expectedMeasures are the README's incident measures computed by the test
// from what it produced.
type expectedMeasures struct {
	mu, sigma, share, shareSD, scored float64 // baseline
	volUpper, shareUpper              float64
	onset, peak, recovered            time.Time
	hasOnset, hasRecovered            bool
}

// expect computes the measures from the feed's series: the baseline over
// the 3 hours before start, the band (k = 2), the onset before alert, the
// peak and the recovery (hold of buckets in band), up to (not including)
// the bucket starting at end.
func (f *outageFeed) expect(start, alertAt, end time.Time, hold time.Duration) expectedMeasures {
	var m expectedMeasures
	step := f.step
	start = start.Truncate(step)
	var neg, scored float64
	var buckets, shareBuckets []outagePoint
	for b := start.Add(-3 * time.Hour); b.Before(start); b = b.Add(step) {
		p := f.at(b)
		buckets = append(buckets, p)
		neg += p.negative
		scored += p.scored
		if p.scored > 0 {
			shareBuckets = append(shareBuckets, p)
		}
	}
	n := float64(len(buckets))
	m.mu, m.scored = neg/n, scored/n
	if scored > 0 {
		m.share = neg / scored
	}
	for _, p := range buckets {
		m.sigma += (p.negative - m.mu) * (p.negative - m.mu)
	}
	m.sigma = math.Sqrt(m.sigma / n)
	for _, p := range shareBuckets {
		s := p.negative / p.scored
		m.shareSD += (s - m.share) * (s - m.share)
	}
	if len(shareBuckets) > 0 {
		m.shareSD = math.Sqrt(m.shareSD / float64(len(shareBuckets)))
	}
	m.volUpper = m.mu + 2*math.Max(math.Max(m.sigma, math.Sqrt(m.mu)), 1)
	binom := 0.0
	if m.scored > 0 {
		binom = math.Sqrt(m.share * (1 - m.share) / m.scored)
	}
	m.shareUpper = m.share + 2*math.Max(m.shareSD, binom)
	excess := func(t time.Time) bool { return f.at(t).negative > m.volUpper }
	inBand := func(t time.Time) bool {
		p := f.at(t)
		return p.negative <= m.volUpper && (p.scored == 0 || p.negative/p.scored <= m.shareUpper)
	}

	// Onset: the run of excess buckets ending at the last excess bucket at
	// or before the last bucket starting before the alert.
	for b := alertAt.Add(-1).Truncate(step); !b.Before(start.Add(-3 * time.Hour)); b = b.Add(-step) {
		if excess(b) {
			for excess(b.Add(-step)) && !b.Add(-step).Before(start.Add(-3*time.Hour)) {
				b = b.Add(-step)
			}
			m.onset, m.hasOnset = b, true
			break
		}
	}
	from := start
	if m.hasOnset {
		from = m.onset
	}
	m.peak = from
	for b := from; b.Before(end); b = b.Add(step) {
		if f.at(b).negative > f.at(m.peak).negative {
			m.peak = b
		}
	}
	need := int((hold + step - 1) / step)
	run := 0
	for b := m.peak.Add(step); b.Before(end); b = b.Add(step) {
		if !inBand(b) {
			run = 0
			continue
		}
		if run++; run == need {
			m.recovered, m.hasRecovered = b.Add(-time.Duration(need-1)*step), true
			break
		}
	}
	return m
}

// excessBetween is Σ max(0, negative - μ) over the buckets in [from, to).
func (f *outageFeed) excessBetween(from, to time.Time, mu float64) float64 {
	var sum float64
	for b := from; b.Before(to); b = b.Add(f.step) {
		sum += math.Max(0, f.at(b).negative-mu)
	}
	return sum
}

// outageWindow sums the buckets in [from, to).
type outageWindow struct{ buckets, negative, scored, scoreSum float64 }

func (f *outageFeed) window(from, to time.Time) outageWindow {
	var w outageWindow
	for b := from; b.Before(to); b = b.Add(f.step) {
		p := f.at(b)
		w.buckets++
		w.negative += p.negative
		w.scored += p.scored
		w.scoreSum += p.scoreSum
	}
	return w
}

// effect is the change at a milestone at t (aligned to a bucket): volume per
// bucket, negative share and mean sentiment, after minus before.
func (f *outageFeed) effect(t time.Time, w time.Duration) (volume, share, sentiment float64) {
	b, a := f.window(t.Add(-w), t), f.window(t, t.Add(w))
	return a.negative/a.buckets - b.negative/b.buckets, a.negative/a.scored - b.negative/b.scored,
		a.scoreSum/a.scored - b.scoreSum/b.scored
}

// amIncidentGroups lists Alertmanager's groups of socialpulse spike alerts:
// the group's incident label -> the features of its alerts.
func amIncidentGroups(t *testing.T, base string) map[string][]string {
	t.Helper()
	q := url.Values{"filter": {`alertname="` + alert.AlertmanagerAlertName + `"`}}
	resp, err := http.Get(base + "/api/v2/alerts/groups?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var groups []struct {
		Labels map[string]string `json:"labels"`
		Alerts []struct {
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&groups); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, g := range groups {
		for _, a := range g.Alerts {
			out[g.Labels["incident"]] = append(out[g.Labels["incident"]], a.Labels["feature"])
		}
		slices.Sort(out[g.Labels["incident"]])
	}
	return out
}

// getJSON reads an API resource with a bearer token.
func getJSON(t *testing.T, u, token string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// TestOutageAcrossTwoFeaturesIsOneIncidentWithItsResponseMeasured is the
// incident promise end to end, against real Kafka, Redis and Alertmanager
// (with the shipped route): an outage surges checkout and availability
// complaints together; both spikes are one incident and one Alertmanager
// group; the brand's account posts a statement, recorded on the incident
// as a statement milestone; the surge then decays. The incident's time to
// detect, time to first response, time to recover, excess negative posts
// and the change at the statement equal what the test computes from the
// posts it produced with the README's formulas, within one bucket.
func TestOutageAcrossTwoFeaturesIsOneIncidentWithItsResponseMeasured(t *testing.T) {
	t.Parallel()
	const partitions = 2
	const step = 10 * time.Second // small buckets keep the test short
	const hold, window = time.Minute, time.Minute
	amCfg, err := os.ReadFile(filepath.Join("..", "deploy", "alertmanager", "alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	amURL := testenv.StartAlertmanagerWithConfig(t, string(amCfg))
	e := newEnv(t, partitions)
	sink := &webhookSink{t: t, secret: "e2e-secret", got: map[string]int{}}
	hook := httptest.NewServer(sink)
	defer hook.Close()
	tokens := newWebTokens(t)

	tr := &kafka.Transport{MetadataTTL: 200 * time.Millisecond}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(e.brokers...), Topic: e.topic, Balancer: &kafka.Hash{}, BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: tr}
	defer w.Close()
	feed := newOutageFeed(t, w, step)

	// History, event-timed in the past, so that detector and incident
	// baselines exist (the incident's baseline is the 3 hours before it).
	now := time.Now().Truncate(step)
	for b := now.Add(-3*time.Hour - 20*time.Minute); b.Before(now); b = b.Add(step) {
		feed.bucket(b, 1)
	}

	addr := freeAddr(t)
	e.startProcessor("p1",
		"SOCIALPULSE_MATRIX_BUCKET="+step.String(), "SOCIALPULSE_MATRIX_WINDOWS=1m,5m",
		// A grace of most of a bucket: a bucket is judged once, so posts the
		// processor applies after its grace (it lags under the race detector
		// beside the other end-to-end tests) would not count.
		"SOCIALPULSE_DETECTOR_GRACE=8s", "SOCIALPULSE_DETECTOR_WARMUP=2h", "SOCIALPULSE_DETECTOR_LEASE_TTL=5s",
		"SOCIALPULSE_ALERTING_WEBHOOK_URL="+hook.URL, "SOCIALPULSE_ALERTING_WEBHOOK_SECRET="+sink.secret,
		"SOCIALPULSE_ALERTING_ALERTMANAGER_URL="+amURL, "SOCIALPULSE_ALERTING_PUBLIC_URL=http://socialpulse.example",
		"SOCIALPULSE_EMERGING_ENABLED=false", "SOCIALPULSE_API_TOKENS_FILE="+tokens.file,
		"SOCIALPULSE_INCIDENTS_BRAND_HANDLES=shop",
		"SOCIALPULSE_INCIDENTS_RECOVER_HOLD="+hold.String(), "SOCIALPULSE_INCIDENTS_EFFECT_WINDOW="+window.String(),
		"SOCIALPULSE_HTTP_LISTEN="+addr)
	api := "http://" + addr + "/api/v1/incidents"

	// live produces the current bucket, then waits for the next one.
	var lastEnd time.Time
	live := func(factor float64) {
		b := time.Now().Truncate(step)
		feed.bucket(b, factor)
		lastEnd = b.Add(step)
		time.Sleep(time.Until(lastEnd))
	}
	for end := time.Now().Add(40 * time.Second); time.Now().Before(end); {
		live(1)
	}

	// The outage: both features surge until both spikes have paged.
	const surge = 6
	firing := func() map[string]alert.Alert {
		alerts, _, _ := sink.snapshot()
		first := map[string]alert.Alert{}
		for _, a := range alerts {
			if a.State == alert.StateFiring && a.Sequence == 1 {
				first[a.Evidence.Feature] = a
			}
		}
		return first
	}
	surgeStart := time.Now().Truncate(step)
	deadline := time.Now().Add(3 * time.Minute)
	for f := firing(); f["checkout"].ID == "" || f["availability"].ID == ""; f = firing() {
		if time.Now().After(deadline) {
			t.Fatalf("3 minutes into the outage the webhook has first versions for %v, want checkout and availability", slices.Sorted(maps.Keys(f)))
		}
		live(surge)
	}
	// One Alertmanager group holds both (delivery is asynchronous: the
	// outage goes on while polling).
	var groups map[string][]string
	deadline = time.Now().Add(time.Minute)
	for {
		groups = amIncidentGroups(t, amURL)
		n := 0
		for _, fs := range groups {
			n += len(fs)
		}
		if n >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Alertmanager groups a minute after both spikes paged: %v", groups)
		}
		live(surge)
	}

	// The outage fills the statement's before window.
	for time.Now().Truncate(step).Before(surgeStart.Add(window)) {
		live(surge)
	}

	// The statement: a post of the brand's account at a bucket start.
	statement := time.Now().Truncate(step)
	feed.write(feed.message(statement, "We know some of you cannot check out right now. A fix is rolling out, updates here soon.", "@shop"))

	// The outage goes on a moment, then decays back to the background.
	for _, factor := range []float64{surge, 4, 3, 2, 1.5} {
		live(factor)
	}

	// The alert and the incident's start as paged (webhook), which the
	// expected measures need.
	first := firing()
	alertAt, start := time.Time{}, time.Time{}
	for _, a := range first {
		if alertAt.IsZero() || a.UpdatedAt.Before(alertAt) {
			alertAt = a.UpdatedAt
		}
		if start.IsZero() || a.StartsAt.Before(start) {
			start = a.StartsAt
		}
	}
	// Background until the test's own reading of the series has recovered
	// and the statement's after window is complete.
	var want expectedMeasures
	deadline = time.Now().Add(4 * time.Minute)
	for {
		live(1)
		want = feed.expect(start, alertAt, lastEnd, hold)
		if want.hasRecovered && !lastEnd.Before(statement.Add(window)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the produced series has not recovered 4 minutes after the decay (band %.2f negatives, %.3f share)", want.volUpper, want.shareUpper)
		}
	}
	e.waitApplied(t, partitions, feed.produced, true, 2*time.Minute)

	// Every alert carries one incident, and Alertmanager has one group.
	alerts, _, bad := sink.snapshot()
	if bad > 0 {
		t.Errorf("webhook refused %d deliveries", bad)
	}
	id := first["checkout"].Incident
	for _, a := range alerts {
		if a.Incident != id || id == "" {
			t.Errorf("alert %s (%s, %s) carries incident %q, want the outage's %q", a.ID, a.Evidence.Feature, a.State, a.Incident, id)
		}
	}
	if len(groups) != 1 || !slices.Equal(groups[id], outageFeaturesSorted()) {
		t.Errorf("Alertmanager groups = %v, want one group %q with %v", groups, id, outageFeaturesSorted())
	}

	// The API: one incident with both features, the brand's statement.
	var list incidents.List
	q := url.Values{"from": {start.Add(-time.Hour).UTC().Format(time.RFC3339)}, "to": {time.Now().Add(time.Minute).UTC().Format(time.RFC3339)}}
	getJSON(t, api+"?"+q.Encode(), tokens.read, &list)
	if len(list.Incidents) != 1 {
		t.Fatalf("API lists %d incidents, want 1: %+v", len(list.Incidents), list.Incidents)
	}
	in := list.Incidents[0]
	gotFeatures := slices.Sorted(slices.Values(in.Features))
	if in.ID != id || !slices.Equal(gotFeatures, outageFeaturesSorted()) || !in.Start.Equal(start) {
		t.Errorf("incident %s features %v start %v, want %s with %v from %v", in.ID, in.Features, in.Start, id, outageFeaturesSorted(), start)
	}
	var d incidents.Detail
	getJSON(t, api+"/"+url.PathEscape(id), tokens.read, &d)
	var stmts []alert.Milestone
	for _, m := range d.Milestones {
		if m.Type == "statement" {
			stmts = append(stmts, m)
		}
	}
	if len(stmts) != 1 || stmts[0].Source != alert.SourceBrandPost || !stmts[0].Time.Equal(statement) {
		t.Fatalf("statement milestones %+v, want one from the brand post at %v", stmts, statement)
	}
	m := d.Measures
	if m == nil {
		t.Fatalf("incident has no measures: %v", d.Warnings)
	}
	t.Logf("incident %s: start %v alert %v statement %v; baseline μ=%.3f σ=%.3f p=%.3f band %.2f / %.3f; want onset %v peak %v recovered %v",
		id, start, alertAt, statement, want.mu, want.sigma, want.share, want.volUpper, want.shareUpper, want.onset, want.peak, want.recovered)

	// The measures, each against the test's reading within one bucket.
	if !m.Alert.Equal(alertAt) {
		t.Errorf("alert %v, want the first page at %v", m.Alert, alertAt)
	}
	if want.shareUpper >= 1 {
		t.Errorf("the share band is %.3f: recovery would not depend on the negative share", want.shareUpper)
	}
	if math.Abs(m.VolumeUpper-want.volUpper) > 1e-3 || math.Abs(m.ShareUpper-want.shareUpper) > 1e-3 {
		t.Errorf("band %.4f negatives / %.4f share, want %.4f / %.4f", m.VolumeUpper, m.ShareUpper, want.volUpper, want.shareUpper)
	}
	within := func(name string, got *float64, want time.Duration) {
		t.Helper()
		if got == nil {
			t.Errorf("%s unknown, want %v", name, want)
			return
		}
		if g := time.Duration(*got * float64(time.Second)); (g - want).Abs() > step {
			t.Errorf("%s = %v, want %v within one bucket (%v)", name, g, want, step)
		}
	}
	if !want.hasOnset {
		t.Fatalf("no excess bucket precedes the alert in the produced series (band %.2f)", want.volUpper)
	}
	within("time to detect", m.TimeToDetectSeconds, alertAt.Sub(want.onset))
	within("time to first response", m.TimeToFirstResponseSeconds, statement.Sub(alertAt))
	within("time to recover", m.TimeToRecoverSeconds, want.recovered.Sub(alertAt))
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, o := range []time.Duration{-step, 0, step} {
		for _, r := range []time.Duration{-step, 0, step} {
			x := feed.excessBetween(want.onset.Add(o), want.recovered.Add(r), want.mu)
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
	}
	if m.ExcessNegative < lo-1e-6 || m.ExcessNegative > hi+1e-6 {
		t.Errorf("excess negative posts = %v, want %v (%v to %v with the onset or recovery a bucket off)",
			m.ExcessNegative, feed.excessBetween(want.onset, want.recovered, want.mu), lo, hi)
	}
	if len(m.Effects) != 1 {
		t.Fatalf("effects %+v, want one (the statement)", m.Effects)
	}
	ef := m.Effects[0]
	if !ef.Complete {
		t.Errorf("the statement's windows are incomplete: %+v", ef)
	}
	inRange := func(name string, got float64, pick func(v, s, m float64) float64, tol float64) {
		t.Helper()
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, o := range []time.Duration{-step, 0, step} {
			x := pick(feed.effect(statement.Add(o), window))
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		if got < lo-tol || got > hi+tol {
			t.Errorf("%s change at the statement = %.4f, want %.4f (%.4f to %.4f with the statement a bucket off)",
				name, got, pick(feed.effect(statement, window)), lo, hi)
		}
	}
	inRange("negative volume", ef.VolumeChange, func(v, _, _ float64) float64 { return v }, 1e-6)
	inRange("negative share", ef.ShareChange, func(_, s, _ float64) float64 { return s }, 1e-6)
	inRange("mean sentiment", ef.SentimentChange, func(_, _, m float64) float64 { return m }, 1e-3)
	if ef.VolumeChange >= 0 {
		t.Errorf("negative volume change at the statement = %.2f a bucket, want a fall (the surge decays after it)", ef.VolumeChange)
	}
	t.Logf("measures: detect %v, first response %v, recover %v, excess %.0f, change at the statement %+.2f negatives a bucket, share %+.3f",
		secs(m.TimeToDetectSeconds), secs(m.TimeToFirstResponseSeconds), secs(m.TimeToRecoverSeconds), m.ExcessNegative, ef.VolumeChange, ef.ShareChange)
}

func outageFeaturesSorted() []string { return slices.Sorted(slices.Values(outageFeatures)) }

func secs(p *float64) time.Duration {
	if p == nil {
		return 0
	}
	return time.Duration(*p * float64(time.Second))
}
