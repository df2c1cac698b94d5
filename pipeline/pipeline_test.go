package pipeline

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/stream"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type recorder struct {
	mu   sync.Mutex
	msgs []kafka.Message
	fail int // fail this many writes first
}

func (r *recorder) Write(_ context.Context, msgs ...kafka.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail > 0 {
		r.fail--
		return errors.New("broker unavailable")
	}
	r.msgs = append(r.msgs, msgs...)
	return nil
}

type fixture struct {
	mr    *miniredis.Miniredis
	store *impactmatrix.Store
	dlq   *recorder
	out   *recorder
	proc  *Processor
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	mr := miniredis.RunT(t)
	mr.SetTime(now)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: "t", Retention: 24 * time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{mr: mr, store: store, dlq: &recorder{}, out: &recorder{}}
	f.proc, err = New(Options{Store: store, Enricher: newEnricher(t), DLQ: f.dlq, Scored: f.out, RetryMax: time.Millisecond, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// newEnricher is the default taxonomy's enricher.
func newEnricher(t testing.TB) *enrich.Enricher {
	t.Helper()
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return en
}

func rec(offset int64, value string) stream.Record {
	return stream.Record{Topic: "posts", Partition: 0, Offset: offset, Value: []byte(value), Time: now.Add(-time.Minute)}
}

func (f *fixture) window(t *testing.T) *impactmatrix.Matrix {
	t.Helper()
	m, err := f.store.Window(context.Background(), now.Add(-48*time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestHandleCountsFeaturesWithTheirOwnSentiment(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ph, start, err := f.proc.Assign(ctx, "posts", 0)
	if err != nil || start != -1 {
		t.Fatalf("Assign = %d, %v; want -1 (no stored offset)", start, err)
	}
	err = ph.Handle(ctx, []stream.Record{
		rec(0, `{"id":"1","text":"love the new search but checkout keeps failing","created_at":"2026-11-23T11:30:00Z"}`),
		rec(1, `{"id":"2","text":"what time does the store open?","created_at":"2026-11-23T11:31:00Z"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	m := f.window(t)
	if m.Rows["search"][impactmatrix.Positive].Count != 1 {
		t.Errorf("search row = %+v, want one positive", m.Rows["search"])
	}
	if m.Rows["checkout"][impactmatrix.Negative].Count != 1 {
		t.Errorf("checkout row = %+v, want one negative", m.Rows["checkout"])
	}
	if tot := m.Rows[impactmatrix.OtherFeature].Total(); tot.Count != 1 {
		t.Errorf("other row = %+v, want the featureless post", m.Rows[impactmatrix.OtherFeature])
	}
	if len(f.out.msgs) != 2 || len(f.dlq.msgs) != 0 {
		t.Errorf("scored %d, dead letters %d; want 2, 0", len(f.out.msgs), len(f.dlq.msgs))
	}
	// The negative mention is kept as evidence for its feature, the positive one is not.
	if s, err := f.store.Samples(ctx, "checkout", impactmatrix.Negative, 5); err != nil || len(s) != 1 || s[0].ID != "1" {
		t.Errorf("checkout evidence = %+v, %v", s, err)
	}
	if s, _ := f.store.Samples(ctx, "search", impactmatrix.Negative, 5); len(s) != 0 {
		t.Errorf("search has negative evidence %+v", s)
	}
}

func TestHandleDeadLettersBadRecordsWithReasonAndOrigin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ph, _, _ := f.proc.Assign(ctx, "posts", 0)
	old := now.Add(-30 * time.Hour).Format(time.RFC3339)
	in := []stream.Record{
		rec(10, `{"id":"1","text":"ok post about payment failing"}`),
		rec(11, `{"id":"2","text":`),
		rec(12, `{"id":"3","text":"too old","created_at":"`+old+`"}`),
		rec(13, `{"text":"no id"}`),
	}
	in[1].Headers = []kafka.Header{{Key: "trace", Value: []byte("abc")}}
	if err := ph.Handle(ctx, in); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		offset string
		reason post.Reason
	}{{"11", post.ReasonInvalidJSON}, {"12", post.ReasonStale}, {"13", post.ReasonMissingField}}
	if len(f.dlq.msgs) != len(want) {
		t.Fatalf("dead letters = %d, want %d", len(f.dlq.msgs), len(want))
	}
	for i, w := range want {
		m := f.dlq.msgs[i]
		h := headers(m)
		if h[HeaderOffset] != w.offset || h[HeaderReason] != string(w.reason) || h[HeaderTopic] != "posts" || h[HeaderPartition] != "0" || h[HeaderError] == "" {
			t.Errorf("dead letter %d headers = %v, want offset %s reason %s", i, h, w.offset, w.reason)
		}
		if string(m.Value) != string(in[i+1].Value) {
			t.Errorf("dead letter %d value changed: %q", i, m.Value)
		}
	}
	if headers(f.dlq.msgs[0])["trace"] != "abc" {
		t.Error("original headers were not kept")
	}
	if off, _ := f.store.Offset(ctx, impactmatrix.Source{Topic: "posts", Partition: 0}); off != 13 {
		t.Errorf("stored offset = %d, want 13: dead letters must not stall the partition", off)
	}
}

func TestRedeliveredRecordsAreNotCountedTwice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	batch := []stream.Record{
		rec(0, `{"id":"1","text":"what a lovely day"}`),
		rec(1, `{"id":"2","text":"what a lovely day"}`),
	}
	ph, _, _ := f.proc.Assign(ctx, "posts", 0)
	if err := ph.Handle(ctx, batch); err != nil {
		t.Fatal(err)
	}
	// Same handler sees a redelivery; a new assignment resumes after offset 1.
	if err := ph.Handle(ctx, batch); err != nil {
		t.Fatal(err)
	}
	ph2, start, _ := f.proc.Assign(ctx, "posts", 0)
	if start != 2 {
		t.Fatalf("resume offset = %d, want 2", start)
	}
	if err := ph2.Handle(ctx, append(batch, rec(2, `{"id":"3","text":"what a lovely day"}`))); err != nil {
		t.Fatal(err)
	}
	if got := f.window(t).Rows[impactmatrix.OtherFeature].Total(); got.Count != 3 {
		t.Fatalf("other row = %+v, want 3 posts", got)
	}
}

func TestStaleOwnerIsFenced(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old, _, _ := f.proc.Assign(ctx, "posts", 0)
	fresh, _, _ := f.proc.Assign(ctx, "posts", 0)
	if err := fresh.Handle(ctx, []stream.Record{rec(0, `{"id":"1","text":"hi"}`)}); err != nil {
		t.Fatal(err)
	}
	err := old.Handle(ctx, []stream.Record{rec(0, `{"id":"1","text":"hi"}`), rec(1, `{"id":"2","text":"hi"}`)})
	if !errors.Is(err, impactmatrix.ErrFenced) {
		t.Fatalf("stale owner's write: %v, want ErrFenced", err)
	}
	if got := f.window(t).Totals(); got[impactmatrix.Neutral].Count+got[impactmatrix.Positive].Count+got[impactmatrix.Negative].Count != 1 {
		t.Fatalf("fenced batch was counted: %+v", got)
	}
}

func TestWritesAreRetriedUntilTheyLand(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.dlq.fail = 2
	ph, _, _ := f.proc.Assign(ctx, "posts", 0)
	if err := ph.Handle(ctx, []stream.Record{rec(0, `nope`), rec(1, `{"id":"1","text":"fine"}`)}); err != nil {
		t.Fatal(err)
	}
	if len(f.dlq.msgs) != 1 {
		t.Fatalf("dead letters = %d, want 1 after retries", len(f.dlq.msgs))
	}
	// Redis down: Handle keeps retrying until its context ends and reports not healthy.
	f.mr.Close()
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if err := ph.Handle(cctx, []stream.Record{rec(2, `{"id":"2","text":"fine"}`)}); err == nil {
		t.Fatal("Handle succeeded with Redis down")
	}
	if f.proc.Healthy() {
		t.Fatal("processor reports healthy while Redis writes fail")
	}
}

func TestFutureTimestampsFallBackToKafkaTime(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ph, _, _ := f.proc.Assign(ctx, "posts", 0)
	if err := ph.Handle(ctx, []stream.Record{rec(0, `{"id":"1","text":"nice weather today","created_at":"2099-01-01T00:00:00Z"}`)}); err != nil {
		t.Fatal(err)
	}
	m, err := f.store.Window(ctx, now.Add(-2*time.Minute), now)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Rows[impactmatrix.OtherFeature].Total(); got.Count != 1 {
		t.Fatalf("post not counted at its Kafka time: %+v", m.Rows)
	}
}

func headers(m kafka.Message) map[string]string {
	h := map[string]string{}
	for _, x := range m.Headers {
		h[x.Key] = string(x.Value)
	}
	return h
}

func TestHandleCountsDistinctAuthorsOfNegativeMentions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ph, _, err := f.proc.Assign(ctx, "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	post := func(id, platform, author, text string) string {
		a := ""
		if author != "" {
			a = `,"author":{"id":"` + author + `"}`
		}
		return `{"id":"` + id + `","platform":"` + platform + `","text":"` + text + `","created_at":"2026-11-23T11:30:00Z"` + a + `}`
	}
	recs := []stream.Record{
		rec(0, post("1", "x", "u1", "checkout keeps failing")),
		rec(1, post("2", "x", "u1", "checkout is broken again")),
		rec(2, post("3", "x", "u1", "checkout failing, awful")),
		rec(3, post("4", "x", "u2", "checkout keeps failing")),
		rec(4, post("5", "reddit", "u1", "checkout keeps failing")), // another platform's u1
		rec(5, post("6", "x", "", "checkout keeps failing")),        // no author: counted by its text
		rec(6, post("7", "x", "", "checkout keeps failing")),        // the same text: the same author
		rec(7, post("8", "x", "", "checkout is broken, terrible")),
		rec(8, post("9", "x", "u9", "love the new checkout")), // not negative: not counted
	}
	if err := ph.Handle(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if m := f.window(t); m.Rows["checkout"][impactmatrix.Negative].Count != 8 {
		t.Fatalf("checkout negatives = %d, want 8 (the test's texts are not scored as intended)", m.Rows["checkout"][impactmatrix.Negative].Count)
	}
	// The batch again, as a redelivery to this processor and to a new one
	// after a restart: skipped, and the count stays.
	if err := ph.Handle(ctx, recs); err != nil {
		t.Fatal(err)
	}
	ph2, _, err := f.proc.Assign(ctx, "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ph2.Handle(ctx, recs); err != nil {
		t.Fatal(err)
	}
	n, err := f.store.Authors(ctx, "checkout", now.Add(-time.Hour), now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Fatalf("distinct checkout complainants = %d, want 5 (x/u1, x/u2, reddit/u1 and two anonymous texts)", n)
	}
}
