package emerging

import (
	"testing"
	"time"
)

// BenchmarkOffer is the hot-path cost the pipeline pays per unmapped
// negative post when the post is queued: sampling check, copy, send. The
// loop also receives the post, standing in for a worker, so the figure is
// an upper bound.
func BenchmarkOffer(b *testing.B) {
	m, err := New(Options{Heuristic: true, QueueSize: 512})
	if err != nil {
		b.Fatal(err)
	}
	text := "@acmeshop my loyalty points vanished overnight, absolutely furious https://t.co/x"
	b.ReportAllocs()
	for b.Loop() {
		if !m.Offer(text, t0) {
			b.Fatal("dropped")
		}
		<-m.queue
	}
}

// BenchmarkOfferSaturated is Offer with stalled workers: every post is
// shed or dropped.
func BenchmarkOfferSaturated(b *testing.B) {
	m, err := New(Options{Heuristic: true, QueueSize: 512})
	if err != nil {
		b.Fatal(err)
	}
	text := "@acmeshop my loyalty points vanished overnight, absolutely furious https://t.co/x"
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.Offer(text, t0)
		}
	})
}

// BenchmarkMine is the per-post cost in a worker: extraction and counting.
func BenchmarkMine(b *testing.B) {
	posts := readLines(b, "testdata/background.txt")
	for _, tc := range []struct {
		name      string
		heuristic bool
	}{{"pos", false}, {"heuristic", true}} {
		b.Run(tc.name, func(b *testing.B) {
			m, err := New(Options{Heuristic: tc.heuristic, Now: func() time.Time { return t0.Add(time.Hour) }})
			if err != nil {
				b.Fatal(err)
			}
			var toks []token
			var cands []candidate
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				at := t0.Add(time.Duration(i) * 100 * time.Millisecond)
				toks, cands = m.mine(job{text: posts[i%len(posts)], at: at}, toks, cands[:0])
				i++
			}
		})
	}
}
