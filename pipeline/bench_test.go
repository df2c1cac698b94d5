package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/emerging"
	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/stream"
	"github.com/socialpulse/socialpulse/synth"
)

// corpus is 1,000 synthetic posts in the wire format, one in 50 malformed.
func corpus() []stream.Record {
	g := synth.New(42)
	recs := make([]stream.Record, 1000)
	for i := range recs {
		v := g.JSON(now.Add(-time.Duration(i) * time.Second))
		if i%50 == 49 {
			v = synth.Malformed(i)
		}
		recs[i] = stream.Record{Topic: "posts", Offset: int64(i), Value: v, Time: now}
	}
	return recs
}

// BenchmarkHotPath is the per-post work between Kafka and Redis: decode,
// score, tag, aggregate into the batch delta (the Redis write is per batch
// and measured by the end-to-end benchmarks).
func BenchmarkHotPath(b *testing.B) {
	b.Run("plain", func(b *testing.B) { benchHotPath(b, nil, false) })
	// Recording each post's mentions for deduplication (the Redis lookup is
	// per batch and measured by the end-to-end benchmarks).
	b.Run("with-dedupe", func(b *testing.B) { benchHotPath(b, nil, true) })
	// With a fallback model (taxonomy.fallback_model) learned from another
	// stretch of the stream: the posts no term matches are classified too.
	b.Run("with-fallback", func(b *testing.B) { benchHotPathWith(b, synthFallbackEnricher(b), nil, false) })
	// With emerging-issue mining attached and running: the hot path only
	// offers unmapped negative posts to a bounded queue.
	b.Run("with-emerging", func(b *testing.B) {
		m, err := emerging.New(emerging.Options{})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- m.Run(ctx) }()
		benchHotPath(b, m, false)
		cancel()
		<-done
	})
}

func benchHotPath(b *testing.B, unmapped UnmappedObserver, dedupe bool) {
	benchHotPathWith(b, nil, unmapped, dedupe)
}

// synthFallbackEnricher is the default taxonomy's enricher with the
// fallback model "taxonomy learn --margin 0" would train from 20,000
// synthetic posts of another seed than corpus's: at margin 0 it tags most
// posts no term matches, the most work the fallback adds (the learned
// margin, raised by the taxonomy's no_match examples, tags none of them).
func synthFallbackEnricher(b testing.TB) *enrich.Enricher {
	g := synth.New(7)
	texts := make([]string, 20000)
	for i := range texts {
		texts[i] = g.Next(now.Add(-time.Duration(i) * time.Second)).Text
	}
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		b.Fatal(err)
	}
	fb, _ := feature.LearnFallback(tg, texts, 0)
	fb.Margin = 0
	if tg, err = tg.WithFallback(fb); err != nil {
		b.Fatal(err)
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		b.Fatal(err)
	}
	return en
}

// benchHotPathWith is benchHotPath with en (nil: the default taxonomy's).
func benchHotPathWith(b *testing.B, en *enrich.Enricher, unmapped UnmappedObserver, dedupe bool) {
	f := newFixture(b)
	if en != nil {
		f.proc.o.Enricher = en
	}
	f.proc.o.Scored = nil
	f.proc.o.Unmapped = unmapped
	ph, _, err := f.proc.Assign(context.Background(), "posts", 0)
	if err != nil {
		b.Fatal(err)
	}
	h := ph.(*partition)
	h.dedupe = dedupe
	recs := corpus()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		h.process(&recs[i], now)
		if i++; i == len(recs) {
			i = 0
			h.delta.Reset()
			h.dlq = h.dlq[:0]
			h.batchDedupe.reset()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/post")
	// CPU time per post: unlike ns/post it does not grow while other
	// processes hold the cores (0 where the platform has no getrusage).
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/post")
}

// BenchmarkStages splits the hot path into its stages.
func BenchmarkStages(b *testing.B) {
	recs := corpus()
	var valid []stream.Record
	for _, r := range recs {
		var d post.Decoder
		var p post.Post
		if d.Decode(r.Value, &p) == nil {
			valid = append(valid, r)
		}
	}
	texts := make([]string, len(valid))
	for i, r := range valid {
		var d post.Decoder
		var p post.Post
		_ = d.Decode(r.Value, &p)
		texts[i] = p.Clone().Text
	}
	sa := sentiment.New()
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		b.Fatal(err)
	}
	en, _ := enrich.New(sa, tg)

	b.Run("decode", func(b *testing.B) {
		var d post.Decoder
		var p post.Post
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = d.Decode(valid[i%len(valid)].Value, &p)
			i++
		}
	})
	b.Run("score", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			sa.Score(texts[i%len(texts)])
			i++
		}
	})
	b.Run("tag", func(b *testing.B) {
		var ms []feature.Match
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ms = tg.Tag(texts[i%len(texts)], ms[:0])
			i++
		}
	})
	for _, e := range []struct {
		name string
		en   *enrich.Enricher
	}{{"enrich", en}, {"enrich-fallback", synthFallbackEnricher(b)}} {
		b.Run(e.name, func(b *testing.B) {
			var sc enrich.Scratch
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				e.en.Enrich(texts[i%len(texts)], "en", &sc)
				i++
			}
		})
	}
	b.Run("aggregate", func(b *testing.B) {
		d := impactmatrix.NewDelta(time.Minute)
		feats := []string{"checkout", "payment", "login", impactmatrix.OtherFeature}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			d.Add(now.Add(-time.Duration(i%600)*time.Second), feats[i%4], impactmatrix.Class(i%3), -0.4, 2.5)
			if i++; i%1000 == 0 {
				d.Reset()
			}
		}
	})
}
