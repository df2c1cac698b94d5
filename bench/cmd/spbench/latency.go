package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/alert"
	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/pipeline"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/stream"
	"github.com/socialpulse/socialpulse/synth"
)

// The alert-latency run: socialpulse (its own process, detector and webhook
// receiver on) reads a live topic fed at a steady background rate, and the
// driver injects surges of complaints about one feature at a time. Each
// trial's latency runs from producing its first surge post to the firing
// alert arriving at the driver's webhook.
//
// The detector cannot fire before the bucket holding the surge has closed
// and its grace has passed, so every latency includes that wait (the
// "detector window" below: bucket end + grace - first surge post); what the
// issue bounds is the rest, the time socialpulse itself adds.
//
// Baselines: the detector needs an hour of history (MinHistorySteps) at the
// live rate before it may fire. Producing an hour of 20k posts/s through
// Kafka would take longer than the whole benchmark, so the driver writes
// that history straight into the matrix, as one extra matrix source: it runs
// a sample of the same synthetic posts through the real pipeline code
// (decode, score, tag, aggregate) once, then adds, per history bucket, the
// sample's cells scaled to the live rate with Poisson noise.

// latencyOptions configure the alert-latency run.
type latencyOptions struct {
	rate    float64       // background posts/s
	step    time.Duration // matrix bucket
	grace   time.Duration // detector grace
	trials  int
	history time.Duration
	factor  float64 // surge size: extra negatives per bucket = factor × the feature's expected negatives
}

// trial is one injected surge.
type trial struct {
	feature  string
	bucket   time.Time // start of the bucket the surge fills
	first    time.Time // first surge post handed to the producer
	posts    int       // surge posts
	expected float64   // the feature's expected negatives per bucket (background)
	arrived  time.Time // firing alert at the webhook; zero if none
	alertID  string
	priority int
}

func (t *trial) latency() time.Duration { return t.arrived.Sub(t.first) }

// window is the wait the detector imposes: from the first surge post to the
// end of its bucket plus the grace.
func (t *trial) window(step, grace time.Duration) time.Duration {
	return t.bucket.Add(step + grace).Sub(t.first)
}

// latencyRun is the outcome of the alert-latency run.
type latencyRun struct {
	o           latencyOptions
	trials      []*trial
	falseAlerts []string // firing alerts not caused by a trial
	produced    int64    // background records produced during the trials
	trialsTime  time.Duration
	maxLag      int64 // background records produced but not yet applied, at worst
	historyRecs int64 // posts represented by the written history
	features    int   // features surged in rotation
	load        string
	notes       []string
}

// hookRecord is one webhook delivery as it arrived.
type hookRecord struct {
	at time.Time
	a  alert.Alert
}

// hookSink is the driver's webhook receiver.
type hookSink struct {
	mu   sync.Mutex
	recs []hookRecord
}

func (h *hookSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	var env alert.Envelope
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&env); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.recs = append(h.recs, hookRecord{at: at, a: env.Alert})
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookSink) snapshot() []hookRecord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.recs)
}

