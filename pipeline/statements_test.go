package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/statements"
	"github.com/socialpulse/socialpulse/stream"
)

// statementSink matches the brand's handles and keeps what it is given.
type statementSink struct {
	h       *statements.Handles
	batches [][]statements.Post
	// counted is the checkout negatives in the matrix when Record was
	// called, to show it runs after the matrix write.
	counted func() int64
	seen    []int64
}

func (s *statementSink) Match(handle string) bool { return s.h.Match(handle) }

func (s *statementSink) Record(_ context.Context, posts []statements.Post) []statements.Outcome {
	s.batches = append(s.batches, append([]statements.Post(nil), posts...))
	s.seen = append(s.seen, s.counted())
	out := make([]statements.Outcome, len(posts))
	for i := range out {
		out[i] = statements.Recorded
	}
	return out
}

func newStatementFixture(t *testing.T) (*fixture, *statementSink) {
	t.Helper()
	f := newFixture(t)
	h, err := statements.NewHandles([]string{"@Shop"})
	if err != nil {
		t.Fatal(err)
	}
	sink := &statementSink{h: h}
	sink.counted = func() int64 { return f.window(t).Rows["checkout"].Total().Count }
	if f.proc, err = New(Options{Store: f.store, Enricher: newEnricher(t), DLQ: f.dlq, RetryMax: time.Millisecond,
		Statements: sink, Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	return f, sink
}

func TestBrandPostsAreHandedToTheStatementRecorderAfterTheMatrixWrite(t *testing.T) {
	f, sink := newStatementFixture(t)
	ctx := context.Background()
	ph, _, err := f.proc.Assign(ctx, "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	batch := []stream.Record{
		rec(0, `{"id":"1","text":"checkout keeps failing","created_at":"2026-11-23T11:30:00Z","author":{"id":"u1","handle":"ann"}}`),
		rec(1, `{"id":"2","platform":"x","text":"We know checkout is down; we are on it.","created_at":"2026-11-23T11:31:00Z","url":"https://x.example/shop/2","author":{"id":"u2","handle":"shop"}}`),
		rec(2, `{"id":"3","text":"checkout broken again","created_at":"2026-11-23T11:32:00Z","author":{"id":"u3","handle":"shop_fan"}}`),
	}
	if err := ph.Handle(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if len(sink.batches) != 1 || len(sink.batches[0]) != 1 {
		t.Fatalf("recorder got %v, want the one brand post", sink.batches)
	}
	p := sink.batches[0][0]
	want := statements.Post{ID: "2", Platform: "x", Handle: "shop", Text: "We know checkout is down; we are on it.",
		URL: "https://x.example/shop/2", Time: time.Date(2026, 11, 23, 11, 31, 0, 0, time.UTC)}
	if p != want {
		t.Errorf("brand post %+v, want %+v", p, want)
	}
	if sink.seen[0] != 3 {
		t.Errorf("recorder called with %d checkout mentions in the matrix, want all 3 (after the write)", sink.seen[0])
	}

	// A redelivered batch is skipped, so its brand post is not handed over
	// again (the recorder is idempotent on the post id anyway).
	if err := ph.Handle(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if err := ph.Handle(ctx, []stream.Record{rec(3, `{"id":"4","text":"the store opens at nine","created_at":"2026-11-23T11:33:00Z"}`)}); err != nil {
		t.Fatal(err)
	}
	if len(sink.batches) != 1 {
		t.Errorf("recorder called %d times, want once", len(sink.batches))
	}
}

func TestProcessAllocatesNothingMoreForPostsNotFromTheBrand(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are checked without -race (scripts/test.sh runs them in a second pass)")
	}
	allocs := func(withBrand bool) float64 {
		f, _ := newStatementFixture(t)
		if !withBrand {
			var err error
			if f.proc, err = New(Options{Store: f.store, Enricher: newEnricher(t), DLQ: f.dlq, Now: func() time.Time { return now }}); err != nil {
				t.Fatal(err)
			}
		}
		ph, _, err := f.proc.Assign(context.Background(), "posts", 0)
		if err != nil {
			t.Fatal(err)
		}
		h := ph.(*partition)
		r := &kafka.Message{Value: []byte(`{"id":"1","text":"checkout keeps failing","created_at":"2026-11-23T11:30:00Z","author":{"id":"u1","handle":"ann_the_customer"}}`), Time: now}
		h.process(r, now) // warm the buffers
		return testing.AllocsPerRun(200, func() { h.process(r, now) })
	}
	without, with := allocs(false), allocs(true)
	if with != without {
		t.Errorf("process allocates %.1f times a post with brand handles configured, %.1f without; want the same", with, without)
	}
}

func TestPostsThatExpressAnIntentToLeaveAreCountedPerFeatureAndHour(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ph, _, err := f.proc.Assign(ctx, "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	batch := []stream.Record{
		rec(0, `{"id":"1","text":"checkout failed again, switching to another shop","created_at":"2026-11-23T11:30:00Z"}`),
		rec(1, `{"id":"2","text":"checkout keeps failing","created_at":"2026-11-23T11:31:00Z"}`),
		rec(2, `{"id":"3","text":"never again, what a mess","created_at":"2026-11-23T11:32:00Z"}`), // no feature
		rec(3, `{"id":"4","text":"I don't trust your payment page with my card","created_at":"2026-11-23T10:10:00Z"}`),
	}
	for range 2 { // the second time, a redelivery: skipped
		if err := ph.Handle(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name     string
		features []string
		from, to time.Time
		want     int64
	}{
		{"checkout in the 11:00 hour", []string{"checkout"}, now.Add(-time.Hour), now, 1},
		{"the payment post an hour earlier", []string{"payment"}, now.Add(-2 * time.Hour), now.Add(-time.Hour), 1},
		{"a post with no feature is not counted", []string{"other"}, now.Add(-2 * time.Hour), now, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f.store.LeaveIntent(ctx, c.features, c.from, c.to)
			if err != nil || got != c.want {
				t.Errorf("LeaveIntent = %d, %v; want %d", got, err, c.want)
			}
		})
	}
}
