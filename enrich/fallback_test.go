package enrich

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/sentiment"
)

// twoFeatures is a small taxonomy for the fallback tests; off turns the
// fallback off for delivery.
func twoFeatures(t *testing.T, off bool) *feature.Tagger {
	t.Helper()
	tg, err := feature.NewTagger(&feature.Taxonomy{Features: []feature.Feature{
		{ID: "delivery", Terms: []string{"delivery"}, NoNameTerms: true, NoFallback: off},
		{ID: "login", Terms: []string{"login"}, NoNameTerms: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// history is what the delivery and login posts of a stream say besides
// their terms.
func history() []string {
	var h []string
	for range 8 {
		h = append(h, "delivery late again, the courier left the parcel outside, awful",
			"delivery never came, courier lost my parcel",
			"login broken, password reset email never arrives",
			"cannot login, password rejected twice")
	}
	return h
}

func withFallback(t *testing.T, tg *feature.Tagger) *feature.Tagger {
	t.Helper()
	fb, _ := feature.LearnFallback(tg, history(), 0)
	out, err := tg.WithFallback(fb)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEnrichMarksInferredFeatures(t *testing.T) {
	const complaint = "the courier threw my parcel over the fence, terrible"
	sa := sentiment.New()
	post := sa.Score(complaint)
	tests := []struct {
		name string
		tg   *feature.Tagger
		text string
		want []FeatureSentiment
	}{
		{"an untagged complaint is tagged, marked inferred, with the post's sentiment", withFallback(t, twoFeatures(t, false)), complaint,
			[]FeatureSentiment{{ID: "delivery", Label: post.Label, Score: post.Score, Inferred: true}}},
		{"a post a term matches is not inferred", withFallback(t, twoFeatures(t, false)), "my delivery is fine",
			[]FeatureSentiment{{ID: "delivery", Label: sa.Score("my delivery is fine").Label, Score: sa.Score("my delivery is fine").Score}}},
		{"a feature with fallback: false is never inferred", withFallback(t, twoFeatures(t, true)), complaint, nil},
		{"without a model nothing is inferred", twoFeatures(t, false), complaint, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en, err := New(sa, tt.tg)
			if err != nil {
				t.Fatal(err)
			}
			var sc Scratch
			res := en.Enrich(tt.text, "", &sc)
			if !slices.Equal(res.Features, tt.want) {
				t.Errorf("features %+v, want %+v", res.Features, tt.want)
			}
			if res.Sentiment != sa.Score(tt.text) {
				t.Errorf("post sentiment %+v, want %+v", res.Sentiment, sa.Score(tt.text))
			}
		})
	}
	if post.Label != sentiment.Negative {
		t.Errorf("the complaint scores %v; the cases above want a negative post", post.Label)
	}
}

func TestEnrichAllocatesNothingForAPostTheFallbackTags(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are checked without -race (scripts/test.sh runs them in a second pass)")
	}
	en, err := New(sentiment.New(), withFallback(t, twoFeatures(t, false)))
	if err != nil {
		t.Fatal(err)
	}
	var sc Scratch
	for _, text := range []string{"the courier threw my parcel over the fence, terrible", "my delivery is late"} {
		res := en.Enrich(text, "", &sc) // warm the scratch
		if len(res.Features) != 1 {
			t.Fatalf("%q: %+v, want one feature", text, res.Features)
		}
		if n := testing.AllocsPerRun(100, func() { en.Enrich(text, "", &sc) }); n != 0 {
			t.Errorf("%q: Enrich allocates %v times a post, want 0", text, n)
		}
	}
}

func TestLoadTaggerFilesAttachesTheModelOrRefusesIt(t *testing.T) {
	dir := t.TempDir()
	tax := filepath.Join(dir, "checkout.yaml")
	if err := os.WriteFile(tax, []byte(checkoutTaxonomy), 0o600); err != nil {
		t.Fatal(err)
	}
	save := func(name string, tg *feature.Tagger) string {
		fb, _ := feature.LearnFallback(tg, []string{"checkout failed again", "the checkout page is slow"}, 0)
		var b bytes.Buffer
		if err := fb.Save(&b); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	own, err := LoadTagger(tax)
	if err != nil {
		t.Fatal(err)
	}
	good, other := save("good.json", own), save("other.json", twoFeatures(t, false))
	tests := []struct {
		name    string
		files   Files
		want    string // "" for success
		wantErr error
	}{
		{"no model: terms only", Files{Taxonomy: tax}, "", nil},
		{"the taxonomy's own model", Files{Taxonomy: tax, FallbackModel: good}, "", nil},
		{"a model for another taxonomy is refused", Files{Taxonomy: tax, FallbackModel: other}, `other.json: fallback model: field "taxonomy"`, feature.ErrFallbackTaxonomy},
		{"a missing model file is refused", Files{Taxonomy: tax, FallbackModel: filepath.Join(dir, "nope.json")}, "fallback model: open", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := LoadTaggerFiles(tt.files)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if (tg.Fallback() != nil) != (tt.files.FallbackModel != "") {
					t.Errorf("fallback attached: %v, want %v", tg.Fallback() != nil, tt.files.FallbackModel != "")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
			if _, lerr := LoadFiles(tt.files); lerr == nil {
				t.Error("LoadFiles accepted what LoadTaggerFiles refused")
			}
		})
	}
}
