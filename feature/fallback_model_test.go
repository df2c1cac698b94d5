package feature

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
)

func learnedFallback(t *testing.T, tg *Tagger) *Fallback {
	t.Helper()
	fb, r := LearnFallback(tg, fallbackPosts(), 0)
	if r.Tagged == 0 {
		t.Fatal("learned from no tagged post")
	}
	return fb
}

func saved(t *testing.T, fb *Fallback) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := fb.Save(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFallbackModelFileIsReproducible(t *testing.T) {
	tg := suggestTagger(t)
	first := saved(t, learnedFallback(t, tg))
	tests := []struct {
		name string
		fb   func() *Fallback
	}{
		{"the same posts give the same bytes", func() *Fallback { return learnedFallback(t, tg) }},
		{"a loaded model saves to the bytes it was read from", func() *Fallback {
			fb, err := LoadFallback(bytes.NewReader(first))
			if err != nil {
				t.Fatal(err)
			}
			return fb
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := saved(t, tt.fb()); !bytes.Equal(got, first) {
				t.Errorf("bytes differ:\n%s\nwant\n%s", got, first)
			}
		})
	}
}

func TestLoadedFallbackClassifiesAsTrained(t *testing.T) {
	tg := suggestTagger(t)
	fb := learnedFallback(t, tg)
	loaded, err := LoadFallback(bytes.NewReader(saved(t, fb)))
	if err != nil {
		t.Fatal(err)
	}
	a, b := make([]float64, 2), make([]float64, 2)
	for _, text := range slices.Concat(fallbackPosts(), []string{"the courier threw my parcel over the fence", "my password reset email is missing", "nothing"}) {
		if x, y := fb.Classify(text, a), loaded.Classify(text, b); x != y || !slices.Equal(a, b) {
			t.Errorf("%q: trained %d %v, loaded %d %v", text, x, a, y, b)
		}
	}
}

func TestLoadFallbackRefusesABadFile(t *testing.T) {
	fb := learnedFallback(t, suggestTagger(t))
	good := string(saved(t, fb))
	margin, _ := json.Marshal(fb.Margin)
	tests := []struct {
		name, from, to string
		want           string
	}{
		{"another format", `"format":"socialpulse.fallback"`, `"format":"other"`, `field "format"`},
		{"another version", `"version":2`, `"version":3`, `field "version"`},
		{"feature margins in a version 1 file", `"version":2,`, `"version":1,"feature_margins":[0,0],`, `field "feature_margins"`},
		{"feature margins of the wrong length", `"trained":`, `"feature_margins":[1],"trained":`, `field "feature_margins"`},
		{"a negative feature margin", `"trained":`, `"feature_margins":[0,-1],"trained":`, `field "feature_margins[1]"`},
		{"an unknown field", `"trained":`, `"trainde":1,"trained":`, `unknown field "trainde"`},
		{"features edited by hand", `"features":["delivery","login"]`, `"features":["delivery","signin"]`, `field "taxonomy"`},
		{"a prior of the wrong length", `"prior":[`, `"prior":[1,`, `field "prior"`},
		{"a negative margin", `"margin":` + string(margin) + `,`, `"margin":-1,`, `field "margin"`},
		{"a word row of the wrong length", `"courier":[`, `"courier":[1,`, `field "words"`},
		{"not JSON", good, "{", "fallback model:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.from, tt.to, 1)
			if bad == good {
				t.Fatalf("%q not in the file", tt.from)
			}
			_, err := LoadFallback(strings.NewReader(bad))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestAVersion1ModelStillLoads(t *testing.T) {
	fb := learnedFallback(t, suggestTagger(t))
	v1 := strings.Replace(string(saved(t, fb)), `"version":2,`, `"version":1,`, 1)
	loaded, err := LoadFallback(strings.NewReader(v1))
	if err != nil {
		t.Fatal(err)
	}
	if loaded.FeatureMargin(0) != fb.Margin || loaded.FeatureMargin(1) != fb.Margin {
		t.Fatalf("margins %v and %v, want %v for both", loaded.FeatureMargin(0), loaded.FeatureMargin(1), fb.Margin)
	}
}

func TestAModelForAnotherTaxonomyIsRefused(t *testing.T) {
	fb := learnedFallback(t, suggestTagger(t))
	other := func(fs ...Feature) *Tagger {
		tg, err := NewTagger(&Taxonomy{Features: fs})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	tests := []struct {
		name string
		tg   *Tagger
		want string
	}{
		{"a feature renamed", other(Feature{ID: "delivery"}, Feature{ID: "signin"}), "the model lacks signin, the taxonomy lacks login"},
		{"a feature added", other(Feature{ID: "delivery"}, Feature{ID: "login"}, Feature{ID: "refund"}), "the model lacks refund"},
		{"the features reordered", other(Feature{ID: "login"}, Feature{ID: "delivery"}), "another order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.tg.WithFallback(fb)
			if !errors.Is(err, ErrFallbackTaxonomy) || !strings.Contains(err.Error(), `field "taxonomy"`) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrFallbackTaxonomy naming the field and saying %q", err, tt.want)
			}
		})
	}
}

func TestTagOrInfer(t *testing.T) {
	tg := suggestTagger(t)
	fb := learnedFallback(t, tg)
	off, err := NewTagger(&Taxonomy{Features: []Feature{
		{ID: "delivery", Terms: []string{"delivery"}, NoNameTerms: true, NoFallback: true},
		{ID: "login", Terms: []string{"login"}, NoNameTerms: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	with := func(tg *Tagger, fb *Fallback) *Tagger {
		w, err := tg.WithFallback(fb)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	const complaint = "the courier threw my parcel over the fence"
	tests := []struct {
		name string
		tg   *Tagger
		text string
		want []Match
	}{
		{"an untagged complaint is tagged and marked inferred", with(tg, fb), complaint, []Match{{Feature: 0, Inferred: true}}},
		{"a post a term matches is not inferred", with(tg, fb), "the courier lost my delivery", []Match{{Feature: 0, Start: 20, End: 28}}},
		{"a post the model names nothing for stays untagged", with(tg, fb), "what a lovely sunny afternoon", nil},
		{"a feature with fallback: false is never inferred", with(off, fb), complaint, nil},
		{"a feature with fallback: false does not stop the others", with(off, fb), "my password reset email is missing", []Match{{Feature: 1, Inferred: true}}},
		{"a tagger without a model infers nothing", tg, complaint, nil},
	}
	scores := make([]float64, 2)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tg.TagOrInfer(tt.text, nil, scores); !slices.Equal(got, tt.want) {
				t.Errorf("TagOrInfer(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestTagOrInferAllocs(t *testing.T) {
	tg := suggestTagger(t)
	tg, err := tg.WithFallback(learnedFallback(t, tg))
	if err != nil {
		t.Fatal(err)
	}
	scores := make([]float64, 2)
	dst := make([]Match, 0, 4)
	for _, text := range []string{"The COURIER threw my parcel over the fence, again! #fail", "my delivery is late"} {
		if got := tg.TagOrInfer(text, dst[:0], scores); len(got) != 1 {
			t.Fatalf("%q: %+v, want one feature", text, got)
		}
		if n := testing.AllocsPerRun(100, func() { tg.TagOrInfer(text, dst[:0], scores) }); n != 0 {
			t.Errorf("%q: TagOrInfer allocates %v times per call, want 0", text, n)
		}
	}
}

func TestNoMatchExamplesRaiseTheirFeaturesMarginUntilTheModelTagsNone(t *testing.T) {
	const anchor = "the courier is my neighbour and his parcel is huge"
	taxonomy := func(off bool) *Tagger {
		tg, err := NewTagger(&Taxonomy{Features: []Feature{
			{ID: "delivery", Terms: []string{"delivery"}, NoNameTerms: true, NoFallback: off,
				Examples: Examples{NoMatch: []string{anchor}}},
			{ID: "login", Terms: []string{"login"}, NoNameTerms: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return tg
	}
	tests := []struct {
		name       string
		tg         *Tagger
		wantRaised bool
	}{
		{"an example the calibrated model would tag raises its feature's margin", taxonomy(false), true},
		{"a feature with fallback: false does not raise it", taxonomy(true), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb, r := LearnFallback(tt.tg, fallbackPosts(), 0)
			if fb.Margin != r.CalibratedMargin {
				t.Fatalf("margin %v, want the calibrated %v for every feature without anchors", fb.Margin, r.CalibratedMargin)
			}
			if raised := fb.FeatureMargin(0) > r.CalibratedMargin; raised != tt.wantRaised || len(r.Anchors) > 0 != tt.wantRaised || len(r.Raised) > 0 != tt.wantRaised {
				t.Fatalf("delivery's margin %v after calibration %v, anchors %q, raised %v; want raised: %v",
					fb.FeatureMargin(0), r.CalibratedMargin, r.Anchors, r.Raised, tt.wantRaised)
			}
			if fb.FeatureMargin(1) != r.CalibratedMargin {
				t.Errorf("login's margin %v, want the calibrated %v: another feature's anchor must not raise it", fb.FeatureMargin(1), r.CalibratedMargin)
			}
			if bad := NoMatchInferred(tt.tg, fb); len(bad) > 0 {
				t.Errorf("the model still tags %+v", bad)
			}
			tg, err := tt.tg.WithFallback(fb)
			if err != nil {
				t.Fatal(err)
			}
			if ms := tg.TagOrInfer(anchor, nil, make([]float64, 2)); len(ms) > 0 {
				t.Errorf("the no_match example is tagged %+v", ms)
			}
			// The raised margin survives the model file.
			var b bytes.Buffer
			if err := fb.Save(&b); err != nil {
				t.Fatal(err)
			}
			back, err := LoadFallback(&b)
			if err != nil {
				t.Fatal(err)
			}
			for f := range 2 {
				if back.FeatureMargin(f) != fb.FeatureMargin(f) {
					t.Errorf("feature %d: margin %v after a save and load, want %v", f, back.FeatureMargin(f), fb.FeatureMargin(f))
				}
			}
		})
	}
}

// unmatchedPosts are posts no term of the default taxonomy matches: where
// TagOrInfer runs the fallback model after the terms.
var unmatchedPosts = []string{
	"why is the jacket a different colour, awful, never again",
	"what a lovely sunny afternoon, off to the beach with the kids and a cold drink",
	"third time this week I have had to write to you about the same thing, nobody cares",
	"@ShopCo honestly thinking about going elsewhere, this has been a nightmare from start to finish",
}

// BenchmarkTagOrInferUnmatched is the tagger's cost for a post no term
// matches, without a fallback model and with one (the model of
// BenchmarkFallbackClassify): the most the fallback adds to a post.
func BenchmarkTagOrInferUnmatched(b *testing.B) {
	tg, err := NewTagger(DefaultTaxonomy())
	if err != nil {
		b.Fatal(err)
	}
	fb, _ := LearnFallback(tg, slices.Concat(fallbackPosts(), benchPosts), 0)
	with, err := tg.WithFallback(fb)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range unmatchedPosts {
		if ms := tg.Tag(p, nil); len(ms) > 0 {
			b.Fatalf("a term matches %q", p)
		}
	}
	for _, c := range []struct {
		name string
		tg   *Tagger
	}{{"terms-only", tg}, {"with-fallback", with}} {
		b.Run(c.name, func(b *testing.B) {
			dst := make([]Match, 0, 32)
			scores := make([]float64, len(tg.Features()))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				dst = c.tg.TagOrInfer(unmatchedPosts[i%len(unmatchedPosts)], dst[:0], scores)
				i++
			}
		})
	}
}
