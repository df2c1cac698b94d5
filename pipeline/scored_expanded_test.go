package pipeline

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/enrich"
	"github.com/socialpulse/socialpulse/feature"
	"github.com/socialpulse/socialpulse/post"
	"github.com/socialpulse/socialpulse/sentiment"
)

func TestScoredPostMarksExpandedFeatures(t *testing.T) {
	tx, err := feature.ParseTaxonomy([]byte(`version: "1"
features:
  - id: vehicle
    match_name: false
    terms: [car]
    expand: synonyms
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := feature.NewTagger(tx)
	if err != nil {
		t.Fatal(err)
	}
	e, err := enrich.New(sentiment.New(), tg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       string // in the scored post's JSON
		absent     string
	}{
		{"written term", "my car broke down again", `"features":[{"id":"vehicle"`, `"expanded"`},
		{"WordNet synonym", "my automobile broke down again", `"expanded":true`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s enrich.Scratch
			res := e.Enrich(tt.text, "en", &s)
			p := post.Post{ID: "1", Text: tt.text}
			b, err := json.Marshal(NewScoredPost(&p, time.Unix(0, 0), &res))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.want) || tt.absent != "" && strings.Contains(string(b), tt.absent) {
				t.Errorf("scored post %s: want %s and no %q", b, tt.want, tt.absent)
			}
		})
	}
}