func alertLatency(ctx context.Context, o options, lo latencyOptions, bin, work string, rdb *redis.Client) (*latencyRun, error) {
	brokers := strings.Split(o.brokers, ",")
	name, topic, dlq, cleanup, err := scratchTopics(o, brokers, rdb, "latency")
	if err != nil {
		return nil, err
	}
	defer cleanup()
	run := &latencyRun{o: lo}

	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		return nil, err
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		return nil, err
	}
	texts := surgeTexts(en, feature.DefaultTaxonomy())
	feats := make([]string, 0, len(texts))
	for f := range texts {
		feats = append(feats, f)
	}
	slices.Sort(feats)
	if len(feats) == 0 {
		return nil, errors.New("latency: no feature has a complaint text that tags it alone")
	}
	run.features = len(feats)

	// One bucket of background through the real pipeline code gives the
	// per-cell rates; the history is those cells scaled to the live rate.
	logf("latency: sampling the background's matrix cells through the pipeline")
	cells, err := sampleCells(ctx, rdb, en, name+"-sample", lo)
	if err != nil {
		return nil, err
	}
	// Background load from now on, event-timed at production; the history
	// ends where it begins. socialpulse reads it from offset 0 once started.
	bgCtx, stopBG := context.WithCancel(ctx)
	var produced atomic.Int64
	bgDone := make(chan error, 1)
	bgStart := time.Now()
	go func() { bgDone <- background(bgCtx, brokers, topic, lo.rate, &produced) }()
	defer func() {
		stopBG()
		if err := <-bgDone; err != nil && !errors.Is(err, context.Canceled) {
			logf("latency: background producer: %v", err)
		}
	}()
	store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: name, Bucket: lo.step})
	if err != nil {
		return nil, err
	}
	logf("latency: writing %v of history at %.0f posts/s into the matrix", lo.history, lo.rate)
	if run.historyRecs, err = writeHistory(ctx, store, name+".history", cells, lo, bgStart); err != nil {
		return nil, err
	}
	// The history stands for a deployment that has watched every feature
	// for as long: record that, as its first detecting leader would have
	// (package monitor, since.go), so quiet features have a baseline of zero.
	watched := strconv.FormatInt(bgStart.Add(-lo.history).Unix(), 10)
	for _, f := range feature.DefaultTaxonomy().Features {
		if err := rdb.Set(ctx, name+":monitor:feature_since:"+f.ID, watched, 0).Err(); err != nil {
			return nil, err
		}
	}

	sink := &hookSink{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: sink, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	env := []string{
		"SOCIALPULSE_KAFKA_BROKERS=" + strings.Join(brokers, ","),
		"SOCIALPULSE_KAFKA_TOPIC=" + topic,
		"SOCIALPULSE_KAFKA_DLQ_TOPIC=" + dlq,
		"SOCIALPULSE_KAFKA_GROUP=" + name,
		"SOCIALPULSE_REDIS_ADDRS=" + o.redisAddr,
		"SOCIALPULSE_REDIS_KEY_PREFIX=" + name,
		"SOCIALPULSE_HTTP_LISTEN=" + httpAddr,
		"SOCIALPULSE_MATRIX_BUCKET=" + lo.step.String(),
		"SOCIALPULSE_DETECTOR_GRACE=" + lo.grace.String(),
		"SOCIALPULSE_DETECTOR_WARMUP=" + (lo.history + 10*time.Minute).String(),
		"SOCIALPULSE_DETECTOR_COOLDOWN=" + (6 * lo.step).String(),
		"SOCIALPULSE_ALERTING_WEBHOOK_URL=http://" + ln.Addr().String() + "/hook",
		"SOCIALPULSE_ALERTING_WEBHOOK_SECRET=spbench",
	}
	proc, err := spawn(bin, env, filepath.Join(work, "socialpulse-latency.log"))
	if err != nil {
		return nil, err
	}
	defer proc.stop()

	// Wait until the detector has warmed up and evaluated a few buckets.
	logf("latency: waiting for socialpulse to warm up its detector")
	warmFor := 2*time.Minute + 5*lo.step
	warm := time.Now().Add(warmFor)
	for {
		if n, _ := metricValue(ctx, httpAddr, "socialpulse_detector_evaluations_total"); n >= 3 {
			break
		}
		if err := proc.exitedEarly(); err != nil {
			return nil, err
		}
		if time.Now().After(warm) {
			return nil, fmt.Errorf("latency: the detector did not evaluate 3 buckets within %v; last lines of the log:\n%s", warmFor, tail(proc.logPath, 30))
		}
		time.Sleep(500 * time.Millisecond)
	}
	startupAlerts := len(sink.snapshot())
	if startupAlerts > 0 {
		run.notes = append(run.notes, fmt.Sprintf("%d alert versions arrived during warm-up, before any surge (counted below as false alerts if firing)", startupAlerts))
	}

	// Start once socialpulse has caught up with the background produced
	// while it started, so the surges meet a steady state.
	store2, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: name, Bucket: lo.step})
	if err != nil {
		return nil, err
	}
	caughtUp := time.Now().Add(2 * time.Minute)
	for {
		a, err := applied(ctx, store2, topic, o.partitions)
		if err != nil {
			return nil, err
		}
		if float64(produced.Load()-a) < lo.rate/2 {
			break
		}
		if time.Now().After(caughtUp) {
			return nil, fmt.Errorf("latency: socialpulse still %d records behind the background after 2m", produced.Load()-a)
		}
		time.Sleep(250 * time.Millisecond)
	}
	var surged atomic.Int64 // surge records acknowledged
	// Batches under a default topic's 1 MiB max.message.bytes: a surge
	// slice at 1-minute buckets is tens of thousands of posts.
	str := &kafka.Transport{MetadataTTL: 500 * time.Millisecond}
	defer str.CloseIdleConnections()
	sw := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic, Balancer: &kafka.RoundRobin{}, BatchSize: 5000,
		BatchBytes: 1_000_000, BatchTimeout: time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: str}
	defer sw.Close()
	rng := rand.New(rand.NewPCG(7, 11))
	// A feature may surge again once its last surge has resolved (two
	// buckets) and its cooldown (six) has passed: rotate so that each comes
	// back after at least ten buckets.
	spacing := max(1, (10+len(feats)-1)/len(feats))
	logf("latency: %d surges over %d features, one every %d bucket(s) of %v", lo.trials, len(feats), spacing, lo.step)
	trialsStart, producedStart := time.Now(), produced.Load()
	lagDone := make(chan struct{})
	var maxLag atomic.Int64
	go func() {
		defer close(lagDone)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-bgCtx.Done():
				return
			case <-t.C:
			}
			p := produced.Load() + surged.Load()
			a, err := applied(bgCtx, store2, topic, o.partitions)
			if err == nil && p-a > maxLag.Load() {
				maxLag.Store(p - a)
			}
		}
	}()

	next := time.Now().Truncate(lo.step).Add(lo.step)
	for i := range lo.trials {
		f := feats[i%len(feats)]
		tr := &trial{feature: f, bucket: next, expected: cells.negatives(f) * lo.rate * lo.step.Seconds() / cells.posts}
		tr.posts = max(int(math.Ceil(lo.factor*tr.expected)), 60)
		if err := sleepUntil(ctx, next); err != nil {
			return nil, err
		}
		if err := surge(ctx, sw, tr, texts[f], lo.step, rng, &surged); err != nil {
			return nil, err
		}
		run.trials = append(run.trials, tr)
		if (i+1)%10 == 0 {
			logf("latency: %d/%d surges injected", i+1, lo.trials)
		}
		next = next.Add(time.Duration(spacing) * lo.step)
		if err := proc.exitedEarly(); err != nil {
			return nil, err
		}
	}
	// The last surge's alert may come a window plus a few seconds later.
	if err := sleepUntil(ctx, next.Add(2*lo.step+lo.grace+10*time.Second)); err != nil {
		return nil, err
	}
	run.trialsTime = time.Since(trialsStart)
	run.produced = produced.Load() - producedStart
	run.load = loadavg()
	stopBG()
	<-lagDone
	run.maxLag = maxLag.Load()
	matchAlerts(run, sink.snapshot(), lo)
	for _, tr := range run.trials {
		if tr.arrived.IsZero() {
			logf("latency: surge of %s (%d posts, %.0f expected negatives) at %s: no alert", tr.feature, tr.posts, tr.expected, tr.first.Format("15:04:05.000"))
			continue
		}
		logf("latency: surge of %s (%d posts, %.0f expected negatives) at %s: P%d alert after %v (window %v)", tr.feature, tr.posts, tr.expected,
			tr.first.Format("15:04:05.000"), tr.priority, tr.latency().Round(time.Millisecond), tr.window(lo.step, lo.grace).Round(time.Millisecond))
	}
	return run, nil
}

