package pipeline

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/sentiment"
	"github.com/socialpulse/socialpulse/stream"
)

// fallbackEnricher is the default taxonomy's enricher with a fallback
// model learned from a few posts the terms tag.
func fallbackEnricher(t testing.TB) *enrich.Enricher {
	t.Helper()
	tg, err := feature.NewTagger(feature.DefaultTaxonomy())
	if err != nil {
		t.Fatal(err)
	}
	var history []string
	for range 6 {
		history = append(history,
			"the product page for this jacket shows the wrong colour",
			"product page photos of the jacket are a different colour than what arrived",
			"checkout failed again, card declined at the last step",
			"login broken, password reset email never arrives",
			"shipping is late again, the courier still has my parcel",
			"support never answers, waited an hour in the chat")
	}
	fb, _ := feature.LearnFallback(tg, history, 0)
	if tg, err = tg.WithFallback(fb); err != nil {
		t.Fatal(err)
	}
	en, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	return en
}

// inferredPost is a negative post no term of the default taxonomy matches
// and fallbackEnricher's model tags product_pages.
const inferredPost = `{"id":"9","text":"why is the jacket a different colour, awful","created_at":"2026-11-23T11:30:00Z","author":{"id":"u9","handle":"cat"}}`

func TestAPostTheFallbackTagsIsMarkedInferredInTheScoredPostAndTheEvidence(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.proc.o.Enricher = fallbackEnricher(t)
	ph, _, err := f.proc.Assign(ctx, "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ph.Handle(ctx, []stream.Record{rec(0, inferredPost), rec(1, `{"id":"10","text":"checkout keeps failing, awful","created_at":"2026-11-23T11:30:00Z"}`)}); err != nil {
		t.Fatal(err)
	}
	samples, err := f.store.Samples(ctx, "product_pages", impactmatrix.Negative, 10)
	if err != nil {
		t.Fatal(err)
	}
	checkout, err := f.store.Samples(ctx, "checkout", impactmatrix.Negative, 10)
	if err != nil {
		t.Fatal(err)
	}
	var scored [2]ScoredPost
	for i, m := range f.out.msgs {
		if err := json.Unmarshal(m.Value, &scored[i]); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"the scored post's feature is marked inferred", scored[0].Features, []ScoredFeature{{ID: "product_pages", ScoredSentiment: scored[0].Sentiment, Inferred: true}}},
		{"the evidence sample is marked inferred", len(samples) == 1 && samples[0].Inferred, true},
		{"a post a term tags is not marked", len(scored[1].Features) == 1 && !scored[1].Features[0].Inferred && len(checkout) == 1 && !checkout[0].Inferred, true},
		{"the inferred post counts as a negative mention", f.window(t).Row("product_pages")[impactmatrix.Negative].Count, int64(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if g, w := jsonOf(t, tt.got), jsonOf(t, tt.want); g != w {
				t.Errorf("got %s, want %s", g, w)
			}
		})
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProcessAllocatesNothingMoreForAPostTheFallbackTags(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are checked without -race (scripts/test.sh runs them in a second pass)")
	}
	allocs := func(value string) float64 {
		f := newFixture(t)
		var err error
		if f.proc, err = New(Options{Store: f.store, Enricher: fallbackEnricher(t), DLQ: f.dlq, Now: func() time.Time { return now }}); err != nil {
			t.Fatal(err)
		}
		ph, _, err := f.proc.Assign(context.Background(), "posts", 0)
		if err != nil {
			t.Fatal(err)
		}
		h := ph.(*partition)
		r := &kafka.Message{Value: []byte(value), Time: now}
		h.process(r, now) // warm the buffers
		if len(h.samples["product_pages"]) != 1 {
			t.Fatalf("%s: not a negative product_pages post", value)
		}
		return testing.AllocsPerRun(200, func() { h.process(r, now) })
	}
	inferred := allocs(inferredPost)
	termTagged := allocs(`{"id":"9","text":"why is the product page a different colour, awful","created_at":"2026-11-23T11:30:00Z","author":{"id":"u9","handle":"cat"}}`)
	if inferred != termTagged {
		t.Errorf("process allocates %.1f times for a post the fallback tags, %.1f for one a term tags; want the same", inferred, termTagged)
	}
}

// offers records the texts offered to emerging-issue mining.
type offers struct{ texts []string }

func (o *offers) Offer(text string, _ time.Time) bool {
	o.texts = append(o.texts, strings.Clone(text)) // text is only valid during the call
	return true
}

func TestEmergingMiningIsOfferedThePostsNoTermMatched(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.proc.o.Enricher = fallbackEnricher(t)
	seen := &offers{}
	f.proc.o.Unmapped = seen
	ph, _, err := f.proc.Assign(ctx, "posts", 0)
	if err != nil {
		t.Fatal(err)
	}
	batch := []stream.Record{
		rec(0, inferredPost),
		rec(1, `{"id":"10","text":"checkout keeps failing, awful","created_at":"2026-11-23T11:30:00Z"}`),
		rec(2, `{"id":"11","text":"never again, what a mess","created_at":"2026-11-23T11:30:00Z"}`),
	}
	if err := ph.Handle(ctx, batch); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       bool
	}{
		{"a negative post only the fallback tagged is offered", "why is the jacket a different colour, awful", true},
		{"a negative post a term matched is not", "checkout keeps failing, awful", false},
		{"a negative post nothing tagged is offered", "never again, what a mess", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := slices.Contains(seen.texts, tt.text); got != tt.want {
				t.Errorf("offered %q: %v, want %v (offered %q)", tt.text, got, tt.want, seen.texts)
			}
		})
	}
}
