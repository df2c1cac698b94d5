package sentiment_test

import (
	"testing"

	"github.com/socialpulse/socialpulse/sentiment"
)

// The default analyzer labels with the embedded learned model; these are
// behaviours it must keep whenever the model is retrained.
func TestLearnedBehaviours(t *testing.T) {
	tests := []struct {
		name, text string
		want       sentiment.Label
	}{
		{"sarcastic thanks around a complaint", "@AcmeAir thanks for nothing, my bag is still in Denver", sentiment.Negative},
		{"complaint told as a fact", "my card was charged twice", sentiment.Negative},
		{"waiting is a complaint", "@AcmeAir I've been on hold for 2 hours", sentiment.Negative},
		{"outage", "the app is down", sentiment.Negative},
		{"repeated delay", "@AcmeAir flight delayed again, third time this month", sentiment.Negative},
		{"negated liking", "I don't like the new layout", sentiment.Negative},
		{"negated criticism", "not bad at all", sentiment.Positive},
		{"plain praise", "@AcmeAir great crew today, thank you!", sentiment.Positive},
		{"praise with emoji", "best service ever 😍", sentiment.Positive},
		{"question for information", "@AcmeAir can you tell me if flight 123 is on time?", sentiment.Neutral},
		{"opening hours", "what time does the store open tomorrow", sentiment.Neutral},
	}
	a := sentiment.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.Score(tt.text); got.Label != tt.want {
				t.Errorf("Score(%q) = %v (%.3f), want %v", tt.text, got.Label, got.Score, tt.want)
			}
		})
	}
}

func TestLearnedClauses(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // clause texts, label after a '|'
	}{
		{"but splits a mixed post", "love the new search but checkout keeps failing",
			[]string{"love the new search|positive", "but checkout keeps failing|negative"}},
		{"semicolon splits", "camera is superb; battery is poor",
			[]string{"camera is superb;|positive", "battery is poor|negative"}},
		{"a short fragment keeps the lexicon's score", "Great app. Sync is broken though!",
			[]string{"Great app.|positive", "Sync is broken|negative", "though!|neutral"}},
	}
	a := sentiment.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, clauses := a.Analyze(tt.text, nil)
			if want := a.Score(tt.text); res != want {
				t.Errorf("Analyze overall = %+v, Score = %+v", res, want)
			}
			var got []string
			for _, c := range clauses {
				got = append(got, tt.text[c.Start:c.End]+"|"+c.Result.Label.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("clauses = %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("clause %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestOneClauseTakesThePostResult(t *testing.T) {
	a := sentiment.New()
	for _, text := range benchCorpus {
		res, clauses := a.Analyze(text, nil)
		if len(clauses) == 1 && clauses[0].Result != res {
			t.Errorf("%q: the only clause is %+v, the post %+v", text, clauses[0].Result, res)
		}
	}
}
