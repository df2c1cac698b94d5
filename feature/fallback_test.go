package feature

import (
	"slices"
	"testing"
)

func fallbackPosts() []string {
	return slices.Concat(
		repeat(8, "delivery late again, the courier left the parcel outside", "delivery never came, courier lost my parcel"),
		repeat(8, "login broken, password reset email never arrives", "cannot login, password rejected twice"),
		repeat(6, "the app is slow today"),
	)
}

func TestFallbackClassify(t *testing.T) {
	tg := suggestTagger(t)
	fb := TrainFallback(tg, fallbackPosts())
	if fb.Trained() != 32 {
		t.Fatalf("trained on %d posts, want the 32 tagged ones", fb.Trained())
	}
	del, _ := tg.Index("delivery")
	login, _ := tg.Index("login")
	tests := []struct {
		name string
		text string
		want int
	}{
		{"words of a feature's posts name it", "the courier threw my parcel over the fence", del},
		{"another feature's words name that one", "my password reset email is missing", login},
		{"words of both features name neither", "courier parcel password reset", -1},
		{"words no tagged post used name nothing", "what a lovely sunny afternoon", -1},
		{"an empty post names nothing", "", -1},
	}
	scores := make([]float64, len(tg.Features()))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fb.Classify(tt.text, scores); got != tt.want {
				t.Errorf("Classify(%q) = %d, want %d (scores %v)", tt.text, got, tt.want, scores)
			}
		})
	}
}

func TestFallbackMargin(t *testing.T) {
	tg := suggestTagger(t)
	fb := TrainFallback(tg, fallbackPosts())
	scores := make([]float64, len(tg.Features()))
	text := "the courier again"
	tests := []struct {
		name   string
		margin float64
		want   int
	}{
		{"a weak lead is enough for a low margin", 0.1, 0},
		{"a high margin refuses it", 50, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb.Margin = tt.margin
			if got := fb.Classify(text, scores); got != tt.want {
				t.Errorf("margin %v: Classify(%q) = %d, want %d (scores %v)", tt.margin, text, got, tt.want, scores)
			}
		})
	}
}

func TestFallbackUntrainedOrShortScratch(t *testing.T) {
	tg := suggestTagger(t)
	tests := []struct {
		name   string
		fb     *Fallback
		scores []float64
	}{
		{"no tagged post to learn from", TrainFallback(tg, []string{"nothing here"}), make([]float64, 2)},
		{"scratch shorter than the features", TrainFallback(tg, fallbackPosts()), make([]float64, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fb.Classify("the courier lost my parcel", tt.scores); got != -1 {
				t.Errorf("Classify = %d, want -1", got)
			}
		})
	}
}

func TestFallbackClassifyAllocs(t *testing.T) {
	tg := suggestTagger(t)
	fb := TrainFallback(tg, fallbackPosts())
	scores := make([]float64, len(tg.Features()))
	text := "The COURIER threw my parcel over the fence, again! #fail"
	if n := testing.AllocsPerRun(100, func() { fb.Classify(text, scores) }); n != 0 {
		t.Errorf("Classify allocates %v times per call, want 0", n)
	}
}

func BenchmarkFallbackClassify(b *testing.B) {
	tg, err := NewTagger(DefaultTaxonomy())
	if err != nil {
		b.Fatal(err)
	}
	posts := slices.Concat(fallbackPosts(), benchPosts)
	fb := TrainFallback(tg, posts)
	scores := make([]float64, len(tg.Features()))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		fb.Classify(benchPosts[i%len(benchPosts)], scores)
	}
}

func TestFallbackCalibrateMargin(t *testing.T) {
	tg := suggestTagger(t)
	posts := slices.Concat(fallbackPosts(), repeat(3, "delivery and login both broken, courier password"))
	tests := []struct {
		name      string
		texts     []string
		targets   []float64 // in increasing order
		wantPosts int
	}{
		{"a stricter target never lowers the margin", posts, []float64{0.5, 0.8, 0.95, 1}, 17},
		{"no tagged posts leave the margin as it was", []string{"nothing", "here either"}, []float64{0.9}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := -1.0
			for _, target := range tt.targets {
				fb := TrainFallback(tg, tt.texts)
				m, n := fb.CalibrateMargin(tg, tt.texts, target)
				if n != tt.wantPosts {
					t.Errorf("target %v: calibrated on %d posts, want %d", target, n, tt.wantPosts)
				}
				if n == 0 && m != DefaultFallbackMargin {
					t.Errorf("margin %v without posts, want the default %v", m, DefaultFallbackMargin)
				}
				if m < prev || m < 0 || fb.Margin != m {
					t.Errorf("target %v: margin %v (Margin %v) after %v", target, m, fb.Margin, prev)
				}
				prev = m
			}
		})
	}
}
