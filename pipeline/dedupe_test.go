package pipeline

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/stream"
)

// dedupeFixture is a processor over miniredis whose store deduplicates
// post ids over window, with a clock the test moves.
type dedupeFixture struct {
	mr    *miniredis.Miniredis
	store *impactmatrix.Store
	proc  *Processor
	out   *recorder
	clock time.Time
	// handlers and next offsets per partition, kept between batches
	// unless a batch restarts its partition.
	phs  map[int]stream.PartitionHandler
	next map[int]int64
}

func newDedupeFixture(t *testing.T, window time.Duration) *dedupeFixture {
	t.Helper()
	f := &dedupeFixture{mr: miniredis.RunT(t), out: &recorder{}, clock: now, phs: map[int]stream.PartitionHandler{}, next: map[int]int64{}}
	f.mr.SetTime(now)
	rdb := redis.NewClient(&redis.Options{Addr: f.mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	clock := func() time.Time { return f.clock }
	var err error
	f.store, err = impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{Prefix: "t", Retention: 24 * time.Hour, DedupeWindow: window, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	f.proc, err = New(Options{Store: f.store, Enricher: newEnricher(t), DLQ: &recorder{}, Scored: f.out, RetryMax: time.Millisecond, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// advance moves the test's clock and miniredis's (for key expiry).
func (f *dedupeFixture) advance(d time.Duration) {
	f.clock = f.clock.Add(d)
	f.mr.FastForward(d)
	f.mr.SetTime(f.clock)
}

func (f *dedupeFixture) matrix(t *testing.T) *impactmatrix.Matrix {
	t.Helper()
	m, err := f.store.Window(context.Background(), now.Add(-48*time.Hour), now.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// handle hands recs to partition part's handler as the next records of
// the partition. With restart, the partition is assigned afresh first, as
// after a crash or rebalance.
func (f *dedupeFixture) handle(t *testing.T, part int, restart bool, recs ...stream.Record) {
	t.Helper()
	ph := f.phs[part]
	if ph == nil || restart {
		var err error
		if ph, _, err = f.proc.Assign(context.Background(), "posts", part); err != nil {
			t.Fatal(err)
		}
		f.phs[part] = ph
	}
	for i := range recs {
		recs[i].Partition = part
		recs[i].Offset = f.next[part]
		f.next[part]++
	}
	if err := ph.Handle(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
}

// posts are records with varied features, sentiment, reach and times.
func dedupePosts(ids ...string) []stream.Record {
	texts := []string{
		"love the new search but checkout keeps failing",
		"payment declined again, charged twice!!",
		"what time does the store open?",
		"login works great now, thanks",
	}
	recs := make([]stream.Record, len(ids))
	for i, id := range ids {
		n := 0
		fmt.Sscanf(id, "p%d", &n)
		idField := `"id":"` + id + `",`
		if id == "" {
			idField = ""
		}
		recs[i] = rec(int64(i), fmt.Sprintf(`{%s"text":%q,"created_at":"2026-11-23T11:%02d:00Z","author":{"followers":%d}}`,
			idField, texts[n%len(texts)], 30+n%7, 10*n))
	}
	return recs
}

func assertSameMatrix(t *testing.T, got, want *impactmatrix.Matrix) {
	t.Helper()
	for f, row := range want.Rows {
		for c := range row {
			g := got.Row(f)[c]
			w := row[c]
			if g.Count != w.Count || fmt.Sprintf("%.6f %.6f", g.ScoreSum, g.ReachSum) != fmt.Sprintf("%.6f %.6f", w.ScoreSum, w.ReachSum) {
				t.Errorf("%s/%s = %+v, want %+v", f, impactmatrix.Class(c), g, w)
			}
		}
	}
	for f, row := range got.Rows {
		if _, ok := want.Rows[f]; !ok && row.Total().Count != 0 {
			t.Errorf("unexpected row %s = %+v", f, row)
		}
	}
}

func TestDuplicatePostsAreCountedOnce(t *testing.T) {
	const window = 10 * time.Minute
	unique := []string{"p1", "p2", "p3", "p4", "p5", "p6"}
	for _, tc := range []struct {
		name    string
		batches [][]string // ids per batch, each batch after the one before
		gap     time.Duration
		// restart makes each batch a new assignment, as after a crash or
		// rebalance.
		restart bool
	}{
		{name: "copies within one batch", batches: [][]string{{"p1", "p2", "p1", "p3", "p2", "p1", "p4", "p5", "p6"}}},
		{name: "copies in later batches", batches: [][]string{{"p1", "p2", "p3"}, {"p2", "p4", "p3"}, {"p1", "p5", "p6", "p6"}}},
		{name: "copies after a restart", batches: [][]string{{"p1", "p2", "p3"}, {"p1", "p2", "p3", "p4"}, {"p4", "p5", "p6"}}, restart: true},
		{name: "copies up to a window apart", batches: [][]string{{"p1", "p2", "p3"}, {"p1", "p4", "p5"}, {"p2", "p3", "p6"}}, gap: window / 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newDedupeFixture(t, window)
			copies := 0
			for i, ids := range tc.batches {
				if i > 0 {
					f.advance(tc.gap)
				}
				copies += len(ids)
				f.handle(t, 0, tc.restart, dedupePosts(ids...)...)
			}
			want := newDedupeFixture(t, 0)
			want.handle(t, 0, false, dedupePosts(unique...)...)
			assertSameMatrix(t, f.matrix(t), want.matrix(t))
			if got := counterValue(f.proc.m.Duplicates); got != float64(copies-len(unique)) {
				t.Errorf("duplicates_total = %v, want %d", got, copies-len(unique))
			}
			if len(f.out.msgs) != len(unique) {
				t.Errorf("%d enriched copies, want one per post (%d)", len(f.out.msgs), len(unique))
			}
			var posts float64
			for _, c := range []string{"negative", "neutral", "positive", "unscored"} {
				posts += counterValue(f.proc.m.Posts.WithLabelValues(c))
			}
			if posts != float64(len(unique)) {
				t.Errorf("posts_total = %v, want %d", posts, len(unique))
			}
			s, err := f.store.Samples(context.Background(), "payment", impactmatrix.Negative, 10)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, x := range s {
				if seen[x.ID] {
					t.Errorf("payment evidence holds post %s twice: %+v", x.ID, s)
				}
				seen[x.ID] = true
			}
		})
	}
}

func TestDuplicatesOutsideTheWindowOrWithoutIDsCount(t *testing.T) {
	const window = 10 * time.Minute
	t.Run("a copy more than two windows later counts again", func(t *testing.T) {
		f := newDedupeFixture(t, window)
		f.handle(t, 0, false, dedupePosts("p3")...)
		f.advance(2*window + time.Second)
		f.handle(t, 0, false, dedupePosts("p3")...)
		if got := totalPosts(f.matrix(t)); got != 2 {
			t.Errorf("%d posts counted, want 2", got)
		}
	})
	t.Run("posts without an id are never dropped", func(t *testing.T) {
		f := newDedupeFixture(t, window)
		f.handle(t, 0, false, dedupePosts("", "", "p1", "")...)
		f.handle(t, 0, false, dedupePosts("", "p1")...)
		want := newDedupeFixture(t, 0)
		want.handle(t, 0, false, dedupePosts("", "", "p1", "", "")...)
		assertSameMatrix(t, f.matrix(t), want.matrix(t))
	})
	t.Run("without a window every copy counts", func(t *testing.T) {
		f := newDedupeFixture(t, 0)
		f.handle(t, 0, false, dedupePosts("p3", "p3")...)
		f.handle(t, 0, false, dedupePosts("p3")...)
		if got := totalPosts(f.matrix(t)); got != 3 {
			t.Errorf("%d posts counted, want 3", got)
		}
	})
	t.Run("copies on two partitions count once per partition", func(t *testing.T) {
		f := newDedupeFixture(t, window)
		f.handle(t, 0, false, dedupePosts("p3", "p3")...)
		f.handle(t, 1, false, dedupePosts("p3", "p3")...)
		if got := totalPosts(f.matrix(t)); got != 2 {
			t.Errorf("%d posts counted, want 2", got)
		}
	})
}

// totalPosts counts the mentions in m: p3 mentions one feature.
func totalPosts(m *impactmatrix.Matrix) int64 {
	var n int64
	for _, row := range m.Rows {
		n += row.Total().Count
	}
	return n
}