// matchAlerts pairs each trial with the first firing alert of its feature
// that arrived after its first surge post and before the feature's next
// trial; firing alerts no trial explains are false alerts.
func matchAlerts(run *latencyRun, recs []hookRecord, lo latencyOptions) {
	seen := map[string]bool{} // alert ids already explained
	for i, tr := range run.trials {
		limit := time.Time{}
		for _, later := range run.trials[i+1:] {
			if later.feature == tr.feature {
				limit = later.first
				break
			}
		}
		for _, r := range recs {
			if r.a.State != alert.StateFiring || r.a.Evidence.Feature != tr.feature || r.at.Before(tr.first) ||
				(!limit.IsZero() && !r.at.Before(limit)) || seen[r.a.ID] {
				continue
			}
			tr.arrived, tr.alertID, tr.priority = r.at, r.a.ID, r.a.Priority
			seen[r.a.ID] = true
			break
		}
	}
	for _, r := range recs {
		if r.a.State == alert.StateFiring && !seen[r.a.ID] {
			seen[r.a.ID] = true
			run.falseAlerts = append(run.falseAlerts, fmt.Sprintf("%s at %s", r.a.Evidence.Feature, r.at.UTC().Format("15:04:05")))
		}
	}
}

// surgeTexts returns, per feature of tax, complaint texts that the real
// enricher reads as a negative mention of that feature and of no other.
func surgeTexts(en *enrich.Enricher, tax *feature.Taxonomy) map[string][]string {
	templates := []string{
		"%s is broken again, I can't get anything done. terrible",
		"%s keeps failing for me, so frustrating",
		"why is %s not working?? worst experience ever",
		"%s has been down for an hour, awful",
	}
	var sc enrich.Scratch
	out := map[string][]string{}
	for _, f := range tax.Features {
		var cands []string
		for _, c := range synth.Complaints[f.ID] {
			cands = append(cands, synth.Example(c))
		}
		terms := append([]string{f.Name}, f.Terms...)
		for _, term := range terms[:min(len(terms), 6)] {
			for _, tpl := range templates {
				cands = append(cands, fmt.Sprintf(tpl, term))
			}
		}
		for _, c := range cands {
			r := en.Enrich(c, "en", &sc)
			if len(r.Features) == 1 && r.Features[0].ID == f.ID && r.Features[0].Label == sentiment.Negative {
				out[f.ID] = append(out[f.ID], c)
			}
		}
	}
	return out
}

