package impactmatrix

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/socialpulse/socialpulse/internal/testenv"
)

func TestAuthorKey(t *testing.T) {
	tests := []struct {
		name  string
		a, b  [3]string // platform, author id, text
		equal bool
	}{
		{"same author, other text", [3]string{"x", "99", "checkout broken"}, [3]string{"x", "99", "still broken"}, true},
		{"other author, same text", [3]string{"x", "99", "checkout broken"}, [3]string{"x", "98", "checkout broken"}, false},
		{"same id on another platform", [3]string{"x", "99", "t"}, [3]string{"reddit", "99", "t"}, false},
		{"no id: the same text is one author", [3]string{"x", "", "checkout broken"}, [3]string{"reddit", "", "checkout broken"}, true},
		{"no id: other texts are other authors", [3]string{"x", "", "checkout broken"}, [3]string{"x", "", "checkout is broken"}, false},
		{"an id never equals a text", [3]string{"", "abc", ""}, [3]string{"", "", "abc"}, false},
		{"platform and id do not run together", [3]string{"x1", "2", "t"}, [3]string{"x", "12", "t"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := AuthorKey(tt.a[0], tt.a[1], tt.a[2]), AuthorKey(tt.b[0], tt.b[1], tt.b[2])
			if (a == b) != tt.equal {
				t.Fatalf("AuthorKey(%q) = %x, AuthorKey(%q) = %x; equal = %v, want %v", tt.a, a, tt.b, b, a == b, tt.equal)
			}
		})
	}
	// Stable across processes and versions, so that sketches written by
	// different processors merge.
	if got := AuthorKey("x", "99", ""); got != 0x8edf99ccba283ab2 {
		t.Fatalf("AuthorKey(x, 99) = %#x, want the fixed 0x8edf99ccba283ab2", got)
	}
}

func TestDeltaAddAuthorDoesNotAllocateOnceWarm(t *testing.T) {
	d := NewDelta(time.Minute)
	for i := range 1000 {
		d.AddAuthor(t0, "checkout", uint64(i))
	}
	d.Reset()
	i := 0
	if n := testing.AllocsPerRun(500, func() {
		d.AddAuthor(t0.Add(time.Duration(i)*time.Second), "checkout", AuthorKey("x", "99", "checkout broken"))
		i++
	}); n != 0 {
		t.Fatalf("AddAuthor allocates %v times per call", n)
	}
}

// burst applies one batch to src: n negative checkout mentions in the bucket
// at start by the given authors (cycled).
func burst(t *testing.T, s *Store, src Source, prev, next int64, start time.Time, n int, authors []string) {
	t.Helper()
	d := NewDelta(time.Minute)
	for i := range n {
		a := authors[i%len(authors)]
		d.Add(start.Add(time.Second), "checkout", Negative, -0.5, 1)
		d.AddAuthor(start.Add(time.Second), "checkout", AuthorKey("x", a, ""))
	}
	if err := s.Apply(context.Background(), src, prev, next, d); err != nil {
		t.Fatal(err)
	}
}

func accounts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

func TestAuthorsCountsDistinctAuthorsAcrossPartitionsAndBuckets(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		checkAuthorsAcrossPartitionsAndBuckets(t, newStore(t, rdb, prefix))
	})
	// On Redis Cluster the sketches are read and merged on one slot; a
	// single Redis runs the same path (miniredis keeps sketches as a type
	// of its own that GET cannot read).
	t.Run("merged on one slot", func(t *testing.T) {
		rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(t)})
		t.Cleanup(func() { rdb.Close() })
		s := newStore(t, rdb, testenv.UniqueName(t, "sp"))
		s.mergeOnOneSlot = true
		checkAuthorsAcrossPartitionsAndBuckets(t, s)
	})
}

func checkAuthorsAcrossPartitionsAndBuckets(t *testing.T, s *Store) {
	ctx := context.Background()
	p0, p1 := Source{"posts", 0}, Source{"posts", 1}
	for _, src := range []Source{p0, p1} {
		if err := s.Register(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	// Partition 0: 60 posts by 3 accounts in minute 0; partition 1: 40 posts
	// by 20 accounts, 2 of them partition 0's, in minute 1.
	burst(t, s, p0, -1, 10, t0, 60, accounts("bot", 3))
	burst(t, s, p1, -1, 10, t0.Add(time.Minute), 40, append(accounts("bot", 2), accounts("user", 18)...))
	// A redelivered batch (its reply lost) and a later batch by the same
	// accounts change nothing.
	burst(t, s, p0, -1, 10, t0, 60, accounts("bot", 3))
	burst(t, s, p0, 10, 20, t0, 30, accounts("bot", 3))

	tests := []struct {
		name     string
		from, to time.Time
		want     int64
	}{
		{"one minute of one partition", t0, t0.Add(time.Minute), 3},
		{"one minute of the other", t0.Add(time.Minute), t0.Add(2 * time.Minute), 20},
		{"both minutes count the union", t0, t0.Add(2 * time.Minute), 21},
		{"a whole day merges thousands of sketch keys", t0.Add(-22 * time.Hour), t0.Add(2 * time.Hour), 21},
		{"a quiet range counts none", t0.Add(time.Hour), t0.Add(2 * time.Hour), 0},
		{"an empty range counts none", t0, t0, 0},
	}
	for _, tt := range tests {
		got, err := s.Authors(ctx, "checkout", tt.from, tt.to)
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s: Authors = %d, want %d", tt.name, got, tt.want)
		}
	}
	if n, err := s.Authors(ctx, "search", t0, t0.Add(2*time.Minute)); err != nil || n != 0 {
		t.Errorf("authors of a feature nobody mentioned = %d, %v; want 0", n, err)
	}
	if _, err := s.Authors(ctx, "checkout", t0, t0.Add(25*time.Hour)); err == nil {
		t.Error("a range over 24h was read")
	}
}

func TestAuthorsOfManyAccountsAreCountedClosely(t *testing.T) {
	backends(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		ctx := context.Background()
		s := newStore(t, rdb, prefix)
		src := Source{"posts", 0}
		if err := s.Register(ctx, src); err != nil {
			t.Fatal(err)
		}
		for i, n := range []int{5, 50, 500, 2500} {
			start := t0.Add(time.Duration(i) * time.Minute)
			burst(t, s, src, int64(i)-1, int64(i), start, n, accounts("user", n))
			got, err := s.Authors(ctx, "checkout", start, start.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if tol := max(1, float64(n)*0.02); float64(got) < float64(n)-tol || float64(got) > float64(n)+tol {
				t.Errorf("%d accounts counted as %d, want within %.0f", n, got, tol)
			}
		}
	})
}

func TestAuthorSketchesShareTheSlotAndExpireWithTheirBucket(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	now := t0.Add(10 * time.Minute)
	s, err := NewStore(rdb, StoreOptions{Prefix: "sp", Retention: 24 * time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	mr.SetTime(now)
	src := Source{"posts", 4}
	if err := s.Register(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	burst(t, s, src, -1, 0, t0, 3, accounts("a", 3))
	key := s.authorsKey(s.tag(src), t0.Unix(), "checkout")
	if hashTag(key) != "posts:4" {
		t.Errorf("sketch key %q has hash tag %q, want the partition's", key, hashTag(key))
	}
	if !mr.Exists(key) {
		t.Fatalf("sketch %q not written; keys: %v", key, mr.Keys())
	}
	if got, want := mr.TTL(key), mr.TTL("sp:{posts:4}:b:"+itoa(t0.Unix())); got != want || got == 0 {
		t.Fatalf("sketch TTL = %v, want the bucket's %v", got, want)
	}
}
