package impactmatrix

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/internal/testenv"
)

// backends runs fn against miniredis and, when configured, a real Redis.
func backends(t *testing.T, fn func(t *testing.T, rdb redis.UniversalClient, prefix string)) {
	t.Run("miniredis", func(t *testing.T) {
		mr := miniredis.RunT(t)
		rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
		t.Cleanup(func() { rdb.Close() })
		fn(t, rdb, "sp")
	})
	t.Run("redis", func(t *testing.T) {
		addr := testenv.RedisAddr(t)
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { rdb.Close() })
		fn(t, rdb, testenv.UniqueName(t, "sp"))
	})
}

// t0 is 10:00 UTC yesterday. It follows the real clock because Redis
// expires the buckets at their own time plus the retention by its clock,
// whatever the store's injected clock says: a fixed date would expire once
// the retention has passed since it.
var t0 = time.Now().UTC().Truncate(24 * time.Hour).Add(-24*time.Hour + 10*time.Hour)

func newStore(t *testing.T, rdb redis.UniversalClient, prefix string) *Store {
	t.Helper()
	s, err := NewStore(rdb, StoreOptions{Prefix: prefix, Now: func() time.Time { return t0.Add(3 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestApplyIsAtomicAndIdempotent(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := newStore(t, rdb, prefix)
		src := Source{Topic: "posts", Partition: 3}
		if err := s.Register(ctx, src); err != nil {
			t.Fatal(err)
		}
		if off, err := s.Offset(ctx, src); err != nil || off != -1 {
			t.Fatalf("fresh offset = %d, %v; want -1", off, err)
		}

		d := NewDelta(time.Minute)
		d.Add(t0.Add(30*time.Second), "checkout", Negative, -0.5, ReachWeight(999))
		d.Add(t0.Add(45*time.Second), "checkout", Negative, -0.25, 1)
		d.Add(t0.Add(61*time.Second), "search", Positive, 0.75, 1)
		if err := s.Apply(ctx, src, -1, 41, d); err != nil {
			t.Fatal(err)
		}
		// A retry of the same batch (reply lost) is accepted without counting twice.
		if err := s.Apply(ctx, src, -1, 41, d); err != nil {
			t.Fatalf("retry of an applied batch: %v", err)
		}
		// A zombie writer that still believes the offset is -1 but carries other data is fenced.
		if err := s.Apply(ctx, src, -1, 50, d); !errors.Is(err, ErrFenced) {
			t.Fatalf("stale writer: got %v, want ErrFenced", err)
		}
		if off, _ := s.Offset(ctx, src); off != 41 {
			t.Fatalf("offset = %d, want 41", off)
		}

		m, err := s.Window(ctx, t0, t0.Add(5*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		co := m.Rows["checkout"][Negative]
		if co.Count != 2 || math.Abs(co.ScoreSum-(-0.75)) > 1e-9 || math.Abs(co.ReachSum-5) > 1e-9 {
			t.Fatalf("checkout negative = %+v, want count 2, score -0.75, reach 4+1", co)
		}
		if m.Rows["search"][Positive].Count != 1 {
			t.Fatalf("search positive = %+v", m.Rows["search"][Positive])
		}
		// The first minute alone holds only the checkout posts.
		m1, err := s.Window(ctx, t0, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m1.Rows["search"]; ok || m1.Rows["checkout"][Negative].Count != 2 {
			t.Fatalf("first minute = %+v", m1.Rows)
		}
	})
}

func TestWindowCombinesHourRollupsAndMinuteEdges(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := newStore(t, rdb, prefix)
		srcs := []Source{{"posts", 0}, {"posts", 1}}
		// One negative "login" post per minute for 3 hours, spread over two partitions.
		prev := map[Source]int64{srcs[0]: -1, srcs[1]: -1}
		for i := range 180 {
			src := srcs[i%2]
			d := NewDelta(time.Minute)
			d.Add(t0.Add(time.Duration(i)*time.Minute+5*time.Second), "login", Negative, -1, 1)
			if err := s.Register(ctx, src); err != nil {
				t.Fatal(err)
			}
			next := prev[src] + 1
			if err := s.Apply(ctx, src, prev[src], next, d); err != nil {
				t.Fatal(err)
			}
			prev[src] = next
		}
		tests := []struct {
			name     string
			from, to time.Duration
			want     int64
		}{
			{"whole range", 0, 180 * time.Minute, 180},
			{"exact hour uses a rollup", 60 * time.Minute, 120 * time.Minute, 60},
			{"ragged edges", 17 * time.Minute, 143 * time.Minute, 126},
			{"one bucket", 90 * time.Minute, 91 * time.Minute, 1},
			{"beyond the data", 170 * time.Minute, 300 * time.Minute, 10},
			{"empty range", 50 * time.Minute, 50 * time.Minute, 0},
		}
		for _, tt := range tests {
			m, err := s.Window(ctx, t0.Add(tt.from), t0.Add(tt.to))
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if r := m.Rows["login"]; r != nil {
				got = r[Negative].Count
			}
			if got != tt.want {
				t.Errorf("%s: count = %d, want %d", tt.name, got, tt.want)
			}
		}
	})
}

func TestBucketKeysExpireAfterRetention(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	now := t0.Add(10 * time.Minute)
	s, err := NewStore(rdb, StoreOptions{Prefix: "sp", Retention: 24 * time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	mr.SetTime(now)
	ctx := context.Background()
	src := Source{"posts", 0}
	if err := s.Register(ctx, src); err != nil {
		t.Fatal(err)
	}
	d := NewDelta(time.Minute)
	d.Add(t0, "cart", Neutral, 0, 1)
	if err := s.Apply(ctx, src, -1, 0, d); err != nil {
		t.Fatal(err)
	}
	ttl := mr.TTL("sp:{posts:0}:b:" + itoa(t0.Unix()))
	// miniredis keeps EXPIREAT as a TTL relative to its clock.
	if want := t0.Add(time.Minute + 24*time.Hour).Sub(now); ttl != want {
		t.Fatalf("minute bucket TTL = %v, want %v", ttl, want)
	}
	if !s.Expired(now.Add(-25*time.Hour)) || s.Expired(now.Add(-23*time.Hour)) {
		t.Fatalf("Expired disagrees with a 24h retention")
	}
	if got := mr.TTL("sp:{posts:0}:offset"); got != 0 {
		t.Fatalf("offset key has TTL %v; it must persist", got)
	}
}

func TestKeysOfOneSourceShareAClusterSlot(t *testing.T) {
	s, err := NewStore(redis.NewClient(&redis.Options{}), StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src := Source{"social.posts", 7}
	tag := s.tag(src)
	for _, k := range []string{s.offsetKey(src), s.bucketKey(tag, true, 60), s.bucketKey(tag, false, 3600)} {
		if hashTag(k) != "social.posts:7" {
			t.Errorf("key %q has hash tag %q", k, hashTag(k))
		}
	}
	if _, err := NewStore(nil, StoreOptions{Prefix: "a{b}"}); err == nil {
		t.Error("prefix with braces accepted")
	}
	if _, err := NewStore(nil, StoreOptions{Bucket: 7 * time.Minute}); err == nil {
		t.Error("bucket that does not divide an hour accepted")
	}
}

// hashTag is Redis Cluster's rule: the text between the first '{' and the next '}'.
func hashTag(key string) string {
	for i := 0; i < len(key); i++ {
		if key[i] == '{' {
			for j := i + 1; j < len(key); j++ {
				if key[j] == '}' {
					return key[i+1 : j]
				}
			}
		}
	}
	return key
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestSeriesReturnsOneMatrixPerBucket(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := newStore(t, rdb, prefix)
		prev := map[int]int64{0: -1, 1: -1}
		for i := range 10 {
			src := Source{"posts", i % 2}
			if err := s.Register(ctx, src); err != nil {
				t.Fatal(err)
			}
			d := NewDelta(time.Minute)
			for range i { // i negative payment posts in minute i
				d.Add(t0.Add(time.Duration(i)*time.Minute), "payment", Negative, -0.5, 1)
			}
			d.Add(t0.Add(time.Duration(i)*time.Minute), "payment", Positive, 0.5, 1)
			if err := s.Apply(ctx, src, prev[i%2], prev[i%2]+1, d); err != nil {
				t.Fatal(err)
			}
			prev[i%2]++
		}
		b, err := s.Series(ctx, t0.Add(2*time.Minute), t0.Add(8*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Matrix) != 6 || !b.Start.Equal(t0.Add(2*time.Minute)) || b.Step != time.Minute {
			t.Fatalf("series shape: start %v step %v len %d", b.Start, b.Step, len(b.Matrix))
		}
		for i, m := range b.Matrix {
			row := m.Rows["payment"]
			if row == nil || row[Negative].Count != int64(i+2) || row[Positive].Count != 1 {
				t.Errorf("bucket %d: %+v", i, row)
			}
		}
	})
}

func TestSamplesKeepTheNewest(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := newStore(t, rdb, prefix)
		for i := range samplesKept + 5 {
			if err := s.AddSamples(ctx, "login", Negative, []Sample{{ID: strconv.Itoa(i), Text: "cannot log in"}}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Samples(ctx, "login", Negative, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != samplesKept || got[0].ID != strconv.Itoa(samplesKept+4) {
			t.Fatalf("kept %d samples, newest %q", len(got), got[0].ID)
		}
		if other, _ := s.Samples(ctx, "login", Positive, 5); len(other) != 0 {
			t.Fatalf("positive samples mixed in: %v", other)
		}
	})
}

func TestEvidenceReturnsEachKeptPostOnce(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := newStore(t, rdb, prefix)
		add := func(feature string, c Class, ids ...string) {
			t.Helper()
			var ss []Sample
			for _, id := range ids {
				ss = append(ss, Sample{ID: id, Text: feature + " post " + id})
			}
			if err := s.AddSamples(ctx, feature, c, ss); err != nil {
				t.Fatal(err)
			}
		}
		add("login", Negative, "1", "2")
		add("checkout", Negative, "2", "3") // post 2 was tagged with both
		add(OtherFeature, Negative, "4")
		add("login", Positive, "5")
		add("search", Negative, "6") // not asked for
		got, err := s.Evidence(ctx, []string{"login", "checkout", "refunds", OtherFeature}, Negative)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, sm := range got {
			ids = append(ids, sm.ID+"="+sm.Text)
		}
		want := []string{"2=login post 2", "1=login post 1", "3=checkout post 3", "4=other post 4"}
		if !slices.Equal(ids, want) {
			t.Errorf("Evidence = %q, want %q", ids, want)
		}
	})
}