// cellRates are one bucket of background through the pipeline.
type cellRates struct {
	m     *impactmatrix.Matrix
	posts float64 // well-formed posts in the sample
}

// negatives is the sample's negative mentions of feature.
func (c *cellRates) negatives(feature string) float64 {
	if r := c.m.Rows[feature]; r != nil {
		return float64(r[impactmatrix.Negative].Count)
	}
	return 0
}

// discard is a dead-letter writer for the sample, which has no malformed
// records.
type discard struct{}

func (discard) Write(context.Context, ...kafka.Message) error { return nil }

const samplePosts = 50_000

// sampleCells runs samplePosts synthetic posts (the background's generator)
// through the real pipeline into a scratch prefix and reads the cells back.
func sampleCells(ctx context.Context, rdb *redis.Client, en *enrich.Enricher, prefix string, lo latencyOptions) (*cellRates, error) {
	defer func() {
		if err := cleanRedis(context.Background(), rdb, prefix); err != nil {
			logf("delete redis keys %s:*: %v", prefix, err)
		}
	}()
	store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: prefix, Bucket: lo.step})
	if err != nil {
		return nil, err
	}
	p, err := pipeline.New(pipeline.Options{Store: store, Enricher: en, DLQ: discard{}})
	if err != nil {
		return nil, err
	}
	h, _, err := p.Assign(ctx, "sample", 0)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	at := time.Now().Truncate(lo.step).Add(-lo.step)
	gen := synth.New(99)
	batch := make([]stream.Record, 0, 1000)
	for i := range samplePosts {
		batch = append(batch, stream.Record{Topic: "sample", Offset: int64(i), Value: gen.JSON(at.Add(lo.step / 2))})
		if len(batch) == cap(batch) || i == samplePosts-1 {
			if err := h.Handle(ctx, batch); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	m, err := store.Window(ctx, at, at.Add(lo.step))
	if err != nil {
		return nil, err
	}
	return &cellRates{m: m, posts: samplePosts}, nil
}

// writeHistory writes lo.history of buckets ending at until's bucket
// into store as one extra source, each cell the sample's scaled to lo.rate
// (99% of it: the live background has 1 malformed record in 100) with
// Poisson noise. It returns how many posts the history stands for.
func writeHistory(ctx context.Context, store *impactmatrix.Store, topic string, c *cellRates, lo latencyOptions, until time.Time) (int64, error) {
	src := impactmatrix.Source{Topic: topic, Partition: 0}
	if err := store.Register(ctx, src); err != nil {
		return 0, err
	}
	scale := 0.99 * lo.rate * lo.step.Seconds() / c.posts
	rng := rand.New(rand.NewPCG(3, 5))
	end := until.Truncate(lo.step)
	var posts int64
	d := impactmatrix.NewDelta(lo.step)
	prev := int64(-1)
	buckets := int(lo.history / lo.step)
	for i := range buckets {
		at := end.Add(-time.Duration(buckets-i) * lo.step)
		d.Reset()
		for feat, row := range c.m.Rows {
			for class := range impactmatrix.NumClasses {
				cell := row[class]
				if cell.Count == 0 {
					continue
				}
				mean := float64(cell.Count) * scale
				n := int(math.Round(mean + math.Sqrt(mean)*rng.NormFloat64()))
				score, reach := cell.ScoreSum/float64(cell.Count), cell.ReachSum/float64(cell.Count)
				for range max(n, 0) {
					d.Add(at, feat, impactmatrix.Class(class), score, reach)
				}
			}
		}
		posts += int64(0.99 * lo.rate * lo.step.Seconds())
		if err := store.Apply(ctx, src, prev, int64(i), d); err != nil {
			return 0, err
		}
		prev = int64(i)
	}
	return posts, nil
}

// background produces synthetic posts (1 in 100 malformed) at rate per
// second, event-timed when produced, until ctx ends.
func background(ctx context.Context, brokers []string, topic string, rate float64, produced *atomic.Int64) error {
	// Its own transport with a short metadata TTL: the shared default one
	// caches "unknown topic" for 6s, longer than a new topic takes to appear.
	tr := &kafka.Transport{MetadataTTL: 500 * time.Millisecond}
	defer tr.CloseIdleConnections()
	w := &kafka.Writer{Addr: kafka.TCP(brokers...), Topic: topic, Balancer: &kafka.RoundRobin{}, BatchSize: 2000,
		BatchBytes: 1_000_000, BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll, Transport: tr}
	defer w.Close()
	gen := synth.New(17)
	start := time.Now()
	var n int64
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	msgs := make([]kafka.Message, 0, 4000)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		due := int64(rate * time.Since(start).Seconds())
		now := time.Now()
		msgs = msgs[:0]
		for n < due && len(msgs) < cap(msgs) {
			n++
			if n%100 == 0 {
				msgs = append(msgs, kafka.Message{Value: synth.Malformed(int(n / 100))})
			} else {
				msgs = append(msgs, kafka.Message{Value: gen.JSON(now)})
			}
		}
		if len(msgs) == 0 {
			continue
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return compact(err)
		}
		produced.Add(int64(len(msgs)))
	}
}

// surge produces tr.posts complaints about tr.feature, event-timed when
// produced, in ten even slices over the first 80% of the bucket, and
// records when the first was handed to the producer.
func surge(ctx context.Context, w *kafka.Writer, tr *trial, texts []string, step time.Duration, rng *rand.Rand, acked *atomic.Int64) error {
	const parts = 10
	per := (tr.posts + parts - 1) / parts
	left := tr.posts
	for s := range parts {
		if err := sleepUntil(ctx, tr.bucket.Add(time.Duration(s)*step*8/10/parts)); err != nil {
			return err
		}
		now := time.Now()
		k := min(per, left)
		msgs := make([]kafka.Message, 0, k)
		for range k {
			// Many customers, as in a real surge: the monitor publishes a
			// spike only once detector.min_authors distinct authors complain.
			author := "s" + strconv.Itoa(rng.IntN(500))
			v, _ := json.Marshal(synth.Post{ID: "surge-" + strconv.FormatUint(rng.Uint64(), 36), Text: texts[rng.IntN(len(texts))],
				CreatedAt: now.UTC().Format(time.RFC3339Nano), Lang: "en", Author: &synth.Author{ID: author, Handle: "@" + author, Followers: 100}})
			msgs = append(msgs, kafka.Message{Value: v})
		}
		if s == 0 {
			tr.first = now
		}
		if err := w.WriteMessages(ctx, msgs...); err != nil {
			return compact(err)
		}
		acked.Add(int64(k))
		left -= k
		if left == 0 {
			break
		}
	}
	return nil
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

// metricValue sums the samples of a Prometheus metric on addr's /metrics.
func metricValue(ctx context.Context, addr, name string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return 0, err
	}
	var sum float64
	found := false
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, name) {
			continue
		}
		rest := l[len(name):]
		if rest == "" || (rest[0] != ' ' && rest[0] != '{') {
			continue
		}
		f := strings.Fields(l)
		v, err := strconv.ParseFloat(f[len(f)-1], 64)
		if err == nil {
			sum += v
			found = true
		}
	}
	if !found {
		return 0, fmt.Errorf("metric %s not exposed", name)
	}
	return sum, nil
}

// process is a socialpulse child process.
type process struct {
	cmd     *exec.Cmd
	exited  chan error
	logPath string
	done    bool
}

// spawn starts `socialpulse run` with env added to this process's
// environment, output to logPath.
func spawn(bin string, env []string, logPath string) (*process, error) {
	lf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "run")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start socialpulse: %w", err)
	}
	p := &process{cmd: cmd, exited: make(chan error, 1), logPath: logPath}
	go func() { p.exited <- cmd.Wait(); lf.Close() }()
	return p, nil
}

// exitedEarly returns an error if the process has exited.
func (p *process) exitedEarly() error {
	select {
	case err := <-p.exited:
		p.done = true
		return fmt.Errorf("socialpulse exited early (%v); last lines of %s:\n%s", err, p.logPath, tail(p.logPath, 30))
	default:
		return nil
	}
}

// stop sends SIGTERM and waits up to a minute, then kills.
func (p *process) stop() {
	if p.done {
		return
	}
	p.done = true
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// compact shortens kafka-go's per-record write errors to a count and the
// first cause.
func compact(err error) error {
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil {
				return fmt.Errorf("%d of %d records not written, first: %w", we.Count(), len(we), e)
			}
		}
	}
	return err
}
